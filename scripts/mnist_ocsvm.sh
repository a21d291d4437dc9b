#!/bin/sh
# MNIST shallow baseline: one-class SVM (RBF kernel; γ chosen from 2^-10 … 2^-1 on 10 % of the test set, the paper's protocol), with the original positional interface:
#   sh scripts/mnist_ocsvm.sh xp_dir seed nu pca mnist_normal mnist_outlier
# e.g. sh scripts/mnist_ocsvm.sh mnist_ocsvm_0vsall 1 0.1 0 0 -1
# GCN off (the original script passes no --gcn). Outputs go to log/<xp_dir>/. Options after the 6 arguments go on to `deep-svdd baseline` after the
# fixed ones, so they override them (e.g. --gamma-selection train-holdout). Data: data/ (MNIST: else the embedded
# copy), or the folder in $DEEP_SVDD_DATA_DIR when set.
usage="usage: sh scripts/mnist_ocsvm.sh xp_dir seed nu pca mnist_normal mnist_outlier [deep-svdd baseline options]"
if [ "$#" -lt 6 ]; then echo "$usage" >&2; exit 2; fi
case "${7--}" in -*) ;; *) echo "$usage" >&2; exit 2 ;; esac
xp_dir="${1}" seed="${2}" nu="${3}" pca="${4}" mnist_normal="${5}" mnist_outlier="${6}"
shift 6
here=$(dirname "$0")
exec sh "$here/deep-svdd.sh" baseline --dataset mnist --method ocsvm --xp-dir "log/$xp_dir" --seed "$seed" --nu "$nu" --pca "$pca" --normal "$mnist_normal" --outlier "$mnist_outlier" \
  --gcn 0 \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
