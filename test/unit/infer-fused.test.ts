// The inference passes of src/eval/infer.ts: the fused forward pass of an MLP ('auto') against TF.js ops ('tfjs'),
// its cached copy following the network's weights, and networks without a fused copy unchanged.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { type ImageSet } from '../../src/data/batches.js';
import { meanRepresentation, reconstructionErrors, representations, squaredDistances } from '../../src/eval/infer.js';
import { FUSED_MLP_ENV, fusedNetworkBlocker } from '../../src/nn/mlp-fused-net.js';
import { buildNetwork, type NetOptions } from '../../src/nn/networks.js';
import { makeRng } from '../../src/util/rng.js';
import { assertClose, seededArray, useWasm } from '../helpers/tf.js';

before(useWasm);

const D = 6;
const N = 45;
const OPTS: NetOptions = { repDim: 4, batchNorm: true, leakyRelu: true, inputDim: D, hidden: [12, 8] };
const SET: ImageSet = { x: seededArray(N * D, 5).map((v) => v + 0.5), n: N, height: 1, width: 1, channels: D };

/** running statistics away from their initial 0 / 1, so eval-mode batch norm is not the identity */
function withStatistics(net: ReturnType<typeof buildNetwork>): void {
  net.bns.forEach((b, i) => tf.tidy(() => {
    b.runningMean.assign(tf.tensor(seededArray(b.runningMean.size, 20 + i), b.runningMean.shape));
    b.runningVar.assign(tf.tensor(seededArray(b.runningVar.size, 30 + i).map((v) => 0.5 + Math.abs(v)), b.runningVar.shape));
  }));
}

test('an MLP\'s fused inference pass equals TF.js ops to float32 rounding (distances, outputs, mean, reconstruction)', () => {
  const net = buildNetwork('mlp', 'encoder', OPTS, makeRng(3));
  withStatistics(net);
  assert.equal(fusedNetworkBlocker(net), undefined);
  const c = tf.tensor1d([0.3, -0.2, 0.15, 0.4]);
  // batch 16 leaves a partial last batch
  const fused = squaredDistances(net, SET, c, 16, 'auto');
  const ops = squaredDistances(net, SET, c, 16, 'tfjs');
  assertClose(fused, ops, 1e-5, 'squared distances');
  assertClose(representations(net, SET, 16, 'auto'), representations(net, SET, 16, 'tfjs'), 1e-5, 'representations');
  assertClose(meanRepresentation(net, SET, 16, 2, 'auto'), meanRepresentation(net, SET, 16, 2, 'tfjs'), 1e-5, 'mean of two batches');
  const ae = buildNetwork('mlp', 'autoencoder', OPTS, makeRng(4));
  withStatistics(ae);
  assertClose(reconstructionErrors(ae, SET, 16, 'l2', 'auto'), reconstructionErrors(ae, SET, 16, 'l2', 'tfjs'), 1e-5, 'reconstruction errors');
  c.dispose();
});

test('the cached fused copy follows the network: weights assigned after a pass are used by the next', () => {
  const net = buildNetwork('mlp', 'encoder', OPTS, makeRng(5));
  const c = tf.tensor1d([0.1, 0.1, -0.1, 0.1]);
  const first = squaredDistances(net, SET, c, 100, 'auto');
  tf.tidy(() => net.params.forEach((p) => p.variable.assign(tf.mul(p.variable, 1.5))));
  withStatistics(net);
  const after = squaredDistances(net, SET, c, 100, 'auto');
  assertClose(after, squaredDistances(net, SET, c, 100, 'tfjs'), 1e-5, 'after new weights');
  assert.ok(after.some((v, i) => Math.abs(v - first[i]) > 1e-3), 'the new weights changed the distances');
  c.dispose();
});

test(`a network without a fused copy, or ${FUSED_MLP_ENV}=0, takes TF.js ops in 'auto' (the same bits)`, () => {
  const lenet = buildNetwork('mnist_LeNet', 'encoder', { repDim: 32, batchNorm: true, leakyRelu: true }, makeRng(6));
  assert.match(fusedNetworkBlocker(lenet) ?? '', /not an MLP/);
  const images: ImageSet = { x: seededArray(5 * 784, 8).map((v) => v + 0.5), n: 5, height: 28, width: 28, channels: 1 };
  const c = tf.tensor1d(new Float32Array(32).fill(0.1));
  assert.deepEqual(squaredDistances(lenet, images, c, 4, 'auto'), squaredDistances(lenet, images, c, 4, 'tfjs'));
  c.dispose();
  const mlp = buildNetwork('mlp', 'encoder', OPTS, makeRng(7));
  withStatistics(mlp);
  const c4 = tf.tensor1d([0.3, -0.2, 0.15, 0.4]);
  process.env[FUSED_MLP_ENV] = '0';
  try {
    assert.equal(fusedNetworkBlocker(mlp), `${FUSED_MLP_ENV}=0`);
    assert.deepEqual(squaredDistances(mlp, SET, c4, 16, 'auto'), squaredDistances(mlp, SET, c4, 16, 'tfjs'));
  } finally {
    delete process.env[FUSED_MLP_ENV];
  }
  c4.dispose();
});
