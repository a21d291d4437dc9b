#!/bin/sh
# The ODDS benchmark of the Deep SAD paper (Ruff et al., ICLR 2020, "classic AD benchmarks"): unsupervised one-class
# Deep SVDD (pretrained MLP, the Deep SAD code's settings: tables.ts) and the shallow baselines on the six ODDS tables
# × seeds 1..10, each seed its own 60/40 split (README, "Your own data"). Reads <name>.mat from data/odds/
# (`deep-svdd data fetch odds`, or ODDS_DIR=folder). Writes one sweep per dataset and method, <XP_ROOT>/<dataset>_<method>/
# (XP_ROOT default log/odds): one-class = Deep SVDD; ocsvm (RBF, ν 0.1, γ by the paper's test-slice protocol), kde
# (bandwidth by 5-fold cross-validation), if (100 trees); deep-sad = Deep SAD with γ_l = 0.01 labelled anomalies
# (--ratio-known-outlier 0.01 of the training split's outliers, as the authors' odds.py). DATASETS, METHODS and SEEDS pick a part, e.g.
# METHODS=one-class SEEDS=1-3; JOBS runs in parallel (default: one per core). Extra arguments go to every sweep.
# Finished runs are skipped: rerun the script to finish what is missing.
# Then: sh scripts/deep-svdd.sh report log/odds   (ours beside the paper's Deep SVDD column)
cd "$(dirname "$0")/.." || exit 2
root="${XP_ROOT:-log/odds}"
for ds in ${DATASETS:-arrhythmia cardio satellite satimage-2 shuttle thyroid}; do
  for method in ${METHODS:-one-class deep-sad ocsvm kde if}; do
    case "$method" in
      one-class) m="" ;;
      deep-sad) m="--loss deep-sad --ratio-known-outlier 0.01 --known-outlier-class 1" ;;
      ocsvm | kde | if) m="--method $method" ;;
      *) echo "experiments/odds_benchmark.sh: unknown method '$method' in METHODS: use one-class, deep-sad, ocsvm, kde or if" >&2; exit 2 ;;
    esac
    # $m unquoted on purpose: one word per option
    sh scripts/deep-svdd.sh sweep $m --dataset "$ds" ${ODDS_DIR:+--data-dir "$ODDS_DIR"} --classes 0 --seeds "${SEEDS:-1-10}" \
      ${JOBS:+--jobs "$JOBS"} --xp-dir "$root/${ds}_$method" "$@" || exit $?
  done
done
