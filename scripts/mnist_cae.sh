#!/bin/sh
# MNIST deep convolutional autoencoder baseline (DCAE) with the original positional interface:
#   sh scripts/mnist_cae.sh device xp_dir seed solver lr n_epochs normal outlier
# e.g. sh scripts/mnist_cae.sh cpu mnist_cae_0vsall 0 adam 0.0001 250 0 -1
# The anomaly score is the reconstruction error. Outputs go to log/<xp_dir>/. Fixed settings as the original script:
# lr drop ÷10 at epoch 150, batch 200, batch norm, leaky ReLU, weight decay with ae_C = 1e3, l2 loss, rep_dim 32,
# GCN (l1) + min–max, no biases, conv1 from dictionary learning.
# Data: data/ (else the embedded copy), or the folder in $DEEP_SVDD_DATA_DIR when set.
if [ "$#" -lt 8 ]; then
  echo "usage: sh scripts/mnist_cae.sh device xp_dir seed solver lr n_epochs normal outlier [deep-svdd train options]" >&2
  exit 2
fi
here=$(dirname "$0")
a1="$1" a2="$2" a3="$3" a4="$4" a5="$5" a6="$6" a7="$7" a8="$8"
shift 8
. "$here/mnist_settings.sh"
# $MNIST_CAE unquoted on purpose: one word per option
exec sh "$here/deep-svdd.sh" train --dataset mnist --loss autoencoder \
  --device "$a1" --xp-dir "log/$a2" --seed "$a3" --solver "$a4" --lr "$a5" --n-epochs "$a6" --normal "$a7" --outlier "$a8" \
  $MNIST_CAE ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
