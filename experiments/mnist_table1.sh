#!/bin/sh
# The paper's Table 1 on MNIST for Deep SVDD and the DCAE, one sweep per column under log/mnist/table1/:
#   one-class/      one-class Deep SVDD: scripts/mnist_svdd.sh's settings (pretraining 150 epochs, then 150 epochs of
#                   Adam 1e-4, ÷10 at epoch 50)
#   soft-boundary/  soft-boundary Deep SVDD, ν = 0.1, the paper's protocol: R solved exactly after each of the 10
#                   warm-up epochs and every 5th epoch after (--block-coordinate 1); otherwise as one-class
#   dcae/           the DCAE baseline: scripts/mnist_cae.sh's settings, 150 epochs of Adam 1e-4
# Normal digits 0..9 × seeds 1..3 by default (the paper averaged 10 seeds); COLUMNS picks columns, e.g.
# COLUMNS="one-class dcae"; XP_ROOT replaces log/mnist/table1; JOBS runs in parallel (default: cores ÷ threads).
# Extra arguments go to every sweep, e.g. `--classes 2,3,5 --seeds 1`. Finished runs are skipped: rerun the script
# to finish what is missing.
# Then: sh scripts/deep-svdd.sh report log/mnist/table1   (the Table 1 layout, one column per method, beside the paper)
cd "$(dirname "$0")/.." || exit 2
. scripts/mnist_settings.sh
common="--dataset mnist --classes 0-9 --seeds 1-3 --outlier -1 --device cpu --solver adam --lr 0.0001 --n-epochs 150"
column_sweep() {
  column=$1
  shift
  # $common, $MNIST_SVDD and $MNIST_CAE unquoted on purpose: one word per option
  case "$column" in
    one-class) set -- --hard-margin 1 --block-coordinate 0 --pretrain 1 $MNIST_SVDD "$@" ;;
    soft-boundary) set -- --hard-margin 0 --block-coordinate 1 --pretrain 1 $MNIST_SVDD "$@" ;;
    dcae) set -- --loss autoencoder $MNIST_CAE "$@" ;;
    *) echo "experiments/mnist_table1.sh: unknown column '$column' in COLUMNS: use one-class, soft-boundary or dcae" >&2; return 2 ;;
  esac
  sh scripts/deep-svdd.sh sweep $common ${JOBS:+--jobs "$JOBS"} --xp-dir "${XP_ROOT:-log/mnist/table1}/$column" "$@"
}
for column in ${COLUMNS:-one-class soft-boundary dcae}; do
  column_sweep "$column" "$@" || exit $?
done
