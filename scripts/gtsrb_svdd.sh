#!/bin/sh
# GTSRB Deep SVDD (stop signs against adversarial examples) with the original positional interface:
#   sh scripts/gtsrb_svdd.sh device xp_dir seed solver lr n_epochs nu hard_margin center_fixed block_coordinate in_name
# e.g. (autoencoder first, then Deep SVDD starting from its encoder)
#   sh scripts/gtsrb_cae.sh cpu gtsrb_cae 0 adam 0.0001 350
#   sh scripts/gtsrb_svdd.sh cpu gtsrb_svdd 0 adam 0.0001 150 0.1 1 1 0 gtsrb_cae
# Outputs go to log/<xp_dir>/. in_name: a finished run under log/ whose encoder starts the network
# (--pretrain 0 --in-name log/<in_name>); 0, - or '' pretrain the autoencoder inline instead (--pretrain 1).
# Fixed settings as the original script: batch 64, lr drop ÷10 at epoch 50, batch norm, leaky ReLU, weight decay
# with C = 1e6, c from the mean initial output, no contamination, no GCN (min–max only), rep_dim 32, the test AUC
# after every epoch (epochs.csv). Data: data/data_gtsrb/ (README, GTSRB), or the folder in $DEEP_SVDD_DATA_DIR when
# set. Options after the 11 arguments go to `deep-svdd train` after the fixed ones, so they override them.
usage="usage: sh scripts/gtsrb_svdd.sh device xp_dir seed solver lr n_epochs nu hard_margin center_fixed block_coordinate in_name [train options]"
if [ "$#" -lt 11 ]; then echo "$usage" >&2; exit 2; fi
case "${12--}" in -*) ;; *) echo "$usage" >&2; exit 2 ;; esac
device=$1 xp_dir=$2 seed=$3 solver=$4 lr=$5 n_epochs=$6 nu=$7 hard_margin=$8 center_fixed=$9 block_coordinate=${10}
in_name=${11}
shift 11
case "$in_name" in 0 | -) in_name= ;; esac
if [ -n "$in_name" ]; then pretrain=0; else pretrain=1; fi
here=$(dirname "$0")
exec sh "$here/deep-svdd.sh" train --dataset gtsrb --loss svdd \
  --device "$device" --xp-dir "log/$xp_dir" --seed "$seed" --solver "$solver" --lr "$lr" --n-epochs "$n_epochs" \
  --nu "$nu" --hard-margin "$hard_margin" --center-fixed "$center_fixed" --block-coordinate "$block_coordinate" \
  --pretrain "$pretrain" ${in_name:+--in-name} ${in_name:+"log/$in_name"} \
  --lr-drop 1 --lr-drop-in-epoch 50 --lr-drop-factor 10 --use-batch-norm 1 --batch-size 64 --leaky-relu 1 \
  --weight-decay 1 --C 1e6 --c-mean-init 1 --out-frac 0 --gcn 0 --unit-norm-used l1 --weight-dict-init 0 \
  --rep-dim 32 --nnet-diagnostics 1 \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
