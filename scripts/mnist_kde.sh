#!/bin/sh
# MNIST shallow baseline: Gaussian kernel density estimation (bandwidth by 5-fold cross-validation), with the original positional interface:
#   sh scripts/mnist_kde.sh xp_dir seed pca mnist_normal mnist_outlier
# e.g. sh scripts/mnist_kde.sh mnist_kde_0vsall 1 0 0 -1
# GCN off (the original script passes no --gcn). Outputs go to log/<xp_dir>/. Options after the 5 arguments go on to `deep-svdd baseline` after the
# fixed ones, so they override them (e.g. --n-test 1000). Data: data/ (MNIST: else the embedded
# copy), or the folder in $DEEP_SVDD_DATA_DIR when set.
usage="usage: sh scripts/mnist_kde.sh xp_dir seed pca mnist_normal mnist_outlier [deep-svdd baseline options]"
if [ "$#" -lt 5 ]; then echo "$usage" >&2; exit 2; fi
case "${6--}" in -*) ;; *) echo "$usage" >&2; exit 2 ;; esac
xp_dir="${1}" seed="${2}" pca="${3}" mnist_normal="${4}" mnist_outlier="${5}"
shift 5
here=$(dirname "$0")
exec sh "$here/deep-svdd.sh" baseline --dataset mnist --method kde --xp-dir "log/$xp_dir" --seed "$seed" --pca "$pca" --normal "$mnist_normal" --outlier "$mnist_outlier" \
  --gcn 0 \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
