import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { gcnFor, netOptionsFor } from '../../src/config/network.js';
import { buildTrainConfig } from '../../src/config/build.js';
import { loadModel, saveModel } from '../../src/io/model.js';
import { buildNetwork, namedTensors, transferWeights, weightSquaredSum, type NetOptions } from '../../src/nn/networks.js';
import { makeRng } from '../../src/util/rng.js';
import { throwsUser } from '../helpers/assert.js';
import { assertClose, useWasm } from '../helpers/tf.js';

const count = (net: ReturnType<typeof buildNetwork>) => net.params.reduce((s, p) => s + p.variable.size, 0);
const base = { batchNorm: true, leakyRelu: true };

test('the original\'s other networks: parameter counts and output shapes', async () => {
  await useWasm();
  const cases: Array<{ kind: 'mnist_LeNet' | 'cifar10_LeNet' | 'gtsrb_LeNet'; o: NetOptions; enc: number; input: [number, number, number, number] }> = [
    // conv 5·5·1·256 + 5·5·256·256 + 5·5·256·128, dense 1152·320 + 320·32
    { kind: 'mnist_LeNet', o: { ...base, repDim: 32, architecture: 2 }, enc: 6400 + 1638400 + 819200 + 368640 + 10240, input: [2, 28, 28, 1] },
    // 5·5·(3·16 + 16·16 + 16·32 + 32·32 + 32·64 + 64·64), dense 1024·128
    { kind: 'cifar10_LeNet', o: { ...base, repDim: 128, architecture: 1 }, enc: 25 * (48 + 256 + 512 + 1024 + 2048 + 4096) + 131072, input: [2, 32, 32, 3] },
    { kind: 'cifar10_LeNet', o: { ...base, repDim: 128, architecture: 2 }, enc: 25 * (48 + 512 + 2048) + 131072, input: [2, 32, 32, 3] },
    // 5·5·(3·16 + 16·32), dense 2048·64 + 64·32
    { kind: 'gtsrb_LeNet', o: { ...base, repDim: 32 }, enc: 25 * (48 + 512) + 131072 + 2048, input: [2, 32, 32, 3] },
  ];
  for (const c of cases) {
    const enc = buildNetwork(c.kind, 'encoder', c.o, makeRng(1));
    assert.equal(count(enc), c.enc, `${c.kind} ${c.o.architecture ?? ''} encoder parameters`);
    const ae = buildNetwork(c.kind, 'autoencoder', c.o, makeRng(1));
    for (const training of [true, false]) {
      const [y, r] = tf.tidy(() => {
        const x = tf.randomUniform(c.input, 0, 1, 'float32', 2) as tf.Tensor4D;
        return [enc.forward(x, training), ae.forward(x, training)];
      });
      assert.deepEqual(y.shape, [2, c.o.repDim]);
      assert.deepEqual(r.shape, c.input, `${c.kind} reconstruction`);
      tf.dispose([y, r]);
    }
    // the encoder half of the autoencoder has the encoder's names and shapes: everything of the encoder transfers
    const copied = transferWeights(ae, enc);
    assert.equal(copied.length, enc.params.length + enc.bns.length);
    enc.dispose(); ae.dispose();
  }
});

test('biases and learned batch-norm scale/shift: extra named parameters, outside the weight decay; zero/identity at start', async () => {
  await useWasm();
  const plain = buildNetwork('mnist_LeNet', 'encoder', { ...base, repDim: 32 }, makeRng(5));
  const biased = buildNetwork('mnist_LeNet', 'encoder', { ...base, repDim: 32, bias: true }, makeRng(5));
  const affine = buildNetwork('mnist_LeNet', 'encoder', { ...base, repDim: 32, bnAffine: true }, makeRng(5));
  assert.equal(count(biased), 7272 + 8 + 4 + 32);
  assert.equal(count(affine), 7272 + 2 * (8 + 4));
  assert.deepEqual(biased.params.map((p) => p.name), ['conv1/w', 'conv1/b', 'conv2/w', 'conv2/b', 'dense1/w', 'dense1/b']);
  assert.deepEqual(affine.params.map((p) => p.name), ['conv1/w', 'bn1/gamma', 'bn1/beta', 'conv2/w', 'bn2/gamma', 'bn2/beta', 'dense1/w']);
  const wd = (n: typeof plain) => weightSquaredSum(n).arraySync() as number;
  assert.equal(wd(biased), wd(plain));
  assert.equal(wd(affine), wd(plain));
  // the same initial weights, biases 0 and γ = 1, β = 0: the same function (the affine path runs unfused)
  const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
  for (const training of [false, true]) {
    const ref = tf.tidy(() => plain.forward(x, training).dataSync());
    assertClose(tf.tidy(() => biased.forward(x, training).dataSync()), ref, 1e-6, 'biased');
    assertClose(tf.tidy(() => affine.forward(x, training).dataSync()), ref, 1e-5, 'affine');
  }
  // β is a bias: with γ = 0 the network maps every image to the same point (the collapse --bn-affine allows)
  tf.tidy(() => {
    for (const p of affine.params) if (p.name.endsWith('/gamma')) p.variable.assign(tf.zerosLike(p.variable));
    for (const p of affine.params) if (p.name.endsWith('/beta')) p.variable.assign(tf.onesLike(p.variable));
  });
  const out = tf.tidy(() => affine.forward(x, true).arraySync() as number[][]);
  for (const row of out) assertClose(row, out[0], 1e-6, 'collapsed outputs');
  // a model folder keeps biases and γ/β, and scores the same after loading
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-model-'));
  try {
    for (const net of [biased, affine]) {
      tf.tidy(() => { for (const [, v] of namedTensors(net)) v.assign(tf.add(v, 0.01)); });
      saveModel(dir, net, { dataset: 'mnist', loss: 'svdd', c: new Array<number>(net.options.repDim).fill(0.1), R: 0, threshold: 0, preprocessing: { gcn: 'l1', min: 0, max: 1 }, classes: { normal: [0], outlier: [1] }, config: {} });
      const { net: back, meta } = loadModel(dir);
      assert.deepEqual(meta.net.options, net.options);
      assert.deepEqual(Array.from(tf.tidy(() => back.forward(x, false).dataSync())), Array.from(tf.tidy(() => net.forward(x, false).dataSync())));
      back.dispose();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  x.dispose();
  [plain, biased, affine].forEach((n) => n.dispose());
});

test('options → network: defaults add no key (the paper\'s networks unchanged); variants and their errors', () => {
  const cfg = (extra: Record<string, string> = {}, dataset = 'mnist') => buildTrainConfig({ dataset, backend: 'wasm', ...extra });
  assert.deepEqual(netOptionsFor(cfg(), 'mnist_LeNet'), { repDim: 32, batchNorm: true, leakyRelu: true });
  assert.deepEqual(netOptionsFor(cfg({}, 'cifar10'), 'cifar10_LeNet'), { repDim: 128, batchNorm: true, leakyRelu: true });
  assert.deepEqual(netOptionsFor(cfg({ mnistArchitecture: '2', mnistBias: '1', bnAffine: '1' }), 'mnist_LeNet'),
    { repDim: 32, batchNorm: true, leakyRelu: true, architecture: 2, bias: true, bnAffine: true });
  assert.deepEqual(netOptionsFor(cfg({ cifar10Architecture: '1', cifar10Bias: '1' }, 'cifar10'), 'cifar10_LeNet'),
    { repDim: 128, batchNorm: true, leakyRelu: true, architecture: 1, bias: true });
  assert.equal(netOptionsFor(cfg({ cifar10Architecture: '2' }, 'cifar10'), 'cifar10_LeNet').architecture, 2);
  // the MNIST options leave the CIFAR-10 network alone and the other way round
  assert.deepEqual(netOptionsFor(cfg({ mnistArchitecture: '2', mnistBias: '1' }, 'cifar10'), 'cifar10_LeNet'), { repDim: 128, batchNorm: true, leakyRelu: true });
  throwsUser(() => cfg({ cifar10Bias: '1' }, 'cifar10'), /--cifar10-bias 1 only applies to --cifar10-architecture 1/);
  throwsUser(() => cfg({ bnAffine: '1', useBatchNorm: '0' }), /--bn-affine 1 needs batch norm/);
  throwsUser(() => cfg({ mnistArchitecture: '3' }), /--mnist-architecture 3 is invalid: use a whole number ≥ 1 and ≤ 2/);
  throwsUser(() => cfg({ cifar10Architecture: '0' }, 'cifar10'), /--cifar10-architecture 0 is invalid/);
  throwsUser(() => cfg({ unitNormUsed: 'l3' }), /--unit-norm-used l3 is invalid: use one of l1, l2, std/);
  throwsUser(() => cfg({ gcn: '2' }), /--gcn 2 is invalid: use 0 or 1/);
  throwsUser(() => cfg({ zcaWhitening: 'yes' }), /--zca-whitening yes is invalid/);
  throwsUser(() => cfg({ weightDictInit: '2' }), /--weight-dict-init 2 is invalid/);
  throwsUser(() => cfg({ normal: '1' }, 'gtsrb'), /--dataset gtsrb has one normal class/);
  assert.equal(gcnFor(cfg()), 'l1');
  assert.equal(gcnFor(cfg({ unitNormUsed: 'std' })), 'std');
  assert.equal(gcnFor(cfg({ gcn: '0', unitNormUsed: 'l2' })), 'none');
  const g = cfg({}, 'gtsrb');
  assert.deepEqual([g.repDim, g.aeC, g.aeLrDrop, g.normal, g.outlier], [32, 1e6, true, [0], [-1]]);
});
