#!/bin/sh
# CIFAR-10 shallow baseline: Isolation Forest, with the original positional interface:
#   sh scripts/cifar10_if.sh xp_dir seed contamination pca cifar10_normal cifar10_outlier
# e.g. sh scripts/cifar10_if.sh cifar10_if_3vsall 1 0.1 0 3 -1
# GCN (l1), 100 trees of 256 samples, as the original script. Outputs go to log/<xp_dir>/. Options after the 6 arguments go on to `deep-svdd baseline` after the
# fixed ones, so they override them (e.g. --n-test 1000). Data: data/, or the folder in $DEEP_SVDD_DATA_DIR when set.
usage="usage: sh scripts/cifar10_if.sh xp_dir seed contamination pca cifar10_normal cifar10_outlier [deep-svdd baseline options]"
if [ "$#" -lt 6 ]; then echo "$usage" >&2; exit 2; fi
case "${7--}" in -*) ;; *) echo "$usage" >&2; exit 2 ;; esac
xp_dir="${1}" seed="${2}" contamination="${3}" pca="${4}" cifar10_normal="${5}" cifar10_outlier="${6}"
shift 6
here=$(dirname "$0")
exec sh "$here/deep-svdd.sh" baseline --dataset cifar10 --method if --xp-dir "log/$xp_dir" --seed "$seed" --contamination "$contamination" --pca "$pca" --normal "$cifar10_normal" --outlier "$cifar10_outlier" \
  --gcn 1 --n-estimators 100 --max-samples 256 \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
