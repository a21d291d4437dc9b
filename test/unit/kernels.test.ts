/** The wasm kernel re-routes and the cpu resize fix, checked against reference kernels. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { hasJsKernels, leakyRelu } from '../../src/backend/js-kernels.js';
import { registerKernelFixes } from '../../src/backend/kernel-fixes.js';
import { assertClose, onBackend, seededArray, useWasm } from '../helpers/tf.js';

interface ConvCase { x: [number, number, number, number]; k: number; cout: number; pad: 'same' | 'valid' }
const CASES: ConvCase[] = [
  { x: [2, 7, 7, 3], k: 5, cout: 4, pad: 'same' },
  { x: [3, 6, 8, 2], k: 5, cout: 3, pad: 'valid' },
  { x: [1, 9, 5, 4], k: 3, cout: 2, pad: 'same' },
  { x: [4, 4, 4, 8], k: 5, cout: 1, pad: 'same' },
];

function convGrads(c: ConvCase) {
  return tf.tidy(() => {
    const x = tf.tensor4d(seededArray(c.x.reduce((a, b) => a * b), 1), c.x);
    const w = tf.tensor4d(seededArray(c.k * c.k * c.x[3] * c.cout, 2), [c.k, c.k, c.x[3], c.cout]);
    const f = (xx: tf.Tensor, ww: tf.Tensor) => {
      const y = tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, c.pad);
      return tf.sum(tf.mul(y, tf.tensor(seededArray(y.size, 3), y.shape)));
    };
    const [dx, dw] = tf.grads(f)([x, w]);
    return { dx: Array.from(dx.dataSync()), dw: Array.from(dw.dataSync()) };
  });
}

test('Conv2DBackpropFilter and Conv2DBackpropInput on wasm match the cpu kernels', async () => {
  await useWasm();
  for (const c of CASES) {
    const ref = await onBackend('cpu', () => convGrads(c));
    const got = await onBackend('wasm', () => convGrads(c));
    assertClose(got.dw, ref.dw, 1e-5, `dW ${JSON.stringify(c)}`);
    assertClose(got.dx, ref.dx, 1e-5, `dx ${JSON.stringify(c)}`);
  }
});

test('conv2dTranspose (the decoder layers, through Conv2DBackpropInput) on wasm matches cpu, including the cropped pad-3 form', async () => {
  const run = () => tf.tidy(() => {
    const x = tf.tensor4d(seededArray(2 * 16 * 16 * 4, 4), [2, 16, 16, 4]);
    const w = tf.tensor4d(seededArray(5 * 5 * 8 * 4, 5), [5, 5, 8, 4]);
    const same = tf.conv2dTranspose(x, w, [2, 16, 16, 8], 1, 'same');
    const valid = tf.conv2dTranspose(x, w, [2, 20, 20, 8], 1, 'valid');
    return [Array.from(same.dataSync()), Array.from(valid.dataSync())];
  });
  const ref = await onBackend('cpu', run);
  const got = await onBackend('wasm', run);
  assertClose(got[0], ref[0], 1e-5, 'same');
  assertClose(got[1], ref[1], 1e-5, 'valid');
});

test('transposed BatchMatMul re-route matches cpu and does not leak', async () => {
  const run = () => tf.tidy(() => {
    const a = tf.tensor2d(seededArray(6 * 4, 6), [6, 4]);
    const b = tf.tensor2d(seededArray(6 * 5, 7), [6, 5]);
    const c = tf.tensor2d(seededArray(5 * 4, 8), [5, 4]);
    return [Array.from(tf.matMul(a, b, true, false).dataSync()), Array.from(tf.matMul(a, c, false, true).dataSync()),
      Array.from(tf.matMul(b, a, true, false).dataSync())];
  });
  const ref = await onBackend('cpu', run);
  const before = tf.memory().numTensors;
  const got = await onBackend('wasm', run);
  assert.equal(tf.memory().numTensors, before);
  for (let i = 0; i < ref.length; i++) assertClose(got[i], ref[i], 1e-6, `matmul ${i}`);
});

test('upsampling gradient: the cpu fix, the wasm 2× JavaScript kernel and wasm\'s own kernel agree for batch > 1', async () => {
  const run = (size: [number, number]) => tf.tidy(() => {
    const x = tf.tensor4d(seededArray(3 * 4 * 5 * 2, 9), [3, 4, 5, 2]);
    const g = tf.grad((xx: tf.Tensor) => {
      const y = tf.image.resizeNearestNeighbor(xx as tf.Tensor4D, size);
      return tf.sum(tf.mul(y, tf.tensor(seededArray(y.size, 10), y.shape)));
    })(x);
    return Array.from(g.dataSync());
  });
  // [8, 10] is exact 2× (the JavaScript kernel on wasm); [9, 11] is not (wasm's own kernel)
  for (const size of [[8, 10], [9, 11]] as Array<[number, number]>) {
    const wasm = await onBackend('wasm', () => run(size));
    const buggy = await onBackend('cpu', () => run(size));
    if (size[0] === 8) assert.notDeepEqual(buggy.slice(40), wasm.slice(40), 'tfjs-backend-cpu 4.22.0 gets batch item 2 wrong without the fix');
    registerKernelFixes('cpu');
    const cpu = await onBackend('cpu', () => run(size));
    assertClose(cpu, wasm, 1e-6, `resize grad ${size.join('×')}`);
  }
});

test('the wasm conv gradients do not leak tensors or wasm memory across calls', async () => {
  await onBackend('wasm', () => {
    convGrads(CASES[0]);
    const n0 = tf.memory().numTensors;
    const b0 = tf.memory().numBytes;
    for (let i = 0; i < 5; i++) convGrads(CASES[0]);
    assert.equal(tf.memory().numTensors, n0);
    assert.equal(tf.memory().numBytes, b0);
  });
});

test('the 2×2 MaxPoolGrad on the wasm heap matches the cpu kernel, ties included (first maximum wins)', async () => {
  const run = (shape: [number, number, number, number], seed: number) => tf.tidy(() => {
    // small integers: many ties inside the 2×2 windows
    const vals = Float32Array.from(seededArray(shape.reduce((a, b) => a * b), seed), (v) => Math.round(v * 4));
    const x = tf.tensor4d(vals, shape);
    const g = tf.grad((xx: tf.Tensor) => {
      const y = tf.maxPool(xx as tf.Tensor4D, 2, 2, 'valid');
      return tf.sum(tf.mul(y, tf.tensor(seededArray(y.size, seed + 1), y.shape)));
    })(x);
    return Array.from(g.dataSync());
  });
  for (const [shape, seed] of [[[3, 8, 6, 5], 21], [[2, 7, 7, 3], 22], [[1, 28, 28, 8], 23]] as Array<[[number, number, number, number], number]>) {
    const ref = await onBackend('cpu', () => run(shape, seed));
    const got = await onBackend('wasm', () => run(shape, seed));
    assertClose(got, ref, 1e-6, `maxPoolGrad ${shape.join('×')}`);
  }
});

test('the JavaScript leaky-ReLU gradient matches autodiff of tf.leakyRelu', async () => {
  const run = (useJs: boolean) => tf.tidy(() => {
    const x = tf.tensor4d(seededArray(2 * 5 * 5 * 3, 31), [2, 5, 5, 3]);
    const w = tf.tensor4d(seededArray(2 * 5 * 5 * 3, 32), [2, 5, 5, 3]);
    const f = (xx: tf.Tensor) => tf.sum(tf.mul(useJs ? leakyRelu(xx, 0.01) : tf.leakyRelu(xx, 0.01), w));
    return [Array.from(tf.grad(f)(x).dataSync()), Array.from((useJs ? leakyRelu(x, 0.01) : tf.leakyRelu(x, 0.01)).dataSync())];
  });
  const [gJs, yJs] = await onBackend('wasm', () => { assert.ok(hasJsKernels()); return run(true); });
  const [gRef, yRef] = await onBackend('wasm', () => run(false));
  assertClose(gJs, gRef, 1e-7, 'dx');
  assertClose(yJs, yRef, 1e-7, 'y');
});

test('Identity on wasm shares the memory of its input and frees it only with the last user', async () => {
  await useWasm();
  const before = tf.memory().numBytes;
  const x = tf.tensor1d([1, 2, 3]);
  const y = tf.engine().runKernel('Identity', { x }) as tf.Tensor;
  assert.equal(y.dataId, x.dataId, 'no second copy');
  x.dispose();
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3]);
  // the memory is still in use: a new tensor must not land on it
  const z = tf.tensor1d([7, 8, 9]);
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3]);
  y.dispose();
  z.dispose();
  assert.equal(tf.memory().numBytes, before);
});
