#!/bin/sh
# CIFAR-10 Deep SVDD with the original positional interface:
#   sh scripts/cifar10_svdd.sh device xp_dir seed solver lr n_epochs nu hard_margin center_fixed block_coordinate in_name cifar10_architecture cifar10_normal cifar10_outlier
# e.g. (autoencoder first, then Deep SVDD starting from its encoder)
#   sh scripts/cifar10_cae.sh cpu cifar10_cae_3vsall 0 adam 0.0001 350 3 3 -1
#   sh scripts/cifar10_svdd.sh cpu cifar10_3vsall 0 adam 0.0001 150 0.1 1 1 0 cifar10_cae_3vsall 3 3 -1
# Outputs go to log/<xp_dir>/. in_name: a finished run under log/ whose encoder starts the network
# (--pretrain 0 --in-name log/<in_name>), as the original loaded its weights from ../log/<in_name>;
# 0, - or '' pretrain the autoencoder inline instead (--pretrain 1). cifar10_architecture: 3 is the
# paper's network, 1 and 2 the original's others (README). Fixed settings as the original script: lr drop ÷10 at epoch 50, batch 200, batch norm,
# leaky ReLU, weight decay with C = 1e6, c from the mean initial output, no contamination, GCN (l1) + min–max,
# rep_dim 128. Data: data/cifar-10-batches-py/ (get it with `deep-svdd data fetch cifar10`), or the folder in
# $DEEP_SVDD_DATA_DIR when set. Options after the 14 arguments go to `deep-svdd train` after the fixed ones, so they
# override them (e.g. --threads 4, or --n-train 50 --batch-size 10 for a quick check).
usage="usage: sh scripts/cifar10_svdd.sh device xp_dir seed solver lr n_epochs nu hard_margin center_fixed block_coordinate in_name cifar10_architecture cifar10_normal cifar10_outlier [train options]"
if [ "$#" -lt 14 ]; then echo "$usage" >&2; exit 2; fi
case "${15--}" in -*) ;; *) echo "$usage" >&2; exit 2 ;; esac
device=$1 xp_dir=$2 seed=$3 solver=$4 lr=$5 n_epochs=$6 nu=$7 hard_margin=$8 center_fixed=$9 block_coordinate=${10}
in_name=${11} architecture=${12} normal=${13} outlier=${14}
shift 14
case "$in_name" in 0 | -) in_name= ;; esac
if [ -n "$in_name" ]; then pretrain=0; else pretrain=1; fi
here=$(dirname "$0")
exec sh "$here/deep-svdd.sh" train --dataset cifar10 --loss svdd \
  --device "$device" --xp-dir "log/$xp_dir" --seed "$seed" --solver "$solver" --lr "$lr" --n-epochs "$n_epochs" \
  --nu "$nu" --hard-margin "$hard_margin" --center-fixed "$center_fixed" --block-coordinate "$block_coordinate" \
  --pretrain "$pretrain" ${in_name:+--in-name} ${in_name:+"log/$in_name"} --normal "$normal" --outlier "$outlier" \
  --lr-drop 1 --lr-drop-in-epoch 50 --lr-drop-factor 10 --use-batch-norm 1 --batch-size 200 --leaky-relu 1 \
  --weight-decay 1 --C 1e6 --c-mean-init 1 --out-frac 0 --rep-dim 128 --cifar10-architecture "$architecture" \
  --cifar10-bias 0 --gcn 1 --unit-norm-used l1 --weight-dict-init 0 \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
