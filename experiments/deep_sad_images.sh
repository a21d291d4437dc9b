#!/bin/sh
# Deep SAD, the paper's first image experiment (Ruff et al., ICLR 2020, Sec. 4.1, "adding labeled anomalies"): one
# known anomaly class, no pollution, γ_l = --ratio-known-outlier ∈ {0, .01, .05, .1, .2}, for each normal class d the
# known anomaly class (d+1) mod 10, seeds 1-2, on MNIST and Fashion-MNIST (--dataset fmnist). The authors' settings
# for these runs (lukasruff/Deep-SAD-PyTorch: its README's MNIST command and its code's defaults), as we run them:
#   data      pixels / 255 and nothing else (their ToTensor(): --gcn 0, whose min–max with the training set's 0 and 1
#             is the identity); the paper's LeNet (mnist_LeNet; Fashion-MNIST: its own LeNet from the fmnist entry);
#             no dictionary initialisation; each epoch's last partial batch dropped (their loaders' drop_last)
#   pretrain  150 epochs of Adam 1e-4, batch 128, no lr milestone (--ae_lr_milestone unset), weight decay 0.5e-3 on
#             their per-pixel mean error: --ae-C 2000/784 on our per-image sum (the same gradients up to Adam's scale)
#   Deep SAD  η = 1, 150 epochs of Adam 1e-4, batch 128, ÷10 at milestone 50 (their scheduler steps at the start of
#             each epoch under click 7, so from 0-based epoch 49, as tables.ts), weight decay 0.5e-6 (--C 2e6)
# Writes <XP_ROOT>/<dataset>/gamma_<γ_l>/<d>vsall/seed_<s>/ (XP_ROOT default log/deep_sad), one sweep per pair.
# DATASETS (mnist fmnist), RATIOS (0 0.01 0.05 0.1 0.2), CLASSES (0..9) and SEEDS (1-2) pick a part; JOBS runs that
# many seeds of a pair at a time. Extra arguments go to every sweep. Finished runs are skipped: rerun to finish.
# Then: sh scripts/deep-svdd.sh report log/deep_sad/mnist   (one block per γ_l; the paper's means in src/eval/paper.ts)
cd "$(dirname "$0")/.." || exit 2
root="${XP_ROOT:-log/deep_sad}"
settings="--loss deep-sad --eta 1 --outlier -1 --device cpu --solver adam --lr 0.0001 --n-epochs 150 --lr-drop 1 --lr-drop-in-epoch 49
  --batch-size 128 --C 2e6 --pretrain 1 --ae-solver adam --ae-lr 0.0001 --ae-n-epochs 150 --ae-lr-drop 0 --ae-C 2.5510204081632653
  --drop-last 1 --gcn 0 --weight-dict-init 0 --ratio-known-normal 0 --ratio-pollution 0"
for ds in ${DATASETS:-mnist fmnist}; do
  case "$ds" in
    mnist | fmnist) ;;
    *) echo "experiments/deep_sad_images.sh: unknown dataset '$ds' in DATASETS: use mnist or fmnist" >&2; exit 2 ;;
  esac
  for ratio in ${RATIOS:-0 0.01 0.05 0.1 0.2}; do
    for normal in ${CLASSES:-0 1 2 3 4 5 6 7 8 9}; do
      case "$normal" in
        [0-9]) ;;
        *) echo "experiments/deep_sad_images.sh: class '$normal' in CLASSES is not 0..9" >&2; exit 2 ;;
      esac
      known=$(( (normal + 1) % 10 ))
      # $settings unquoted on purpose: one word per option
      sh scripts/deep-svdd.sh sweep --dataset "$ds" $settings --classes "$normal" --known-outlier-class "$known" \
        --ratio-known-outlier "$ratio" --seeds "${SEEDS:-1-2}" ${JOBS:+--jobs "$JOBS"} --xp-dir "$root/$ds/gamma_$ratio" "$@" || exit $?
    done
  done
done
