/** Gradient check of the closed-form batch-norm gradient against autodiff of the plain formula. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { batchNormEval, batchNormTrain, BN_EPS, makeBatchNorm } from '../../src/nn/batchnorm.js';
import { hasJsKernels, leakyRelu } from '../../src/backend/js-kernels.js';
import { assertClose, onBackend, seededArray, useWasm } from '../helpers/tf.js';

function plainBn(x: tf.Tensor, axes: number[]): tf.Tensor {
  const mean = tf.mean(x, axes, true);
  const variance = tf.mean(tf.square(tf.sub(x, mean)), axes, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPS)));
}

// wasm runs the batch-norm kernels of src/backend/js-kernels.ts; cpu (without them registered in this process) runs
// the TF.js-ops form that other backends use
for (const backend of ['wasm', 'cpu'] as const) {
  for (const shape of [[4, 3, 3, 2], [6, 5], [200, 14, 14, 4]] as const) {
    test(`batch-norm gradient matches autodiff for shape ${shape.join('×')} on ${backend}`, async () => {
      await onBackend(backend, () => {
        assert.equal(hasJsKernels(), backend === 'wasm');
        const axes = shape.length === 4 ? [0, 1, 2] : [0];
        const size = shape.reduce((a: number, b: number) => a * b, 1);
        const x = tf.tensor(seededArray(size, 11), [...shape]);
        const w = tf.tensor(seededArray(size, 12), [...shape]);
        const bn = makeBatchNorm('t', shape[shape.length - 1]);
        const gCustom = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(xx, bn), w)))(x);
        const gAuto = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(plainBn(xx, axes), w)))(x);
        assertClose(gCustom.dataSync(), gAuto.dataSync(), 1e-4, 'dx');
        assertClose(batchNormTrain(x, bn).dataSync(), plainBn(x, axes).dataSync(), 1e-5, 'y');
        tf.dispose([x, w, gCustom, gAuto]);
        bn.runningMean.dispose(); bn.runningVar.dispose();
      });
    });
  }
}

test('running statistics follow PyTorch (momentum 0.1, unbiased variance) and eval mode uses them', async () => {
  await useWasm();
  const x = tf.tensor2d([[1, 10], [3, 14], [5, 12], [7, 16]]);
  const bn = makeBatchNorm('t', 2);
  tf.tidy(() => { batchNormTrain(x, bn); });
  // means 4, 13; unbiased variances 20/3, 20/3
  assertClose(bn.runningMean.dataSync(), [0.4, 1.3], 1e-6, 'running mean');
  assertClose(bn.runningVar.dataSync(), [0.9 + 0.1 * 20 / 3, 0.9 + 0.1 * 20 / 3], 1e-6, 'running var');
  const y = tf.tidy(() => batchNormEval(tf.tensor2d([[0.4, 1.3]]), bn));
  for (const v of y.dataSync()) assert.ok(Math.abs(v) < 1e-6, `eval at the running mean gives ${v}, not 0`);
  assert.equal(y.shape.join(), '1,2');
});

test('batch norm fused with the leaky ReLU gives exactly the values and gradient of the two separate ops', async () => {
  await useWasm();
  const shape = [50, 6, 6, 4] as const;
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  const x = tf.tensor(seededArray(size, 41), [...shape]);
  const w = tf.tensor(seededArray(size, 42), [...shape]);
  const bnA = makeBatchNorm('a', 4);
  const bnB = makeBatchNorm('b', 4);
  const fused = (xx: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(xx, bnA, BN_EPS, 0.1, 0.01), w));
  const separate = (xx: tf.Tensor) => tf.sum(tf.mul(leakyRelu(batchNormTrain(xx, bnB), 0.01), w));
  assert.deepEqual(Array.from(batchNormTrain(x, bnA, BN_EPS, 0.1, 0.01).dataSync()), Array.from(leakyRelu(batchNormTrain(x, bnB), 0.01).dataSync()));
  assert.deepEqual(Array.from(tf.grad(fused)(x).dataSync()), Array.from(tf.grad(separate)(x).dataSync()));
  assert.deepEqual(Array.from(bnA.runningVar.dataSync()), Array.from(bnB.runningVar.dataSync()));
});
