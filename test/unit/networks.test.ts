import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { buildNetwork, transferWeights } from '../../src/nn/networks.js';
import { makeRng } from '../../src/util/rng.js';
import { useWasm } from '../helpers/tf.js';

const count = (net: ReturnType<typeof buildNetwork>) => net.params.reduce((s, p) => s + p.variable.size, 0);
const opts = (repDim: number) => ({ repDim, batchNorm: true, leakyRelu: true });

test('parameter counts and output shapes match the PyTorch port\'s networks', async () => {
  await useWasm();
  const cases = [
    { kind: 'mnist_LeNet' as const, role: 'encoder' as const, rep: 32, params: 7272, input: [2, 28, 28, 1], out: [2, 32] },
    { kind: 'mnist_LeNet' as const, role: 'autoencoder' as const, rep: 32, params: 8472, input: [2, 28, 28, 1], out: [2, 28, 28, 1] },
    { kind: 'cifar10_LeNet' as const, role: 'encoder' as const, rep: 128, params: 520544, input: [2, 32, 32, 3], out: [2, 128] },
    { kind: 'cifar10_LeNet' as const, role: 'autoencoder' as const, rep: 128, params: 804544, input: [2, 32, 32, 3], out: [2, 32, 32, 3] },
  ];
  for (const c of cases) {
    const net = buildNetwork(c.kind, c.role, opts(c.rep), makeRng(1));
    assert.equal(count(net), c.params, `${c.kind} ${c.role} parameters`);
    for (const training of [true, false]) {
      const y = tf.tidy(() => net.forward(tf.zeros(c.input as [number, number, number, number]) as tf.Tensor4D, training));
      assert.deepEqual(y.shape, c.out);
      y.dispose();
    }
    net.dispose();
  }
});

test('initial weights depend only on the seed', async () => {
  await useWasm();
  const a = buildNetwork('mnist_LeNet', 'encoder', opts(32), makeRng(5));
  const b = buildNetwork('mnist_LeNet', 'encoder', opts(32), makeRng(5));
  const c = buildNetwork('mnist_LeNet', 'encoder', opts(32), makeRng(6));
  assert.deepEqual(Array.from(a.params[0].variable.dataSync()), Array.from(b.params[0].variable.dataSync()));
  assert.notDeepEqual(Array.from(a.params[0].variable.dataSync()), Array.from(c.params[0].variable.dataSync()));
  [a, b, c].forEach((n) => n.dispose());
});

test('autoencoder → encoder transfer copies the encoder weights and batch-norm statistics by name', async () => {
  await useWasm();
  const ae = buildNetwork('mnist_LeNet', 'autoencoder', opts(32), makeRng(1));
  const enc = buildNetwork('mnist_LeNet', 'encoder', opts(32), makeRng(2));
  tf.tidy(() => { ae.bns[0].runningMean.assign(tf.fill([8], 0.25)); });
  const copied = transferWeights(ae, enc);
  assert.deepEqual(copied, ['conv1/w', 'conv2/w', 'dense1/w', 'bn1', 'bn2']);
  assert.deepEqual(Array.from(enc.params[2].variable.dataSync()), Array.from(ae.params[2].variable.dataSync()));
  assert.deepEqual(Array.from(enc.bns[0].runningMean.dataSync()), new Array(8).fill(0.25));
  const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const codeAe = tf.tidy(() => {
    // the AE's code = output of dense1: run the encoder part by building a fresh encoder from the same weights
    return enc.forward(x, false);
  });
  assert.deepEqual(codeAe.shape, [3, 32]);
  tf.dispose([x, codeAe]);
  ae.dispose(); enc.dispose();
});

test('the MNIST decoder\'s transposed convolutions equal the original\'s plain ones with flipped, transposed filters', async () => {
  // The original (Theano) decoder used convolutions ("same", and pad 1 for 16 → 14); the paper's PyTorch networks,
  // and deep-svdd's, transposed ones ("same", and 'valid' cropped by 3). With stride 1 each is the other with the
  // filter flipped in space and its channel axes swapped: the same functions, and Glorot's bound is symmetric in
  // fan-in and fan-out, so the same initial distribution (README, "Results", the decoder in the ablation).
  await useWasm();
  const rng = makeRng(3);
  const rand = (shape: number[]) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next() - 0.5), shape);
  const ae = buildNetwork('mnist_LeNet', 'autoencoder', opts(32), makeRng(1));
  const weight = (name: string) => ae.params.find((p) => p.name === name)!.variable as tf.Tensor4D;
  const asConv = (w: tf.Tensor4D) => tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  // deconv2: 4 → 8 channels, 16×16 → 14×14 (ConvTranspose2d(4, 8, 5, padding=3)) against conv4 with pad 1
  const x2 = rand([2, 16, 16, 4]) as tf.Tensor4D;
  const w2 = weight('deconv2/w');
  const full = tf.conv2dTranspose(x2, w2, [2, 20, 20, 8], 1, 'valid');
  const transposed = tf.slice(full, [0, 3, 3, 0], [2, 14, 14, 8]);
  const plain = tf.conv2d(tf.pad(x2, [[0, 0], [1, 1], [1, 1], [0, 0]]), asConv(w2), 1, 'valid');
  assert.deepEqual(plain.shape, [2, 14, 14, 8]);
  assert.ok(maxDiff(transposed, plain) < 1e-5, `pad-3 transposed vs pad-1 plain: ${maxDiff(transposed, plain)}`);
  // deconv3: 8 → 1 channel, "same"
  const x3 = rand([2, 28, 28, 8]) as tf.Tensor4D;
  const w3 = weight('deconv3/w');
  const same = tf.conv2dTranspose(x3, w3, [2, 28, 28, 1], 1, 'same');
  assert.ok(maxDiff(same, tf.conv2d(x3, asConv(w3), 1, 'same')) < 1e-5);
  // and a filter that is not the flip would differ (the check can fail)
  assert.ok(maxDiff(same, tf.conv2d(x3, tf.transpose(w3, [0, 1, 3, 2]) as tf.Tensor4D, 1, 'same')) > 1e-3);
});
