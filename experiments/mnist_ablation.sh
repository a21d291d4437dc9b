#!/bin/sh
# Ablation of the differences between the paper's Theano code and the authors' PyTorch port, on the digits where
# deep-svdd's one-class AUC was furthest below the paper (2, 3, 5), seeds 1..3, one sweep per variant under
# log/mnist/ablation/<variant>/. Every variant is the Table 1 one-class setting (experiments/mnist_table1.sh, whose
# runs in log/mnist/table1/one-class are the reference) with one thing changed, or several together:
#   no-dict-init   conv1 Xavier-uniform instead of from dictionary atoms (the port)          --weight-dict-init 0
#   bn-affine      batch norm with learned scale and shift (the original's Lasagne layer)   --bn-affine 1
#   wd-pytorch     the port's coupled L2 weight decay: Adam weight_decay λ adds λ·W to the gradient, i.e. a
#                  penalty (λ/2)·ΣW², which is (1/(2C))·ΣW² with C = 1/λ: λ = 0.5e-6 → --C 2e6, the AE's
#                  λ = 0.5e-3 → --ae-C 2e3 (deep-svdd's AE penalty is (0.5/ae-C)·ΣW²)
#   drop-last      each epoch's last partial batch left out (the original trained on a multiple of 200)  --drop-last 1
#   ae-lr-drop     the port's pretraining schedule: learning rate ÷10 at epoch 50 of the 150  --ae-lr-drop 1 ...
#   original       everything as the Theano code: bn-affine + drop-last (dictionary init, weight decay and the
#                  constant pretraining rate are the reference's already)
#   pytorch        everything as the port: no-dict-init + wd-pytorch + ae-lr-drop
# (The decoder difference, plain convolutions against transposed ones, is a reparametrisation with the same
# initial distribution: README, "Results".) VARIANTS picks variants; XP_ROOT replaces log/mnist/ablation; JOBS runs
# in parallel (default: cores ÷ threads); extra arguments go to every sweep (e.g. --seeds 1). Finished runs are
# skipped: rerun to finish what is missing.
# REFERENCE names the reference sweep (default log/mnist/table1/one-class; linked as <XP_ROOT>/reference when it exists).
# Then: sh scripts/deep-svdd.sh report log/mnist/ablation   ("Sweep folders compared": AE → Deep SVDD AUC per variant)
cd "$(dirname "$0")/.." || exit 2
. scripts/mnist_settings.sh
common="--dataset mnist --classes 2,3,5 --seeds 1-3 --outlier -1 --device cpu --solver adam --lr 0.0001 --n-epochs 150
--hard-margin 1 --block-coordinate 0 --pretrain 1"
variant_sweep() {
  variant=$1
  shift
  case "$variant" in
    no-dict-init) change="--weight-dict-init 0" ;;
    bn-affine) change="--bn-affine 1" ;;
    wd-pytorch) change="--C 2e6 --ae-C 2e3" ;;
    drop-last) change="--drop-last 1" ;;
    ae-lr-drop) change="--ae-lr-drop 1 --ae-lr-drop-in-epoch 50 --ae-lr-drop-factor 10" ;;
    original) change="--bn-affine 1 --drop-last 1" ;;
    pytorch) change="--weight-dict-init 0 --C 2e6 --ae-C 2e3 --ae-lr-drop 1 --ae-lr-drop-in-epoch 50 --ae-lr-drop-factor 10" ;;
    *) echo "experiments/mnist_ablation.sh: unknown variant '$variant' in VARIANTS: use no-dict-init, bn-affine, wd-pytorch, drop-last, ae-lr-drop, original or pytorch" >&2; return 2 ;;
  esac
  # unquoted on purpose: one word per option; $change comes after $MNIST_SVDD, so it wins
  sh scripts/deep-svdd.sh sweep $common $MNIST_SVDD $change ${JOBS:+--jobs "$JOBS"} --xp-dir "$root/$variant" "$@"
}
# the reference runs: a link to the Table 1 one-class sweep (REFERENCE), so that report compares every variant with it
root="${XP_ROOT:-log/mnist/ablation}"
reference="${REFERENCE:-log/mnist/table1/one-class}"
mkdir -p "$root" || exit 2
if [ ! -e "$root/reference" ] && [ -d "$reference" ]; then ln -s "$(cd "$reference" && pwd)" "$root/reference" || exit 2; fi
for variant in ${VARIANTS:-no-dict-init bn-affine wd-pytorch drop-last ae-lr-drop original pytorch}; do
  variant_sweep "$variant" "$@" || exit $?
done
