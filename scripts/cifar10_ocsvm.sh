#!/bin/sh
# CIFAR-10 shallow baseline: one-class SVM (RBF kernel; γ chosen from 2^-10 … 2^-1 on 10 % of the test set, the paper's protocol), with the original positional interface:
#   sh scripts/cifar10_ocsvm.sh xp_dir seed nu cifar10_normal cifar10_outlier
# e.g. sh scripts/cifar10_ocsvm.sh cifar10_ocsvm_3vsall 1 0.1 3 -1
# PCA to 95 % variance and GCN (l1), as the original script. Outputs go to log/<xp_dir>/. Options after the 5 arguments go on to `deep-svdd baseline` after the
# fixed ones, so they override them (e.g. --gamma-selection train-holdout). Data: data/, or the folder in $DEEP_SVDD_DATA_DIR when set.
usage="usage: sh scripts/cifar10_ocsvm.sh xp_dir seed nu cifar10_normal cifar10_outlier [deep-svdd baseline options]"
if [ "$#" -lt 5 ]; then echo "$usage" >&2; exit 2; fi
case "${6--}" in -*) ;; *) echo "$usage" >&2; exit 2 ;; esac
xp_dir="${1}" seed="${2}" nu="${3}" cifar10_normal="${4}" cifar10_outlier="${5}"
shift 5
here=$(dirname "$0")
exec sh "$here/deep-svdd.sh" baseline --dataset cifar10 --method ocsvm --xp-dir "log/$xp_dir" --seed "$seed" --nu "$nu" --normal "$cifar10_normal" --outlier "$cifar10_outlier" \
  --pca 1 --gcn 1 \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
