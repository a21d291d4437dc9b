#!/bin/sh
# CIFAR-10 deep convolutional autoencoder (DCAE baseline, and the pretraining for cifar10_svdd.sh) with the original
# positional interface:
#   sh scripts/cifar10_cae.sh device xp_dir seed solver lr n_epochs cifar10_architecture cifar10_normal cifar10_outlier
# e.g. sh scripts/cifar10_cae.sh cpu cifar10_cae_3vsall 0 adam 0.0001 350 3 3 -1
# The anomaly score is the reconstruction error. Outputs go to log/<xp_dir>/; its encoder can start a Deep SVDD run
# (in_name of cifar10_svdd.sh). cifar10_architecture: 3 is the paper's network, 1 and 2 the original's others
# (README). Fixed settings as the original script: lr drop ÷10 at epoch 250, batch 200, batch norm, leaky ReLU, weight decay with ae_C = 1e6,
# l2 loss, GCN (l1) + min–max, rep_dim 128, conv1 from dictionary learning. Data: data/cifar-10-batches-py/ (get it with
# `deep-svdd data fetch cifar10`), or the folder in $DEEP_SVDD_DATA_DIR when set. Options after the 9 arguments go
# to `deep-svdd train` after the fixed ones, so they override them (e.g. --threads 4).
usage="usage: sh scripts/cifar10_cae.sh device xp_dir seed solver lr n_epochs cifar10_architecture cifar10_normal cifar10_outlier [train options]"
if [ "$#" -lt 9 ]; then echo "$usage" >&2; exit 2; fi
case "${10--}" in -*) ;; *) echo "$usage" >&2; exit 2 ;; esac
device=$1 xp_dir=$2 seed=$3 solver=$4 lr=$5 n_epochs=$6 architecture=$7 normal=$8 outlier=$9
shift 9
here=$(dirname "$0")
exec sh "$here/deep-svdd.sh" train --dataset cifar10 --loss autoencoder \
  --device "$device" --xp-dir "log/$xp_dir" --seed "$seed" --solver "$solver" --lr "$lr" --n-epochs "$n_epochs" \
  --normal "$normal" --outlier "$outlier" \
  --ae-lr-drop 1 --ae-lr-drop-in-epoch 250 --ae-lr-drop-factor 10 --batch-size 200 --use-batch-norm 1 --leaky-relu 1 \
  --ae-weight-decay 1 --ae-C 1e6 --ae-loss l2 --rep-dim 128 --cifar10-architecture "$architecture" --cifar10-bias 0 \
  --gcn 1 --unit-norm-used l1 --weight-dict-init 1 \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
