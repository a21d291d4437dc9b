#!/bin/sh
# CIFAR-10 shallow baseline: Gaussian kernel density estimation (bandwidth by 5-fold cross-validation), with the original positional interface:
#   sh scripts/cifar10_kde.sh xp_dir seed cifar10_normal cifar10_outlier
# e.g. sh scripts/cifar10_kde.sh cifar10_kde_3vsall 1 3 -1
# PCA to 95 % variance and GCN (l1), as the original script. Outputs go to log/<xp_dir>/. Options after the 4 arguments go on to `deep-svdd baseline` after the
# fixed ones, so they override them (e.g. --n-test 1000). Data: data/, or the folder in $DEEP_SVDD_DATA_DIR when set.
usage="usage: sh scripts/cifar10_kde.sh xp_dir seed cifar10_normal cifar10_outlier [deep-svdd baseline options]"
if [ "$#" -lt 4 ]; then echo "$usage" >&2; exit 2; fi
case "${5--}" in -*) ;; *) echo "$usage" >&2; exit 2 ;; esac
xp_dir="${1}" seed="${2}" cifar10_normal="${3}" cifar10_outlier="${4}"
shift 4
here=$(dirname "$0")
exec sh "$here/deep-svdd.sh" baseline --dataset cifar10 --method kde --xp-dir "log/$xp_dir" --seed "$seed" --normal "$cifar10_normal" --outlier "$cifar10_outlier" \
  --pca 1 --gcn 1 \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
