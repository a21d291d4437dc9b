# The fixed options of the original MNIST scripts, in one place: sourced by scripts/mnist_svdd.sh, scripts/mnist_cae.sh
# and the experiments/mnist_*.sh sweeps, so that a single run and a sweep train with the same settings.
# MNIST_SVDD: scripts/mnist_svdd.sh's fixed options (the paper's one-class and soft-boundary networks; the Adam
#   learning rate, epochs, objective and pretraining are the script's positional arguments).
# MNIST_CAE: scripts/mnist_cae.sh's fixed options (the DCAE baseline).
MNIST_SVDD="--lr-drop 1 --lr-drop-in-epoch 50 --lr-drop-factor 10 --batch-size 200 --use-batch-norm 1 --leaky-relu 1 \
--weight-decay 1 --C 1e6 --nu 0.1 --rep-dim 32 --weight-dict-init 1 --unit-norm-used l1 --gcn 1 --mnist-bias 0"
MNIST_CAE="--ae-lr-drop 1 --ae-lr-drop-in-epoch 150 --ae-lr-drop-factor 10 --batch-size 200 --use-batch-norm 1 \
--leaky-relu 1 --ae-weight-decay 1 --ae-C 1e3 --ae-loss l2 --rep-dim 32 --gcn 1 --unit-norm-used l1 --weight-dict-init 1 \
--mnist-bias 0"
