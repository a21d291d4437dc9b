#!/bin/sh
# The paper's MNIST one-class experiment (as the original experiments/mnist_svdd_exp.sh): normal digits 0..9 ×
# seeds 1..10, one-class Deep SVDD with autoencoder pretraining (150 epochs, Adam 1e-4), then 150 epochs of Adam 1e-4
# (÷10 at epoch 50), batch 200, each digit against all others, with scripts/mnist_svdd.sh's fixed options
# (scripts/mnist_settings.sh): 100 runs, built on `deep-svdd sweep`.
# Runs go to log/mnist/deepSVDD/<d>vsall/seed_<s>/, the sweep's state to log/mnist/deepSVDD/sweep.json.
# JOBS runs in parallel (default: the number of cores). Finished runs are skipped, so rerunning the script (after a
# Ctrl-C, a crash or a failed run) finishes what is missing. Extra arguments go to the sweep and override the ones
# below, e.g. `sh experiments/mnist_svdd_exp.sh --classes 3 --seeds 1-3` or `... --emit slurm` for a Slurm job array.
# Then: sh scripts/deep-svdd.sh report log/mnist/deepSVDD   (summary.md, summary.csv, report.html beside Table 1)
cd "$(dirname "$0")/.." || exit 2
. scripts/mnist_settings.sh
# $MNIST_SVDD unquoted on purpose: one word per option
exec sh scripts/deep-svdd.sh sweep --dataset mnist --classes 0-9 --seeds 1-10 ${JOBS:+--jobs "$JOBS"} \
  --xp-dir log/mnist/deepSVDD --outlier -1 --device cpu \
  --hard-margin 1 --block-coordinate 0 --pretrain 1 --solver adam --lr 0.0001 --n-epochs 150 $MNIST_SVDD "$@"
