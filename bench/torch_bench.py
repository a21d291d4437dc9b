# PyTorch side of `npm run bench -- --vs-torch` (benchmarks only: the project itself never needs Python).
#
# The same four networks as the authors' PyTorch port (lukasruff/Deep-SVDD-PyTorch), the Fashion-MNIST LeNet of their
# Deep SAD code (lukasruff/Deep-SAD-PyTorch, src/networks/fmnist_LeNet.py, copied below), the GTSRB network of the
# original Theano code (no PyTorch port exists: GtsrbEnc / GtsrbAE mirror our layer list, src/nn/original-architectures.ts
# gtsrbNet) and the MLP of the Deep SAD code (src/networks/mlp.py) at thyroid's widths (6 -> 32-16 -> 4), CPU, the
# same step as the TypeScript benchmark: Adam lr 1e-4 on one fixed synthetic batch (uniform [0, 1)), Deep SVDD loss
# mean_i ||phi(x_i) - c||^2 or autoencoder loss mean_i sum (x_hat_i - x_i)^2; the inference pass is the eval-mode
# forward pass plus the per-image score (||phi - c||^2 or sum (x_hat - x)^2) under torch.no_grad().
# (The TypeScript step also adds the (1/(2C))·sum ||W||^2 weight penalty; its cost is negligible.)
#
# usage: python3 bench/torch_bench.py --model mnist-enc|mnist-ae|cifar-enc|cifar-ae|fmnist-enc|fmnist-ae|gtsrb-enc|gtsrb-ae
#            |mlp-enc|mlp-ae --mode train|infer [--threads N] [--batch 200] [--warmup 3] [--steps 20] [--max-seconds 60] [--seed 0]
# Prints one JSON line.
import argparse, json, resource, statistics, time

import torch
import torch.nn as nn
import torch.nn.functional as F


class MnistEnc(nn.Module):
    def __init__(s):
        super().__init__(); s.rep_dim = 32; s.pool = nn.MaxPool2d(2, 2)
        s.conv1 = nn.Conv2d(1, 8, 5, bias=False, padding=2); s.bn1 = nn.BatchNorm2d(8, eps=1e-04, affine=False)
        s.conv2 = nn.Conv2d(8, 4, 5, bias=False, padding=2); s.bn2 = nn.BatchNorm2d(4, eps=1e-04, affine=False)
        s.fc1 = nn.Linear(4 * 7 * 7, 32, bias=False)

    def forward(s, x):
        x = s.pool(F.leaky_relu(s.bn1(s.conv1(x)))); x = s.pool(F.leaky_relu(s.bn2(s.conv2(x))))
        return s.fc1(x.view(x.size(0), -1))


class MnistAE(MnistEnc):
    def __init__(s):
        super().__init__()
        s.deconv1 = nn.ConvTranspose2d(2, 4, 5, bias=False, padding=2); s.bn3 = nn.BatchNorm2d(4, eps=1e-04, affine=False)
        s.deconv2 = nn.ConvTranspose2d(4, 8, 5, bias=False, padding=3); s.bn4 = nn.BatchNorm2d(8, eps=1e-04, affine=False)
        s.deconv3 = nn.ConvTranspose2d(8, 1, 5, bias=False, padding=2)

    def forward(s, x):
        x = super().forward(x).view(x.size(0), 2, 4, 4)
        x = F.interpolate(F.leaky_relu(x), scale_factor=2)
        x = F.interpolate(F.leaky_relu(s.bn3(s.deconv1(x))), scale_factor=2)
        x = F.interpolate(F.leaky_relu(s.bn4(s.deconv2(x))), scale_factor=2)
        return torch.sigmoid(s.deconv3(x))


class CifarEnc(nn.Module):
    def __init__(s):
        super().__init__(); s.pool = nn.MaxPool2d(2, 2)
        s.conv1 = nn.Conv2d(3, 32, 5, bias=False, padding=2); s.bn1 = nn.BatchNorm2d(32, eps=1e-04, affine=False)
        s.conv2 = nn.Conv2d(32, 64, 5, bias=False, padding=2); s.bn2 = nn.BatchNorm2d(64, eps=1e-04, affine=False)
        s.conv3 = nn.Conv2d(64, 128, 5, bias=False, padding=2); s.bn3 = nn.BatchNorm2d(128, eps=1e-04, affine=False)
        s.fc1 = nn.Linear(128 * 4 * 4, 128, bias=False)

    def forward(s, x):
        x = s.pool(F.leaky_relu(s.bn1(s.conv1(x)))); x = s.pool(F.leaky_relu(s.bn2(s.conv2(x))))
        x = s.pool(F.leaky_relu(s.bn3(s.conv3(x))))
        return s.fc1(x.view(x.size(0), -1))


class CifarAE(CifarEnc):
    def __init__(s):
        super().__init__()
        s.bn1d = nn.BatchNorm1d(128, eps=1e-04, affine=False)
        s.deconv1 = nn.ConvTranspose2d(8, 128, 5, bias=False, padding=2); s.bn4 = nn.BatchNorm2d(128, eps=1e-04, affine=False)
        s.deconv2 = nn.ConvTranspose2d(128, 64, 5, bias=False, padding=2); s.bn5 = nn.BatchNorm2d(64, eps=1e-04, affine=False)
        s.deconv3 = nn.ConvTranspose2d(64, 32, 5, bias=False, padding=2); s.bn6 = nn.BatchNorm2d(32, eps=1e-04, affine=False)
        s.deconv4 = nn.ConvTranspose2d(32, 3, 5, bias=False, padding=2)

    def forward(s, x):
        x = s.bn1d(super().forward(x)).view(x.size(0), 8, 4, 4)
        x = s.deconv1(F.leaky_relu(x))
        x = s.deconv2(F.interpolate(F.leaky_relu(s.bn4(x)), scale_factor=2))
        x = s.deconv3(F.interpolate(F.leaky_relu(s.bn5(x)), scale_factor=2))
        x = s.deconv4(F.interpolate(F.leaky_relu(s.bn6(x)), scale_factor=2))
        return torch.sigmoid(x)


# Deep-SAD-PyTorch, src/networks/fmnist_LeNet.py (BaseNet there is nn.Module plus a logger and a summary method)
class FashionMNIST_LeNet(nn.Module):

    def __init__(self, rep_dim=64):
        super().__init__()

        self.rep_dim = rep_dim
        self.pool = nn.MaxPool2d(2, 2)

        self.conv1 = nn.Conv2d(1, 16, 5, bias=False, padding=2)
        self.bn2d1 = nn.BatchNorm2d(16, eps=1e-04, affine=False)
        self.conv2 = nn.Conv2d(16, 32, 5, bias=False, padding=2)
        self.bn2d2 = nn.BatchNorm2d(32, eps=1e-04, affine=False)
        self.fc1 = nn.Linear(32 * 7 * 7, 128, bias=False)
        self.bn1d1 = nn.BatchNorm1d(128, eps=1e-04, affine=False)
        self.fc2 = nn.Linear(128, self.rep_dim, bias=False)

    def forward(self, x):
        x = x.view(-1, 1, 28, 28)
        x = self.conv1(x)
        x = self.pool(F.leaky_relu(self.bn2d1(x)))
        x = self.conv2(x)
        x = self.pool(F.leaky_relu(self.bn2d2(x)))
        x = x.view(int(x.size(0)), -1)
        x = F.leaky_relu(self.bn1d1(self.fc1(x)))
        x = self.fc2(x)
        return x


class FashionMNIST_LeNet_Decoder(nn.Module):

    def __init__(self, rep_dim=64):
        super().__init__()

        self.rep_dim = rep_dim

        self.fc3 = nn.Linear(self.rep_dim, 128, bias=False)
        self.bn1d2 = nn.BatchNorm1d(128, eps=1e-04, affine=False)
        self.deconv1 = nn.ConvTranspose2d(8, 32, 5, bias=False, padding=2)
        self.bn2d3 = nn.BatchNorm2d(32, eps=1e-04, affine=False)
        self.deconv2 = nn.ConvTranspose2d(32, 16, 5, bias=False, padding=3)
        self.bn2d4 = nn.BatchNorm2d(16, eps=1e-04, affine=False)
        self.deconv3 = nn.ConvTranspose2d(16, 1, 5, bias=False, padding=2)

    def forward(self, x):
        x = self.bn1d2(self.fc3(x))
        x = x.view(int(x.size(0)), int(128 / 16), 4, 4)
        x = F.interpolate(F.leaky_relu(x), scale_factor=2)
        x = self.deconv1(x)
        x = F.interpolate(F.leaky_relu(self.bn2d3(x)), scale_factor=2)
        x = self.deconv2(x)
        x = F.interpolate(F.leaky_relu(self.bn2d4(x)), scale_factor=2)
        x = self.deconv3(x)
        x = torch.sigmoid(x)
        return x


class FashionMNIST_LeNet_Autoencoder(nn.Module):

    def __init__(self, rep_dim=64):
        super().__init__()

        self.rep_dim = rep_dim
        self.encoder = FashionMNIST_LeNet(rep_dim=rep_dim)
        self.decoder = FashionMNIST_LeNet_Decoder(rep_dim=rep_dim)

    def forward(self, x):
        x = self.encoder(x)
        x = self.decoder(x)
        return x


# The GTSRB network of the original code has no PyTorch port: these modules mirror our gtsrbNet
# (src/nn/original-architectures.ts) layer by layer at its defaults (rep_dim 32, batch norm, leaky ReLU): bias-free
# 5x5 convolutions with 'same' padding (padding=2), BatchNorm affine=False eps 1e-4, leaky ReLU 0.01, 2x2 max pooling,
# and in the decoder plain convolutions (no transposed ones) after nearest-neighbour 2x upsampling (our 'up' layer,
# tf.image.resizeNearestNeighbor, computes F.interpolate(scale_factor=2)'s nearest). Our tensors are NHWC, so our
# flatten (and the decoder's reshape to 8x8x1) orders the dense layer's inputs differently: the same function up to a
# permutation of that layer's weights, with the same cost.
class GtsrbEnc(nn.Module):
    def __init__(s, rep_dim=32):
        super().__init__(); s.rep_dim = rep_dim; s.pool = nn.MaxPool2d(2, 2)
        s.conv1 = nn.Conv2d(3, 16, 5, bias=False, padding=2); s.bn1 = nn.BatchNorm2d(16, eps=1e-04, affine=False)
        s.conv2 = nn.Conv2d(16, 32, 5, bias=False, padding=2); s.bn2 = nn.BatchNorm2d(32, eps=1e-04, affine=False)
        s.dense1 = nn.Linear(32 * 8 * 8, 64, bias=False)
        s.dense2 = nn.Linear(64, rep_dim, bias=False)

    def forward(s, x):
        x = s.pool(F.leaky_relu(s.bn1(s.conv1(x)))); x = s.pool(F.leaky_relu(s.bn2(s.conv2(x))))
        x = F.leaky_relu(s.dense1(x.view(x.size(0), -1)))  # dense 64 without batch norm, as the original
        return s.dense2(x)


class GtsrbAE(GtsrbEnc):
    def __init__(s, rep_dim=32):
        super().__init__(rep_dim)
        s.dense3 = nn.Linear(rep_dim, 64, bias=False)
        s.conv3 = nn.Conv2d(1, 32, 5, bias=False, padding=2); s.bn3 = nn.BatchNorm2d(32, eps=1e-04, affine=False)
        s.conv4 = nn.Conv2d(32, 16, 5, bias=False, padding=2); s.bn4 = nn.BatchNorm2d(16, eps=1e-04, affine=False)
        s.conv5 = nn.Conv2d(16, 3, 5, bias=False, padding=2); s.bn5 = nn.BatchNorm2d(3, eps=1e-04, affine=False)

    def forward(s, x):
        x = F.leaky_relu(s.dense3(super().forward(x)).view(x.size(0), 1, 8, 8))
        x = F.interpolate(F.leaky_relu(s.bn3(s.conv3(x))), scale_factor=2)  # 8 -> 16
        x = F.interpolate(F.leaky_relu(s.bn4(s.conv4(x))), scale_factor=2)  # 16 -> 32
        return torch.sigmoid(s.bn5(s.conv5(x)))


def linear_bn_leaky(n_in, n_out):  # Deep-SAD-PyTorch's Linear_BN_leakyReLU
    return nn.Sequential(nn.Linear(n_in, n_out, bias=False), nn.BatchNorm1d(n_out, eps=1e-04, affine=False), nn.LeakyReLU())


class MlpEnc(nn.Module):
    def __init__(s, x_dim=6, h_dims=(32, 16), rep_dim=4):
        super().__init__()
        dims = [x_dim, *h_dims]
        s.hidden = nn.Sequential(*[linear_bn_leaky(dims[i - 1], dims[i]) for i in range(1, len(dims))])
        s.code = nn.Linear(h_dims[-1], rep_dim, bias=False)

    def forward(s, x):
        return s.code(s.hidden(x.view(x.size(0), -1)))


class MlpAE(nn.Module):
    def __init__(s, x_dim=6, h_dims=(32, 16), rep_dim=4):
        super().__init__()
        s.encoder = MlpEnc(x_dim, h_dims, rep_dim)
        dims = [rep_dim, *reversed(h_dims)]
        s.hidden = nn.Sequential(*[linear_bn_leaky(dims[i - 1], dims[i]) for i in range(1, len(dims))])
        s.reconstruction = nn.Linear(h_dims[0], x_dim, bias=False)

    def forward(s, x):
        return torch.sigmoid(s.reconstruction(s.hidden(s.encoder(x))))


MODELS = {'mnist-enc': (MnistEnc, (1, 28, 28), 'svdd'), 'mnist-ae': (MnistAE, (1, 28, 28), 'ae'),
          'cifar-enc': (CifarEnc, (3, 32, 32), 'svdd'), 'cifar-ae': (CifarAE, (3, 32, 32), 'ae'),
          'fmnist-enc': (FashionMNIST_LeNet, (1, 28, 28), 'svdd'), 'fmnist-ae': (FashionMNIST_LeNet_Autoencoder, (1, 28, 28), 'ae'),
          'gtsrb-enc': (GtsrbEnc, (3, 32, 32), 'svdd'), 'gtsrb-ae': (GtsrbAE, (3, 32, 32), 'ae'),
          'mlp-enc': (MlpEnc, (6,), 'svdd'), 'mlp-ae': (MlpAE, (6,), 'ae')}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', required=True, choices=sorted(MODELS))
    p.add_argument('--mode', required=True, choices=['train', 'infer'])
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--batch', type=int, default=200)
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--steps', type=int, default=20)
    p.add_argument('--max-seconds', type=float, default=60)
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    cls, shape, kind = MODELS[a.model]
    net = cls()
    x = torch.rand(a.batch, *shape)
    dims = tuple(range(1, 1 + len(shape)))
    t0 = time.perf_counter()
    with torch.no_grad():
        net.eval()
        c = net(x).mean(0) if kind == 'svdd' else None
        if c is not None:  # as the project: |c_j| < 0.1 pushed to +-0.1
            small = c.abs() < 0.1
            c[small & (c < 0)] = -0.1
            c[small & (c >= 0)] = 0.1

    if a.mode == 'infer':
        net.eval()

        def step():
            with torch.no_grad():
                out = net(x)
                s = torch.sum((out - c) ** 2, dim=1) if kind == 'svdd' else torch.sum((out - x) ** 2, dim=dims)
                s.numpy()
            return None
    else:
        net.train()
        opt = torch.optim.Adam(net.parameters(), lr=1e-4)

        def step():
            opt.zero_grad()
            out = net(x)
            loss = torch.mean(torch.sum((out - c) ** 2, dim=1)) if kind == 'svdd' else \
                torch.mean(torch.sum((out - x) ** 2, dim=dims))
            loss.backward()
            opt.step()
            return loss.item()
    setup_ms = (time.perf_counter() - t0) * 1000

    warm = []
    for _ in range(a.warmup):
        t = time.perf_counter(); step(); warm.append((time.perf_counter() - t) * 1000)
    ts = []
    cpu = []  # process CPU time per step, all threads
    loss = None
    min_steps = min(3, a.steps)
    start = time.perf_counter()
    for _ in range(a.steps):
        c = time.process_time(); t = time.perf_counter(); loss = step(); ts.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        if time.perf_counter() - start > a.max_seconds and len(ts) >= min_steps:
            break
    med = statistics.median(ts)
    print(json.dumps({
        'impl': 'torch', 'version': torch.__version__, 'threads': torch.get_num_threads(),
        'mkldnn': bool(torch.backends.mkldnn.is_available()),
        'model': a.model, 'mode': a.mode, 'batch': a.batch, 'params': sum(q.numel() for q in net.parameters()),
        'setupMs': round(setup_ms), 'warmupMs': [round(w, 1) for w in warm],
        'n': len(ts), 'medianMs': round(med, 2), 'minMs': round(min(ts), 2), 'maxMs': round(max(ts), 2),
        'cpuMs': round(statistics.median(cpu), 2),
        'imgPerSec': round(a.batch / med * 1000, 1), 'loss': loss,
        'peakRssMB': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


main()
