#!/bin/sh
# MNIST Deep SVDD with the original positional interface:
#   sh scripts/mnist_svdd.sh device xp_dir seed solver lr n_epochs hard_margin block_coordinate pretrain normal outlier
# e.g. sh scripts/mnist_svdd.sh cpu mnist_0vsall 0 adam 0.0001 150 1 0 1 0 -1
# Options after the positional arguments go on to `deep-svdd train` (e.g. --threads 2).
# Outputs go to log/<xp_dir>/. Fixed settings as the original script: lr drop ÷10 at epoch 50, batch 200,
# batch norm, leaky ReLU, weight decay with C = 1e6, ν = 0.1, GCN (l1) + min–max, rep_dim 32, no biases, conv1 from
# dictionary learning (of the autoencoder when pretraining, else of the network).
# Data: data/ (else the embedded copy), or the folder in $DEEP_SVDD_DATA_DIR when set.
if [ "$#" -lt 11 ]; then
  echo "usage: sh scripts/mnist_svdd.sh device xp_dir seed solver lr n_epochs hard_margin block_coordinate pretrain normal outlier [deep-svdd train options]" >&2
  exit 2
fi
here=$(dirname "$0")
a1="$1" a2="$2" a3="$3" a4="$4" a5="$5" a6="$6" a7="$7" a8="$8" a9="$9" a10="${10}" a11="${11}"
shift 11
. "$here/mnist_settings.sh"
# $MNIST_SVDD unquoted on purpose: one word per option
exec sh "$here/deep-svdd.sh" train --dataset mnist \
  --device "$a1" --xp-dir "log/$a2" --seed "$a3" --solver "$a4" --lr "$a5" --n-epochs "$a6" \
  --hard-margin "$a7" --block-coordinate "$a8" --pretrain "$a9" --normal "$a10" --outlier "$a11" $MNIST_SVDD \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"} "$@"
