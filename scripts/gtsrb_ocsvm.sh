#!/bin/sh
# GTSRB shallow baseline: one-class SVM (RBF kernel; γ chosen from 2^-10 … 2^-1 on 10 % of the test set, the paper's protocol), with the original positional interface:
#   sh scripts/gtsrb_ocsvm.sh xp_dir seed nu pca
# e.g. sh scripts/gtsrb_ocsvm.sh gtsrb_ocsvm 1 0.1 0
# GCN off, as the original script; needs --dataset gtsrb. Outputs go to log/<xp_dir>/. Options after the 4 arguments go on to `deep-svdd baseline` after the
# fixed ones, so they override them (e.g. --gamma-selection train-holdout). Data: data/data_gtsrb/ (README, GTSRB), or the folder in $DEEP_SVDD_DATA_DIR when set.
usage="usage: sh scripts/gtsrb_ocsvm.sh xp_dir seed nu pca [deep-svdd baseline options]"
if [ "$#" -lt 4 ]; then echo "$usage" >&2; exit 2; fi
case "${5--}" in -*) ;; *) echo "$usage" >&2; exit 2 ;; esac
xp_dir="${1}" seed="${2}" nu="${3}" pca="${4}"
shift 4
here=$(dirname "$0")
exec sh "$here/deep-svdd.sh" baseline --dataset gtsrb --method ocsvm --xp-dir "log/$xp_dir" --seed "$seed" --nu "$nu" --pca "$pca" \
  --gcn 0 \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
