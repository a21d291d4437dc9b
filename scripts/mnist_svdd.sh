#!/bin/sh
# MNIST Deep SVDD with the original positional interface:
#   sh scripts/mnist_svdd.sh device xp_dir seed solver lr n_epochs hard_margin block_coordinate pretrain normal outlier
# e.g. sh scripts/mnist_svdd.sh cpu mnist_0vsall 0 adam 0.0001 150 1 0 1 0 -1
# Outputs go to log/<xp_dir>/. Fixed settings as the original script: lr drop ÷10 at epoch 50, batch 200,
# batch norm, leaky ReLU, weight decay with C = 1e6, ν = 0.1, GCN (l1) + min–max, rep_dim 32.
# Data: data/ (else the embedded copy), or the folder in $DEEP_SVDD_DATA_DIR when set.
if [ "$#" -ne 11 ]; then
  echo "usage: sh scripts/mnist_svdd.sh device xp_dir seed solver lr n_epochs hard_margin block_coordinate pretrain normal outlier" >&2
  exit 2
fi
here=$(dirname "$0")
exec sh "$here/deep-svdd.sh" train --dataset mnist \
  --device "$1" --xp-dir "log/$2" --seed "$3" --solver "$4" --lr "$5" --n-epochs "$6" \
  --hard-margin "$7" --block-coordinate "$8" --pretrain "$9" --normal "${10}" --outlier "${11}" \
  --lr-drop 1 --lr-drop-in-epoch 50 --lr-drop-factor 10 --batch-size 200 --use-batch-norm 1 --leaky-relu 1 \
  --weight-decay 1 --C 1e6 --nu 0.1 --rep-dim 32 \
  ${DEEP_SVDD_DATA_DIR:+--data-dir} ${DEEP_SVDD_DATA_DIR:+"$DEEP_SVDD_DATA_DIR"}
