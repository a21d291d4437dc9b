// The wasm SIMD kernels (src/backend/simd/assembly/kernels.ts) against the JavaScript kernels they replace (bit for bit) and
// against the cpu backend's reference kernels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { BN_BACKWARD, BN_FORWARD, hasBnEvalKernel } from '../../src/backend/js-kernels.js';
import { batchNormEval, BN_EPS, makeBatchNorm } from '../../src/nn/batchnorm.js';
import { setSimdKernels, simdKernels } from '../../src/backend/simd/loader.js';
import { assertClose, onBackend, seededArray, useWasm } from '../helpers/tf.js';

function withSimd<T>(on: boolean, f: () => T): T {
  setSimdKernels(on);
  try { return f(); } finally { setSimdKernels(true); }
}

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths differ`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i]) assert.fail(`${what}[${i}]: ${a[i]} vs ${b[i]} (bits differ)`);
  }
}

test('the SIMD kernels load on the wasm backend', async () => {
  await useWasm();
  assert.equal(tf.getBackend(), 'wasm');
  assert.ok(simdKernels(tf.backend()), 'kernels.wasm did not instantiate on the backend memory (run npm run build)');
});

// channel counts: pairs only (2, 6), groups of 8 (8, 16), both (12, 4 + remainder), the LeNet shapes (4, 8, 32)
const BN_SHAPES: number[][] = [[3, 5, 5, 2], [2, 4, 4, 4], [2, 7, 3, 6], [4, 6, 6, 8], [3, 3, 3, 12], [5, 16], [2, 9, 9, 32]];

test('batch norm forward and gradient, with and without the leaky ReLU: SIMD gives the JavaScript kernels\' bits', async () => {
  await useWasm();
  for (const shape of BN_SHAPES) {
    for (const alpha of [undefined, 0.01]) {
      const run = (simd: boolean) => withSimd(simd, () => tf.tidy(() => {
        const n = shape.reduce((a, b) => a * b);
        // an offset and a scale, so that the mean and the variance matter
        const x = tf.tensor(Float32Array.from(seededArray(n, 5), (v) => 3 * v + 0.7), shape);
        const attrs: tf.NamedAttrMap = alpha === undefined ? { eps: 1e-4 } : { eps: 1e-4, alpha };
        const outs = tf.engine().runKernel(BN_FORWARD, { x }, attrs) as tf.Tensor[];
        const dy = tf.tensor(seededArray(n, 6), shape);
        const xhat = outs[alpha === undefined ? 0 : 4];
        const dx = tf.engine().runKernel(BN_BACKWARD, { dy, xhat, invStd: outs[3] }, alpha === undefined ? {} : { alpha }) as tf.Tensor;
        return [...outs, dx].map((t) => t.dataSync() as Float32Array);
      }));
      const js = run(false);
      const simd = run(true);
      const names = ['y', 'mean', 'variance', 'invStd', ...(alpha === undefined ? [] : ['xhat']), 'dx'];
      names.forEach((name, i) => sameBits(simd[i], js[i], `${name} ${shape.join('×')} alpha ${alpha}`));
      // and the values are a batch norm: per-channel mean 0 of y when there is no leaky ReLU
      if (alpha === undefined) {
        const c = shape[shape.length - 1];
        const y = simd[0];
        for (let k = 0; k < c; k++) {
          let s = 0;
          for (let i = k; i < y.length; i += c) s += y[i];
          assert.ok(Math.abs(s / (y.length / c)) < 1e-5, `channel ${k} mean ${s}`);
        }
      }
    }
  }
});

test('the 2×2 MaxPoolGrad: SIMD gives the JavaScript kernel\'s bits, ties and odd sizes included', async () => {
  await useWasm();
  const shapes: Array<[number, number, number, number]> = [[2, 6, 6, 4], [3, 7, 9, 8], [1, 28, 28, 8], [2, 5, 4, 12]];
  for (const shape of shapes) {
    const run = (simd: boolean) => withSimd(simd, () => tf.tidy(() => {
      const n = shape.reduce((a, b) => a * b);
      const x = tf.tensor4d(Float32Array.from(seededArray(n, 9), (v) => Math.round(v * 4)), shape);
      return tf.grad((xx: tf.Tensor) => {
        const y = tf.maxPool(xx as tf.Tensor4D, 2, 2, 'valid');
        // a dy with negative zeros in it: the kernel must store 0 + dy as the JavaScript one does
        const g = Float32Array.from(seededArray(y.size, 10), (v, i) => (i % 7 === 0 ? -0 : v));
        return tf.sum(tf.mul(y, tf.tensor(g, y.shape)));
      })(x).dataSync() as Float32Array;
    }));
    sameBits(run(true), run(false), `maxPoolGrad ${shape.join('×')}`);
  }
});

interface FilterCase { x: [number, number, number, number]; cout: number; kh: number; pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] }
// 5-wide kernels with output channels in fours take the direct SIMD kernel; edges, images narrower than the kernel,
// asymmetric explicit padding and 3-tall kernels included
const FILTER_CASES: FilterCase[] = [
  { x: [2, 7, 7, 3], cout: 4, kh: 5, pad: 'same' },
  { x: [3, 9, 11, 1], cout: 8, kh: 5, pad: 'same' },
  { x: [2, 8, 10, 2], cout: 4, kh: 5, pad: 'valid' },
  { x: [2, 3, 4, 2], cout: 8, kh: 5, pad: 'same' },
  { x: [2, 6, 6, 4], cout: 4, kh: 3, pad: [[0, 0], [1, 0], [3, 1], [0, 0]] },
  { x: [1, 10, 12, 8], cout: 12, kh: 5, pad: [[0, 0], [2, 2], [4, 0], [0, 0]] },
];

test('the direct SIMD Conv2DBackpropFilter matches the cpu kernel and the XNNPACK form', async () => {
  await useWasm();
  for (const c of FILTER_CASES) {
    const run = () => tf.tidy(() => {
      const x = tf.tensor4d(seededArray(c.x.reduce((a, b) => a * b), 11), c.x);
      const w = tf.tensor4d(seededArray(c.kh * 5 * c.x[3] * c.cout, 12), [c.kh, 5, c.x[3], c.cout]);
      const dw = tf.grad((ww: tf.Tensor) => {
        const y = tf.conv2d(x, ww as tf.Tensor4D, 1, c.pad);
        return tf.sum(tf.mul(y, tf.tensor(seededArray(y.size, 13), y.shape)));
      })(w);
      return Array.from(dw.dataSync());
    });
    const ref = await onBackend('cpu', run);
    const direct = await onBackend('wasm', run);
    const viaConv = await onBackend('wasm', () => withSimd(false, run));
    assertClose(direct, ref, 1e-5, `dW direct ${JSON.stringify(c)}`);
    assertClose(viaConv, ref, 1e-5, `dW via conv ${JSON.stringify(c)}`);
  }
});

interface InputCase { dy: [number, number, number, number]; cin: number; kh: number; pad: 'same' | 'valid' }
// the direct Conv2DBackpropInput runs when one side has fewer than 4 channels: vectors over ci (cout < 4) or over
// co (cin < 4); as conv2dTranspose these are the decoders' first and last layers, the 'valid' one included
const INPUT_CASES: InputCase[] = [
  { dy: [2, 8, 8, 2], cin: 4, kh: 5, pad: 'same' },
  { dy: [3, 9, 7, 8], cin: 1, kh: 5, pad: 'same' },
  { dy: [2, 6, 6, 4], cin: 3, kh: 5, pad: 'valid' },
  { dy: [2, 3, 2, 1], cin: 8, kh: 5, pad: 'same' },
  { dy: [1, 7, 9, 12], cin: 2, kh: 3, pad: 'same' },
];

test('the direct SIMD Conv2DBackpropInput matches the cpu kernel, and leaks nothing', async () => {
  await useWasm();
  for (const c of INPUT_CASES) {
    const run = () => tf.tidy(() => {
      const [n, oh, ow, co] = c.dy;
      // forward conv: x [n, h, w, cin] → y [n, oh, ow, co]; its input gradient has x's shape
      const h = c.pad === 'same' ? oh : oh + c.kh - 1;
      const w = c.pad === 'same' ? ow : ow + 4;
      const dy = tf.tensor4d(seededArray(n * oh * ow * co, 14), c.dy);
      const f = tf.tensor4d(seededArray(c.kh * 5 * c.cin * co, 15), [c.kh, 5, c.cin, co]);
      return tf.conv2dTranspose(dy, f, [n, h, w, c.cin], 1, c.pad);
    });
    const ref = await onBackend('cpu', () => { const t = run(); const v = Array.from(t.dataSync()); t.dispose(); return v; });
    const got = await onBackend('wasm', () => {
      const before = { n: tf.memory().numTensors, bytes: tf.memory().numBytes };
      const t = run();
      const v = Array.from(t.dataSync());
      t.dispose();
      assert.deepEqual({ n: tf.memory().numTensors, bytes: tf.memory().numBytes }, before, 'tensors leaked');
      return v;
    });
    const viaConv = await onBackend('wasm', () => withSimd(false, () => { const t = run(); const v = Array.from(t.dataSync()); t.dispose(); return v; }));
    assertClose(got, ref, 1e-5, `dx direct ${JSON.stringify(c)}`);
    assertClose(viaConv, ref, 1e-5, `dx via conv ${JSON.stringify(c)}`);
  }
});

test('eval-mode batch norm (+ leaky ReLU) in one SIMD pass matches TF.js batchNorm and leakyRelu', async () => {
  await useWasm();
  for (const shape of [[3, 5, 5, 4], [2, 6, 6, 8], [4, 3, 3, 12], [5, 32]]) {
    for (const alpha of [undefined, 0.01]) {
      const c = shape[shape.length - 1];
      const bn = makeBatchNorm('t', c);
      bn.runningMean.assign(tf.tensor1d(seededArray(c, 16)));
      bn.runningVar.assign(tf.tensor1d(Float32Array.from(seededArray(c, 17), (v) => v + 0.6)));
      const x = tf.tensor(Float32Array.from(seededArray(shape.reduce((a, b) => a * b), 18), (v) => 4 * v), shape);
      const before = tf.memory().numTensors;
      const got = batchNormEval(x, bn, BN_EPS, alpha);
      assert.equal(tf.memory().numTensors, before + 1, 'only the output is left');
      const ref = tf.tidy(() => {
        const y = tf.batchNorm(x, bn.runningMean, bn.runningVar, undefined, undefined, BN_EPS);
        return alpha === undefined ? y : tf.leakyRelu(y, alpha);
      });
      assert.ok(hasBnEvalKernel(c));
      assertClose(got.dataSync(), ref.dataSync(), 1e-6, `bn eval ${shape.join('×')} alpha ${alpha}`);
      for (const t of [got, ref, x, bn.runningMean, bn.runningVar]) t.dispose();
    }
  }
});

test('the direct SIMD Conv2D over one input channel matches the cpu kernel and XNNPACK, edges included', async () => {
  await useWasm();
  const cases: Array<{ x: [number, number, number, number]; cout: number; pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] }> = [
    { x: [2, 28, 28, 1], cout: 8, pad: 'same' },
    { x: [3, 9, 11, 1], cout: 4, pad: 'valid' },
    { x: [2, 6, 3, 1], cout: 12, pad: 'same' },
    { x: [1, 10, 13, 1], cout: 8, pad: [[0, 0], [3, 1], [0, 4], [0, 0]] },
  ];
  for (const c of cases) {
    const run = () => tf.tidy(() => {
      const x = tf.tensor4d(seededArray(c.x.reduce((a, b) => a * b), 19), c.x);
      const w = tf.tensor4d(seededArray(25 * c.cout, 20), [5, 5, 1, c.cout]);
      return Array.from(tf.conv2d(x, w, 1, c.pad).dataSync());
    });
    const ref = await onBackend('cpu', run);
    assertClose(await onBackend('wasm', run), ref, 1e-5, `conv direct ${JSON.stringify(c)}`);
    assertClose(await onBackend('wasm', () => withSimd(false, run)), ref, 1e-5, `conv XNNPACK ${JSON.stringify(c)}`);
  }
});
