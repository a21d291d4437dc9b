#!/bin/sh
# GTSRB deep convolutional autoencoder (DCAE baseline on the stop signs, and the pretraining for gtsrb_svdd.sh) with
# the original positional interface:
#   sh scripts/gtsrb_cae.sh device xp_dir seed solver lr n_epochs
# e.g. sh scripts/gtsrb_cae.sh cpu gtsrb_cae 0 adam 0.0001 350
# The anomaly score is the reconstruction error. Outputs go to log/<xp_dir>/; its encoder can start a Deep SVDD run
# (in_name of gtsrb_svdd.sh). Fixed settings as the original script: batch 64, lr drop ÷10 at epoch 250, batch norm,
# leaky ReLU, weight decay with ae_C = 1e6, l2 loss, no GCN (min–max only), conv1 from dictionary learning, rep_dim 32.
# Data: data/data_gtsrb/ (README, GTSRB), or the folder in $DEEP_SVDD_DATA_DIR when set. Options after the 6 arguments
# go to `deep-svdd train` after the fixed ones, so they override them (e.g. --threads 2).
usage="usage: sh scripts/gtsrb_cae.sh device xp_dir seed solver lr n_epochs [train options]"
if [ "$#" -lt 6 ]; then echo "$usage" >&2; exit 2; fi
case "${7--}" in -*) ;; *) echo "$usage" >&2; exit 2 ;; esac
device=$1 xp_dir=$2 seed=$3 solver=$4 lr=$5 n_epochs=$6
shift 6
here=$(dirname "$0")
exec sh "$here/deep-svdd.sh" train --dataset gtsrb --loss autoencoder \
  --device "$device" --xp-dir "log/$xp_dir" --seed "$seed" --solver "$solver" --lr "$lr" --n-epochs "$n_epochs" \
  --batch-size 64 --ae-lr-drop 1 --ae-lr-drop-in-epoch 250 --ae-lr-drop-factor 10 --ae-C 1e6 --gcn 0 \
  --unit-norm-used l1 --weight-dict-init 1 --use-batch-norm 1 --leaky-relu 1 --ae-weight-decay 1 --ae-loss l2 \
  --rep-dim 32 \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
