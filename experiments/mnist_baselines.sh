#!/bin/sh
# The shallow baselines' columns of the paper's Table 1 on MNIST, one sweep per method under log/mnist/table1/ beside
# the Deep SVDD and DCAE columns of experiments/mnist_table1.sh, so that `report log/mnist/table1` shows them all
# (each method with `deep-svdd baseline`'s defaults, which are the original scripts' settings):
#   ocsvm/  OC-SVM, RBF kernel, ν = 0.1, γ from 2^-10 … 2^-1 on 10 % of the test set (the paper's protocol)
#   kde/    Gaussian KDE, bandwidth by 5-fold cross-validation on the training set
#   if/     Isolation Forest, 100 trees of 256 images
# All three with per-image GCN (l1) and PCA to 95 % of the training variance: the setting in which the OC-SVM and the
# Isolation Forest reproduce the paper's column (README, "Shallow baselines"; the original's OC-SVM and KDE scripts
# left GCN off, and `--gcn 0` after the script's name gives that). Normal digits 0..9 × seeds 1..3 (the seed draws the
# OC-SVM's test slice, the KDE's folds and the forest); METHODS picks methods, e.g. METHODS="ocsvm if"; XP_ROOT
# replaces log/mnist/table1; JOBS runs in parallel (default: cores ÷ threads). Extra arguments go to every sweep
# after the settings above, so they win (e.g. `--classes 5 --seeds 1`). Finished runs are skipped: rerun the script
# to finish what is missing.
# Then: sh scripts/deep-svdd.sh report log/mnist/table1   (the Table 1 layout, one column per method, beside the paper)
cd "$(dirname "$0")/.." || exit 2
common="--dataset mnist --classes 0-9 --seeds 1-3 --outlier -1 --gcn 1 --pca 1"
for method in ${METHODS:-ocsvm kde if}; do
  case "$method" in
    ocsvm | kde | if) ;;
    *) echo "experiments/mnist_baselines.sh: unknown method '$method' in METHODS: use ocsvm, kde or if" >&2; exit 2 ;;
  esac
  # $common unquoted on purpose: one word per option
  sh scripts/deep-svdd.sh sweep --method "$method" $common ${JOBS:+--jobs "$JOBS"} \
    --xp-dir "${XP_ROOT:-log/mnist/table1}/$method" "$@" || exit $?
done
