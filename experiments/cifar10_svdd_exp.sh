#!/bin/sh
# The MNIST experiment's protocol on CIFAR-10 (the paper's Table 1, CIFAR-10 one-class column): normal classes 0..9
# (airplane .. truck) × seeds 1..10, one-class Deep SVDD with autoencoder pretraining (CIFAR-10 defaults: 350 epochs,
# Adam 1e-4, ÷10 at epoch 250, ae_C 1e6), then 150 epochs of Adam 1e-4 (÷10 at epoch 50), batch 200, rep_dim 128,
# each class against all others: 100 runs, built on `deep-svdd sweep`.
# Runs go to log/cifar10/deepSVDD/<c>vsall/seed_<s>/, the sweep's state to log/cifar10/deepSVDD/sweep.json.
# JOBS runs in parallel (default: the number of cores). Finished runs are skipped, so rerunning the script finishes
# what is missing. Extra arguments go to the sweep and override the ones below (e.g. --classes 3 --seeds 1-3,
# --data-dir DIR, --emit slurm).
# Then: sh scripts/deep-svdd.sh report log/cifar10/deepSVDD
cd "$(dirname "$0")/.." || exit 2
exec sh scripts/deep-svdd.sh sweep --dataset cifar10 --classes 0-9 --seeds 1-10 ${JOBS:+--jobs "$JOBS"} \
  --xp-dir log/cifar10/deepSVDD --outlier -1 --device cpu \
  --hard-margin 1 --block-coordinate 0 --pretrain 1 --solver adam --lr 0.0001 --n-epochs 150 \
  --lr-drop 1 --lr-drop-in-epoch 50 --lr-drop-factor 10 --batch-size 200 --use-batch-norm 1 --leaky-relu 1 \
  --weight-decay 1 --C 1e6 --nu 0.1 --rep-dim 128 "$@"
