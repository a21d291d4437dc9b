#!/bin/sh
# GTSRB shallow baseline: Isolation Forest, with the original positional interface:
#   sh scripts/gtsrb_if.sh xp_dir seed contamination pca
# e.g. sh scripts/gtsrb_if.sh gtsrb_if 1 0.1 0
# GCN off, 100 trees of 256 samples, as the original script; needs --dataset gtsrb. Outputs go to log/<xp_dir>/. Options after the 4 arguments go on to `deep-svdd baseline` after the
# fixed ones, so they override them (e.g. --n-test 1000). Data: data/data_gtsrb/ (README, GTSRB), or the folder in $DEEP_SVDD_DATA_DIR when set.
usage="usage: sh scripts/gtsrb_if.sh xp_dir seed contamination pca [deep-svdd baseline options]"
if [ "$#" -lt 4 ]; then echo "$usage" >&2; exit 2; fi
case "${5--}" in -*) ;; *) echo "$usage" >&2; exit 2 ;; esac
xp_dir="${1}" seed="${2}" contamination="${3}" pca="${4}"
shift 4
here=$(dirname "$0")
exec sh "$here/deep-svdd.sh" baseline --dataset gtsrb --method if --xp-dir "log/$xp_dir" --seed "$seed" --contamination "$contamination" --pca "$pca" \
  --gcn 0 --n-estimators 100 --max-samples 256 \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
