import assert from 'node:assert/strict';
import { test } from 'node:test';
import { preprocess } from '../../src/data/preprocess.js';
import { applyZca, fitZca } from '../../src/data/zca.js';
import { gaussian, makeRng } from '../../src/util/rng.js';

/** n rows of d correlated values: x = A·z + offset. */
function correlated(n: number, d: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  const A = Array.from({ length: d * d }, () => gaussian(rng));
  const x = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const z = Array.from({ length: d }, () => gaussian(rng));
    for (let i = 0; i < d; i++) {
      let s = 3 + i;
      for (let j = 0; j < d; j++) s += A[i * d + j] * z[j];
      x[r * d + i] = s;
    }
  }
  return x;
}

function covariance(x: Float32Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j] += x[r * d + j] / n;
  const c = new Float64Array(d * d);
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[i * d + j] += (x[r * d + i] - mean[i]) * (x[r * d + j] - mean[j]) / n;
  return c;
}

test('ZCA whitening: with a tiny ε the training covariance becomes the identity; W is symmetric', () => {
  const n = 400, d = 6;
  const x = correlated(n, d, 1);
  const t = fitZca(x, n, d, 1e-9);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) assert.ok(Math.abs(t.W[i * d + j] - t.W[j * d + i]) < 1e-5);
  const y = Float32Array.from(x);
  applyZca(y, t);
  const c = covariance(y, n, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) assert.ok(Math.abs(c[i * d + j] - (i === j ? 1 : 0)) < 1e-3, `cov[${i}][${j}] = ${c[i * d + j]}`);
});

test('ZCA whitening: the Gram-matrix path (fewer images than dimensions) gives the covariance path\'s W', () => {
  const n = 5, d = 9;
  const x = correlated(n, d, 2);
  const a = fitZca(x, n, d, 0.1, 'covariance');
  const b = fitZca(x, n, d, 0.1, 'gram');
  for (let i = 0; i < d * d; i++) assert.ok(Math.abs(a.W[i] - b.W[i]) < 1e-4, `W[${i}]: ${a.W[i]} vs ${b.W[i]}`);
  assert.deepEqual(Array.from(a.mean), Array.from(b.mean));
});

test('preprocess with zca: whitening after GCN, before min–max; the fitted transform re-applies to new data exactly', () => {
  const rng = makeRng(4);
  const d = 16;
  const train = Uint8Array.from({ length: 30 * d }, () => Math.floor(rng.next() * 256));
  const test = Uint8Array.from({ length: 4 * d }, () => Math.floor(rng.next() * 256));
  const fitted = preprocess(train, [test], d, { zca: true });
  assert.ok(fitted.zca);
  assert.equal(fitted.zca.d, d);
  const again = preprocess(test, [], d, { zca: fitted.zca, minMax: fitted.constants });
  assert.deepEqual(Array.from(again.train), Array.from(fitted.others[0]));
  const plain = preprocess(train, [test], d);
  assert.notDeepEqual(Array.from(plain.others[0]), Array.from(fitted.others[0]));
  assert.equal(plain.zca, undefined);
});
