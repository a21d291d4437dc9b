#!/bin/sh
# GTSRB shallow baseline: Gaussian kernel density estimation (bandwidth by 5-fold cross-validation), with the original positional interface:
#   sh scripts/gtsrb_kde.sh xp_dir seed pca
# e.g. sh scripts/gtsrb_kde.sh gtsrb_kde 1 0
# GCN off, as the original script; needs --dataset gtsrb. Outputs go to log/<xp_dir>/. Options after the 3 arguments go on to `deep-svdd baseline` after the
# fixed ones, so they override them (e.g. --n-test 1000). Data: data/data_gtsrb/ (README, GTSRB), or the folder in $DEEP_SVDD_DATA_DIR when set.
usage="usage: sh scripts/gtsrb_kde.sh xp_dir seed pca [deep-svdd baseline options]"
if [ "$#" -lt 3 ]; then echo "$usage" >&2; exit 2; fi
case "${4--}" in -*) ;; *) echo "$usage" >&2; exit 2 ;; esac
xp_dir="${1}" seed="${2}" pca="${3}"
shift 3
here=$(dirname "$0")
exec sh "$here/deep-svdd.sh" baseline --dataset gtsrb --method kde --xp-dir "log/$xp_dir" --seed "$seed" --pca "$pca" \
  --gcn 0 \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
