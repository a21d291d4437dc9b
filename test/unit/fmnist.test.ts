/**
 * Fashion-MNIST: finding and reading the four IDX files (the committed fixtures of test/fixtures/fmnist, never
 * /usr/share/datasets), the `data fetch` source, and the Deep SAD code's fmnist_LeNet against the shapes and
 * parameter counts PyTorch gives for it (test/fixtures/fmnist/torch_shapes.py) and against its outputs for the same
 * weights (test/fixtures/fmnist/torch_values.py).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { FMNIST_CLASS_NAMES, FMNIST_DATASET, FMNIST_PUBLISHED, fmnistSource, loadFmnist, locateFmnist } from '../../src/data/fmnist.js';
import { DATASETS } from '../../src/data/registry.js';
import { NETWORKS } from '../../src/nn/architectures.js';
import { buildNetwork, layerSpecs } from '../../src/nn/networks.js';
import { makeRng } from '../../src/util/rng.js';
import { throwsUser } from '../helpers/assert.js';
import { assertClose, useWasm } from '../helpers/tf.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const FIXTURE = path.join(root, 'test/fixtures/fmnist/fashion-mnist');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-fmnist-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const NO_SYSTEM = '';

/** A copy of the fixture folder at `dir` (under `sub` there), without the files named in `drop`. */
function copyFixture(dir: string, sub = '', drop: string[] = []): string {
  const to = path.join(dir, sub);
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(FIXTURE)) if (!drop.some((d) => f.startsWith(d))) fs.copyFileSync(path.join(FIXTURE, f), path.join(to, f));
  return dir;
}

describe('loading', () => {
  test('the fixture: 60 training and 30 test images (gzip and raw files), labels 0..9 in turn, the class block where the script puts it', () => {
    const d = loadFmnist(FIXTURE, true, NO_SYSTEM);
    assert.equal(d.source, FIXTURE);
    assert.equal(d.train.n, 60);
    assert.equal(d.test.n, 30);
    assert.deepEqual([...d.train.labels.subarray(0, 12)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    assert.deepEqual([...d.test.labels.subarray(0, 3)], [0, 1, 2]);
    // image 7 (class 7): block at rows 14..19, columns 12..17; marker pixel (27, 27) = 7
    const img = d.train.images.subarray(7 * 784, 8 * 784);
    assert.equal(img[14 * 28 + 12], 255);
    assert.equal(img[19 * 28 + 17], 255);
    assert.ok(img[13 * 28 + 12] < 40 && img[14 * 28 + 11] < 40, 'just outside the block: noise');
    assert.equal(img[27 * 28 + 27], 7);
  });

  test('torchvision\'s layout (FashionMNIST/raw/) is found too', () => {
    const d = copyFixture(path.join(tmp, 'tv'), 'FashionMNIST/raw');
    assert.equal(locateFmnist(d, true, NO_SYSTEM).source, path.join(d, 'FashionMNIST', 'raw'));
  });

  test('without --data-dir: the default folder first, else Debian\'s folder, else one line saying how to get them', () => {
    const system = copyFixture(path.join(tmp, 'debian'));
    const own = copyFixture(path.join(tmp, 'own'));
    assert.equal(locateFmnist(own, false, system).source, own);
    const empty = path.join(tmp, 'no-such-folder');
    assert.equal(locateFmnist(empty, false, system).source, `${system} (Debian's dataset-fashion-mnist)`);
    assert.equal(loadFmnist(empty, false, system).train.n, 60);
    throwsUser(() => locateFmnist(empty, false, path.join(tmp, 'no-debian')), `no Fashion-MNIST files in ${empty} or ${path.join(tmp, 'no-debian')}`, "run 'deep-svdd data fetch fashion-mnist'");
    throwsUser(() => locateFmnist(empty, false, NO_SYSTEM), `no Fashion-MNIST files in ${empty}:`, 'dataset-fashion-mnist');
  });

  test('--data-dir is the only place looked at; missing, not a folder, empty and incomplete are one-line errors', () => {
    const system = copyFixture(path.join(tmp, 'debian2'));
    const missing = path.join(tmp, 'missing');
    throwsUser(() => locateFmnist(missing, true, system), `--data-dir ${missing} does not exist`, 'data fetch fashion-mnist --dir');
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'x');
    throwsUser(() => locateFmnist(file, true, system), 'is not a folder');
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    throwsUser(() => locateFmnist(empty, true, system), `no Fashion-MNIST files in ${empty}`, 'FashionMNIST/raw/');
    const part = copyFixture(path.join(tmp, 'part'), '', ['t10k-labels']);
    throwsUser(() => locateFmnist(part, true, system), `incomplete Fashion-MNIST files in ${part}: missing t10k-labels-idx1-ubyte (found`);
    // without --data-dir an incomplete default folder is an error too, not a silent switch to Debian's copy
    throwsUser(() => locateFmnist(part, false, system), 'incomplete Fashion-MNIST files', 'or remove the others');
  });

  test('a label file of the wrong split, or images swapped with labels, names Fashion-MNIST', () => {
    const d = copyFixture(path.join(tmp, 'swapped'));
    fs.copyFileSync(path.join(FIXTURE, 't10k-labels-idx1-ubyte'), path.join(d, 'train-labels-idx1-ubyte.gz'));
    throwsUser(() => loadFmnist(d, true, NO_SYSTEM), 'has 30 labels', '60 images');
    fs.copyFileSync(path.join(FIXTURE, 't10k-images-idx3-ubyte'), path.join(d, 't10k-labels-idx1-ubyte'));
    fs.copyFileSync(path.join(FIXTURE, 'train-labels-idx1-ubyte.gz'), path.join(d, 'train-labels-idx1-ubyte.gz'));
    throwsUser(() => loadFmnist(d, true, NO_SYSTEM), 'expected a Fashion-MNIST label file (1-D IDX');
  });
});

describe('data fetch fashion-mnist', () => {
  test('the published files: the site first, then GitHub; MD5s as the README and torchvision list them', () => {
    const s = fmnistSource();
    assert.equal(s.title, 'Fashion-MNIST');
    assert.deepEqual(s.files.map((f) => f.name), ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']);
    assert.deepEqual(s.files[0].urls, [
      'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz',
      'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/train-images-idx3-ubyte.gz',
    ]);
    assert.deepEqual(s.files.map((f) => f.md5), ['8d4fb7e6c68d591d4c3dfef9ec88bf0d', '25c81989df183df01b3e8a0aad5dffbe', 'bef4ecab320f06d8554ea6380940ec79', 'bb300cfdad3c16e7a12a480ee83cd310']);
    assert.deepEqual(s.files.map((f) => f.size), [26421880, 29515, 4422102, 5148]);
    assert.equal(Object.keys(FMNIST_PUBLISHED).length, 4);
  });

  test('--url: base URLs get the file names, a file\'s own URL serves that file only; a list missing a file is refused', () => {
    const s = fmnistSource(['http://m/a', 'http://m/b/', 'http://m/c/t10k-labels-idx1-ubyte.gz']);
    assert.deepEqual(s.files[0].urls, ['http://m/a/train-images-idx3-ubyte.gz', 'http://m/b/train-images-idx3-ubyte.gz']);
    assert.deepEqual(s.files[3].urls, ['http://m/a/t10k-labels-idx1-ubyte.gz', 'http://m/b/t10k-labels-idx1-ubyte.gz', 'http://m/c/t10k-labels-idx1-ubyte.gz']);
    throwsUser(() => fmnistSource(['http://m/train-images-idx3-ubyte.gz']), 'no source for train-labels-idx1-ubyte.gz');
  });

  test('the registry entry: fetched as fashion-mnist into data/fashion-mnist, Deep SAD\'s settings, torchvision\'s class names', () => {
    assert.equal(DATASETS.fmnist, FMNIST_DATASET);
    assert.equal(FMNIST_DATASET.fetch?.as, 'fashion-mnist');
    assert.equal(FMNIST_DATASET.defaultDir, path.join('data', 'fashion-mnist'));
    assert.equal(FMNIST_DATASET.net, 'fmnist_LeNet');
    assert.equal(FMNIST_CLASS_NAMES[0], 'T-shirt/top');
    assert.equal(FMNIST_CLASS_NAMES[9], 'Ankle boot');
    const d = FMNIST_DATASET.defaults!;
    assert.deepEqual({ batchSize: d.batchSize, nEpochs: d.nEpochs, lrDropInEpoch: d.lrDropInEpoch, C: d.C, aeNEpochs: d.aeNEpochs, aeLrDrop: d.aeLrDrop, dropLast: d.dropLast, gcn: d.gcn },
      { batchSize: 128, nEpochs: 150, lrDropInEpoch: 49, C: 2e6, aeNEpochs: 150, aeLrDrop: false, dropLast: true, gcn: false });
    // weight decay 0.5e-3 on the mean over 784 pixels = 1/C_ae on their sum
    assert.ok(Math.abs((d.aeC as number) - 1 / (784 * 0.5e-3)) < 1e-9);
  });
});

describe('fmnist_LeNet against the PyTorch file', () => {
  // torch_shapes.py: PyTorch weight shapes (out, in, 5, 5) for Conv2d, (in, out, 5, 5) for ConvTranspose2d, (out, in)
  // for Linear; ours are [5, 5, in, out] (conv), [5, 5, out, in] (transposed conv), [in, out] (dense)
  const TORCH = {
    encoder: [['conv1/w', [5, 5, 1, 16]], ['conv2/w', [5, 5, 16, 32]], ['dense1/w', [1568, 128]], ['dense2/w', [128, 64]]],
    decoder: [['dense3/w', [64, 128]], ['deconv1/w', [5, 5, 32, 8]], ['deconv2/w', [5, 5, 16, 32]], ['deconv3/w', [5, 5, 1, 16]]],
    // largest |w| after PyTorch's default initialisation: its bound 1/√fan_in
    bound: { 'conv1/w': 1 / 5, 'conv2/w': 1 / 20, 'dense1/w': 1 / Math.sqrt(1568), 'dense2/w': 1 / Math.sqrt(128), 'dense3/w': 1 / 8, 'deconv1/w': 1 / Math.sqrt(800), 'deconv2/w': 1 / 20, 'deconv3/w': 1 / 5 } as Record<string, number>,
  } as const;
  const o = { repDim: 64, batchNorm: true, leakyRelu: true };

  test('parameters: the same shapes and counts (encoder 222,096, autoencoder 249,888), bias-free, batch norm where PyTorch has it', async () => {
    await useWasm();
    const enc = buildNetwork('fmnist_LeNet', 'encoder', o, makeRng(1));
    const ae = buildNetwork('fmnist_LeNet', 'autoencoder', o, makeRng(1));
    try {
      assert.deepEqual(enc.params.map((p) => [p.name, p.variable.shape]), TORCH.encoder);
      assert.deepEqual(ae.params.map((p) => [p.name, p.variable.shape]), [...TORCH.encoder, ...TORCH.decoder]);
      const count = (n: typeof enc) => n.params.reduce((a, p) => a + p.variable.size, 0);
      assert.equal(count(enc), 222096);
      assert.equal(count(ae), 249888);
      // BatchNorm2d(16), BatchNorm2d(32), BatchNorm1d(128) | BatchNorm1d(128), BatchNorm2d(32), BatchNorm2d(16)
      assert.deepEqual(ae.bns.map((b) => [b.name, b.runningMean.size]), [['bn1', 16], ['bn2', 32], ['bn_dense1', 128], ['bn_dense3', 128], ['bn3', 32], ['bn4', 16]]);
      for (const p of ae.params) {
        const max = tf.tidy(() => tf.max(tf.abs(p.variable)).dataSync()[0]);
        const bound = TORCH.bound[p.name];
        assert.ok(max <= bound && max > 0.95 * bound, `${p.name}: max |w| ${max} against PyTorch's bound ${bound}`);
      }
    } finally {
      enc.dispose();
      ae.dispose();
    }
  });

  test('forward: 28×28×1 → 64 (encoder), → 28×28×1 in (0, 1) (autoencoder); the decoder\'s paddings as PyTorch\'s', async () => {
    await useWasm();
    const specs = layerSpecs('fmnist_LeNet', 'autoencoder', o);
    // ConvTranspose2d paddings 2, 3, 2: 8×8 → 8×8, 16×16 → 14×14, 28×28 → 28×28
    assert.deepEqual(specs.flatMap((s) => (s.kind === 'deconv' ? [s.crop] : [])), [0, 3, 0]);
    assert.deepEqual(specs.filter((s) => s.kind === 'reshape').map((s) => s.kind === 'reshape' && s.shape), [[4, 4, 8]]);
    assert.equal(specs.filter((s) => s.kind === 'up').length, 3);
    const enc = buildNetwork('fmnist_LeNet', 'encoder', o, makeRng(2));
    const ae = buildNetwork('fmnist_LeNet', 'autoencoder', o, makeRng(2));
    try {
      const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
      const z = enc.forward(x, true);
      const y = ae.forward(x, true);
      assert.deepEqual(z.shape, [3, 64]);
      assert.deepEqual(y.shape, [3, 28, 28, 1]);
      const [lo, hi] = [tf.min(y).dataSync()[0], tf.max(y).dataSync()[0]];
      assert.ok(lo > 0 && hi < 1, `sigmoid output in (0, 1): ${lo}..${hi}`);
      tf.dispose([x, z, y]);
    } finally {
      enc.dispose();
      ae.dispose();
    }
  });

  test('the same outputs as PyTorch for the same weights: encoder and autoencoder, batch norm in eval and in train mode', async () => {
    await useWasm();
    const ref = JSON.parse(fs.readFileSync(path.join(root, 'test/fixtures/fmnist/torch_values.json'), 'utf8')) as {
      encoder_eval: number[]; encoder_train: number[]; autoencoder_eval_every_37th: number[]; autoencoder_eval_sum: number;
      autoencoder_train_every_37th: number[]; autoencoder_train_sum: number;
    };
    // torch_values.py: parameter k, flat index j in PyTorch's layout → 0.05·sin(0.37·j + k); our layouts mapped to it
    const value = (k: number, j: number) => 0.05 * Math.sin(0.37 * j + k);
    const torchIndex: Record<string, (ours: number[], shape: number[]) => number> = {
      // ours [kh, kw, in, out] ← Conv2d (out, in, kh, kw)
      conv: ([kh, kw, i, o], [, , ni]) => ((o * ni + i) * 5 + kh) * 5 + kw,
      // ours [kh, kw, out, in] ← ConvTranspose2d (in, out, kh, kw)
      deconv: ([kh, kw, o, i], [, , no]) => ((i * no + o) * 5 + kh) * 5 + kw,
      // ours [in, out] ← Linear (out, in)
      dense: ([i, o], [ni]) => o * ni + i,
      // fc1 reads PyTorch's (c, h, w) flattening, ours (h, w, c): row (h·7 + w)·32 + c is PyTorch's column c·49 + h·7 + w
      dense1: ([r, o]) => o * 1568 + (r % 32) * 49 + Math.floor(r / 32),
      // fc3's output is viewed as (8, 4, 4) there, reshaped to [4, 4, 8] here: column (h·4 + w)·8 + c is PyTorch's row c·16 + h·4 + w
      dense3: ([i, f]) => ((f % 8) * 16 + Math.floor(f / 8)) * 64 + i,
    };
    const setWeights = (net: ReturnType<typeof buildNetwork>) => net.params.forEach((p, k) => {
      const name = p.name.split('/')[0];
      const map = torchIndex[name] ?? torchIndex[name.replace(/\d+$/, '')];
      const shape = p.variable.shape;
      const v = new Float32Array(p.variable.size);
      const at = new Array<number>(shape.length).fill(0);
      for (let n = 0; n < v.length; n++) {
        v[n] = value(k, map(at, shape));
        for (let d = shape.length - 1; d >= 0 && ++at[d] === shape[d]; d--) at[d] = 0;
      }
      p.variable.assign(tf.tensor(v, shape));
    });
    const enc = buildNetwork('fmnist_LeNet', 'encoder', o, makeRng(1));
    const ae = buildNetwork('fmnist_LeNet', 'autoencoder', o, makeRng(1));
    try {
      setWeights(enc);
      setWeights(ae);
      const x = tf.tensor4d(Float32Array.from({ length: 3 * 784 }, (_, i) => (0.013 * i) % 1), [3, 28, 28, 1]);
      const zEval = enc.forward(x, false);
      assertClose(zEval.dataSync(), ref.encoder_eval, 1e-4, 'encoder, eval');
      const zTrain = enc.forward(x, true);
      assertClose(zTrain.dataSync(), ref.encoder_train, 1e-4, 'encoder, train');
      const y = Array.from(ae.forward(x, false).dataSync());
      assertClose(y.filter((_, i) => i % 37 === 0), ref.autoencoder_eval_every_37th, 1e-4, 'autoencoder, eval');
      assert.ok(Math.abs(y.reduce((a, b) => a + b, 0) - ref.autoencoder_eval_sum) < 1e-2);
      // train mode: batch norm spreads the reconstructions over (0, 1), so the decoder's layout is checked in earnest
      const yt = Array.from(ae.forward(x, true).dataSync());
      assertClose(yt.filter((_, i) => i % 37 === 0), ref.autoencoder_train_every_37th, 1e-4, 'autoencoder, train');
      assert.ok(Math.abs(yt.reduce((a, b) => a + b, 0) - ref.autoencoder_train_sum) < 1e-2);
      tf.dispose([x, zEval, zTrain]);
    } finally {
      enc.dispose();
      ae.dispose();
    }
  });

  test('fmnist\'s default network, rep_dim 64, no dictionary initialisation', () => {
    assert.equal(NETWORKS.fmnist_LeNet.defaults.repDim, 64);
    assert.equal(NETWORKS.fmnist_LeNet.defaults.weightDictInit, false);
    assert.deepEqual(NETWORKS.fmnist_LeNet.input(), { height: 28, width: 28, channels: 1 });
  });
});
