import assert from 'node:assert/strict';
import { test } from 'node:test';
import { atomsToFilter, fitDictionaryMatrix, lassoCodes, learnDictionary, symmetricEigen } from '../../src/train/dictionary.js';
import { gaussian, makeRng } from '../../src/util/rng.js';

/** k random unit atoms of dimension d, and n samples that are sparse combinations (1 or 2 atoms) plus small noise. */
function sparseProblem(k: number, d: number, n: number, seed: number) {
  const rng = makeRng(seed);
  const D = new Float64Array(k * d);
  for (let p = 0; p < k; p++) {
    let s = 0;
    for (let i = 0; i < d; i++) { D[p * d + i] = gaussian(rng); s += D[p * d + i] ** 2; }
    for (let i = 0; i < d; i++) D[p * d + i] /= Math.sqrt(s);
  }
  const X = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    const nnz = 1 + Math.floor(rng.next() * 2);
    for (let t = 0; t < nnz; t++) {
      const p = Math.floor(rng.next() * k);
      const c = (2 + 2 * rng.next()) * (rng.next() < 0.5 ? -1 : 1);
      for (let i = 0; i < d; i++) X[r * d + i] += c * D[p * d + i];
    }
    for (let i = 0; i < d; i++) X[r * d + i] += 0.01 * gaussian(rng);
  }
  return { D, X };
}

const cosine = (a: Float64Array, i: number, b: Float64Array, j: number, d: number) => {
  let s = 0, na = 0, nb = 0;
  for (let t = 0; t < d; t++) { s += a[i * d + t] * b[j * d + t]; na += a[i * d + t] ** 2; nb += b[j * d + t] ** 2; }
  return s / Math.sqrt(na * nb);
};

test('mini-batch dictionary learning recovers a known dictionary from sparse codes (up to sign and order)', () => {
  const k = 6, d = 16;
  const { D, X } = sparseProblem(k, d, 3000, 11);
  const learnt = fitDictionaryMatrix(X, 3000, d, { nComponents: k, alpha: 0.2, nIter: 1500, batchSize: 10 }, makeRng(1));
  // every atom unit length
  for (let p = 0; p < k; p++) assert.ok(Math.abs(cosine(learnt, p, learnt, p, d) - 1) < 1e-9);
  // a one-to-one match: each true atom has its own learnt atom with |cos| > 0.98
  const used = new Set<number>();
  for (let p = 0; p < k; p++) {
    let best = -1, bestCos = 0;
    for (let q = 0; q < k; q++) {
      const c = Math.abs(cosine(D, p, learnt, q, d));
      if (c > bestCos) { bestCos = c; best = q; }
    }
    assert.ok(bestCos > 0.98, `true atom ${p}: best |cos| ${bestCos.toFixed(4)}`);
    assert.ok(!used.has(best), `learnt atom ${best} matched twice`);
    used.add(best);
  }
});

test('Lasso codes: soft thresholding for an orthonormal dictionary, zero below alpha', () => {
  // D = identity (3 atoms in 3-D): c = sign(x)·max(|x| − α, 0)
  const D = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const out = new Float64Array(3);
  lassoCodes(D, 3, 3, Float64Array.from([2.5, -0.5, -3]), 1, 1, out);
  assert.deepEqual(Array.from(out), [1.5, 0, -2]);
});

/** The coordinate descent as first written: ρ over every other coordinate, zeros included. */
function denseLasso(D: Float64Array, k: number, d: number, X: Float64Array, m: number, alpha: number, out: Float64Array): void {
  const G = new Float64Array(k * k);
  for (let p = 0; p < k; p++) for (let q = p; q < k; q++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += D[p * d + i] * D[q * d + i];
    G[p * k + q] = G[q * k + p] = s;
  }
  const qv = new Float64Array(k);
  for (let r = 0; r < m; r++) {
    const c = out.subarray(r * k, (r + 1) * k);
    c.fill(0);
    for (let p = 0; p < k; p++) { let s = 0; for (let i = 0; i < d; i++) s += D[p * d + i] * X[r * d + i]; qv[p] = s; }
    for (let sweep = 0; sweep < 1000; sweep++) {
      let maxDelta = 0, maxC = 0;
      for (let p = 0; p < k; p++) {
        const gpp = G[p * k + p];
        if (gpp <= 0) continue;
        let rho = qv[p];
        for (let q = 0; q < k; q++) if (q !== p) rho -= G[p * k + q] * c[q];
        const v = rho > alpha ? (rho - alpha) / gpp : rho < -alpha ? (rho + alpha) / gpp : 0;
        maxDelta = Math.max(maxDelta, Math.abs(v - c[p]));
        c[p] = v;
        maxC = Math.max(maxC, Math.abs(v));
      }
      if (maxDelta <= 1e-10 * Math.max(1, maxC)) break;
    }
  }
}

test('Lasso codes over the nonzero coordinates only equal the full coordinate descent bit for bit (overcomplete, as architecture 2)', () => {
  // 64 atoms in 9 dimensions (overcomplete like 256 atoms on 5×5 patches), codes entering and leaving the active set
  const k = 64, d = 9, m = 12;
  const rng = makeRng(11);
  const D = Float64Array.from({ length: k * d }, () => gaussian(rng));
  const X = Float64Array.from({ length: m * d }, () => 3 * gaussian(rng));
  for (const alpha of [0.05, 1, 4]) {
    const a = new Float64Array(m * k), b = new Float64Array(m * k);
    lassoCodes(D, k, d, X, m, alpha, a);
    denseLasso(D, k, d, X, m, alpha, b);
    assert.ok(a.some((v) => v !== 0), `alpha ${alpha}: some codes are nonzero`);
    assert.deepEqual(Array.from(a), Array.from(b), `alpha ${alpha}`);
  }
});

test('symmetric eigen-decomposition: A·v = λ·v', () => {
  const A = Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 5]);
  const { values, vectors } = symmetricEigen(A, 3);
  for (let j = 0; j < 3; j++) {
    for (let i = 0; i < 3; i++) {
      let s = 0;
      for (let t = 0; t < 3; t++) s += A[i * 3 + t] * vectors[t * 3 + j];
      assert.ok(Math.abs(s - values[j] * vectors[i * 3 + j]) < 1e-10);
    }
  }
  assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) - 12) < 1e-10, 'trace');
});

test('learnDictionary on images: deterministic per seed, unit atoms, filters in [h, w, c, k] order', () => {
  const n = 20, h = 9, w = 8, c = 3;
  const rng = makeRng(3);
  const imgs = Float32Array.from({ length: n * h * w * c }, () => rng.next());
  const a = learnDictionary(imgs, { n, height: h, width: w, channels: c }, { nComponents: 4, nIter: 50, nSample: 10 }, makeRng(7));
  const b = learnDictionary(imgs, { n, height: h, width: w, channels: c }, { nComponents: 4, nIter: 50, nSample: 10 }, makeRng(7));
  assert.deepEqual(Array.from(a), Array.from(b));
  const d = 5 * 5 * c;
  for (let p = 0; p < 4; p++) assert.ok(Math.abs(cosine(a, p, a, p, d) - 1) < 1e-9);
  const f = atomsToFilter(a, 4, 5, c);
  // filter[y][x][ch][k] = atom_k[(y*5 + x)*c + ch]
  assert.equal(f[((2 * 5 + 3) * c + 1) * 4 + 2], Math.fround(a[2 * d + (2 * 5 + 3) * c + 1]));
});
