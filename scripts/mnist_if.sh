#!/bin/sh
# MNIST shallow baseline: Isolation Forest, with the original positional interface:
#   sh scripts/mnist_if.sh xp_dir seed contamination pca mnist_normal mnist_outlier
# e.g. sh scripts/mnist_if.sh mnist_if_0vsall 1 0.1 0 0 -1
# GCN (l1), 100 trees of 256 samples, as the original script. Outputs go to log/<xp_dir>/. Options after the 6 arguments go on to `deep-svdd baseline` after the
# fixed ones, so they override them (e.g. --n-test 1000). Data: data/ (MNIST: else the embedded
# copy), or the folder in $DEEP_SVDD_DATA_DIR when set.
usage="usage: sh scripts/mnist_if.sh xp_dir seed contamination pca mnist_normal mnist_outlier [deep-svdd baseline options]"
if [ "$#" -lt 6 ]; then echo "$usage" >&2; exit 2; fi
case "${7--}" in -*) ;; *) echo "$usage" >&2; exit 2 ;; esac
xp_dir="${1}" seed="${2}" contamination="${3}" pca="${4}" mnist_normal="${5}" mnist_outlier="${6}"
shift 6
here=$(dirname "$0")
exec sh "$here/deep-svdd.sh" baseline --dataset mnist --method if --xp-dir "log/$xp_dir" --seed "$seed" --contamination "$contamination" --pca "$pca" --normal "$mnist_normal" --outlier "$mnist_outlier" \
  --gcn 1 --n-estimators 100 --max-samples 256 \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
