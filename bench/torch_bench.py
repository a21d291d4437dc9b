# PyTorch side of `npm run bench -- --vs-torch` (benchmarks only: the project itself never needs Python).
#
# The same four networks as the authors' PyTorch port (lukasruff/Deep-SVDD-PyTorch), and the MLP of their Deep SAD code
# (lukasruff/Deep-SAD-PyTorch, src/networks/mlp.py) at thyroid's widths (6 -> 32-16 -> 4), CPU, the same step as the
# TypeScript benchmark: Adam lr 1e-4 on one fixed synthetic batch (uniform [0, 1)), Deep SVDD loss
# mean_i ||phi(x_i) - c||^2 or autoencoder loss mean_i sum (x_hat_i - x_i)^2; the inference pass is the eval-mode
# forward pass plus the per-image score (||phi - c||^2 or sum (x_hat - x)^2) under torch.no_grad().
# (The TypeScript step also adds the (1/(2C))·sum ||W||^2 weight penalty; its cost is negligible.)
#
# usage: python3 bench/torch_bench.py --model mnist-enc|mnist-ae|cifar-enc|cifar-ae|mlp-enc|mlp-ae --mode train|infer
#            [--threads N] [--batch 200] [--warmup 3] [--steps 20] [--max-seconds 60] [--seed 0]
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
