/**
 * The shallow baselines' math against known values: squared distances, the Gaussian KDE's log density (closed form
 * and scikit-learn's KernelDensity), its cross-validation against brute force, the OC-SVM's decision values
 * (scikit-learn's OneClassSVM on the same data, and the sign on separable toy data), the Isolation Forest's c(n) and
 * ordering, PCA's variance rule and projection, and the hold-out splits.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { selectBackend } from '../../src/backend/select.js';
import { squaredDistances, takeRows, useDotEngine, type Rows } from '../../src/baselines/distances.js';
import { useTfDotEngine } from '../../src/baselines/dot-tf.js';
import { averagePathLength, fitIsolationForest, isolationScores } from '../../src/baselines/iforest.js';
import { foldAssignment, gaussianLogNorm, KDE_BANDWIDTHS, kdeCrossValidate, kdeLogDensity, logspace } from '../../src/baselines/kde.js';
import { fitOcsvm, ocsvmDecision, parseLibsvmModel, trainDistances } from '../../src/baselines/ocsvm.js';
import { componentsFor, fitPca, pcaTransform } from '../../src/baselines/pca.js';
import { bestOf, GAMMA_GRID, splitHoldout, splitTestSlice } from '../../src/baselines/selection.js';
import { gaussian, makeRng, permutation } from '../../src/util/rng.js';

const rows = (a: number[][]): Rows => ({ x: Float32Array.from(a.flat()), n: a.length, d: a[0].length });
const close = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`);

// 10 training points and 4 queries in 2-D; the reference values below are scikit-learn 1.9.1's on the same arrays
const X = rows([[0, 0], [0.5, 0.1], [-0.3, 0.4], [0.2, -0.6], [1, 0.8], [-0.9, -0.2], [0.4, 0.5], [-0.1, -0.9], [0.7, -0.3], [-0.6, 0.6]]);
const Q = rows([[0, 0.1], [2, 2], [-0.5, 0], [3, -1]]);

describe('distances', () => {
  test('squared distances equal the direct sums', () => {
    const D = squaredDistances(X, Q);
    for (let i = 0; i < X.n; i++) for (let j = 0; j < Q.n; j++) {
      let s = 0;
      for (let k = 0; k < 2; k++) s += (X.x[i * 2 + k] - Q.x[j * 2 + k]) ** 2;
      close(D[i * Q.n + j], s, 1e-12);
    }
    assert.deepEqual(Array.from(takeRows(X, [4, 0]).x), [1, Math.fround(0.8), 0, 0]);
  });

  test('the TF.js engine (float32 matrix products) agrees with the JavaScript one', async () => {
    await selectBackend({ backend: 'wasm', device: 'cpu', threads: 1 });
    const rng = makeRng(9);
    const a = rows(Array.from({ length: 37 }, () => Array.from({ length: 50 }, () => gaussian(rng))));
    const b = rows(Array.from({ length: 1200 }, () => Array.from({ length: 50 }, () => gaussian(rng))));
    const js = squaredDistances(a, b);
    useTfDotEngine();
    try {
      const viaTf = squaredDistances(a, b);
      for (let i = 0; i < js.length; i++) close(viaTf[i], js[i], 1e-4 * js[i] + 1e-4);
    } finally {
      useDotEngine(null);
    }
  });
});

describe('KDE', () => {
  test('one training point: the Gaussian log density in closed form', () => {
    const h = 0.5;
    const lp = kdeLogDensity(rows([[1, 2, 3]]), rows([[1, 2, 3], [2, 2, 3]]), h);
    close(lp[0], -1.5 * Math.log(2 * Math.PI * h * h), 1e-12, 'at the point');
    close(lp[1], -1 / (2 * h * h) - 1.5 * Math.log(2 * Math.PI * h * h), 1e-12, 'one unit away');
    close(gaussianLogNorm(3, h), 1.5 * Math.log(2 * Math.PI * 0.25), 1e-15);
  });

  test('log density equals scikit-learn KernelDensity(bandwidth=0.7).score_samples', () => {
    const lp = kdeLogDensity(X, Q, 0.7);
    [-1.6476001452395452, -5.786863890613066, -1.8499937756004057, -8.86731677374723].forEach((v, i) => close(lp[i], v, 1e-6, `query ${i}`));
  });

  test('far from the data the log density does not underflow (log-sum-exp)', () => {
    const lp = kdeLogDensity(X, rows([[100, 100]]), 0.05);
    assert.ok(Number.isFinite(lp[0]) && lp[0] < -1e5);
  });

  test('the bandwidth grid is numpy.logspace(-4.5, 5, 20, base=2)', () => {
    assert.equal(KDE_BANDWIDTHS.length, 20);
    close(KDE_BANDWIDTHS[0], 0.04419417382415922, 1e-15);
    close(KDE_BANDWIDTHS[1], 0.0625, 1e-15);
    close(KDE_BANDWIDTHS[19], 32, 1e-12);
    assert.deepEqual(logspace(0, 2, 3), [1, 10, 100]);
  });

  test('cross-validation: fold scores equal brute-force fits on the folds; the bandwidth with the best mean wins', () => {
    const rng = makeRng(3);
    const data = rows(Array.from({ length: 23 }, () => [gaussian(rng), gaussian(rng), 0.5 * gaussian(rng)]));
    const k = 5;
    const fold = foldAssignment(data.n, k, permutation(data.n, makeRng(4)));
    assert.deepEqual([0, 1, 2, 3, 4].map((f) => fold.filter((v) => v === f).length), [5, 5, 5, 4, 4], 'sklearn KFold sizes');
    const hs = [0.1, 0.5, 1, 4];
    const cv = kdeCrossValidate(data, hs, fold, k);
    hs.forEach((h, b) => {
      let total = 0;
      for (let f = 0; f < k; f++) {
        const inF = [...fold.keys()].filter((i) => fold[i] === f);
        const outF = [...fold.keys()].filter((i) => fold[i] !== f);
        total += kdeLogDensity(takeRows(data, outF), takeRows(data, inF), h).reduce((a, v) => a + v, 0);
      }
      close(cv.meanScores[b], total / k, 1e-9, `h = ${h}`);
    });
    assert.equal(cv.best, hs[cv.meanScores.indexOf(Math.max(...cv.meanScores))]);
    assert.ok(cv.best === 0.5 || cv.best === 1, `a bandwidth near the data's scale, got ${cv.best}`);
  });
});

describe('OC-SVM (libsvm-js)', () => {
  test('decision values equal scikit-learn OneClassSVM(gamma=0.5, nu=0.3) on the same data', async () => {
    const m = await fitOcsvm(X, { gamma: 0.5, nu: 0.3 });
    assert.equal(m.coef.length, 5, 'support vectors');
    close(m.rho, 1.454709102009832, 1e-6, 'rho');
    const f = ocsvmDecision(m, Q);
    [0.33996311632332654, -1.145481280720114, 0.24543899177708717, -1.4130668635381665].forEach((v, i) => close(f[i], v, 1e-6, `query ${i}`));
  });

  test('a precomputed kernel (also on a subset of a larger distance matrix) gives the same model as libsvm\'s RBF kernel', async () => {
    const ref = await fitOcsvm(X, { gamma: 0.5, nu: 0.3 });
    const pre = await fitOcsvm(X, { gamma: 0.5, nu: 0.3 }, { dist: trainDistances(X), n: X.n });
    assert.deepEqual(pre.svIndices, ref.svIndices);
    close(pre.rho, ref.rho, 1e-6, 'rho (distances stored in float32)');
    pre.coef.forEach((c, i) => close(c, ref.coef[i], 1e-6, 'coef'));
    // X is rows 2..11 of a larger set
    const big = rows([[5, 5], [-4, 2], ...Array.from({ length: X.n }, (_, i) => [X.x[2 * i], X.x[2 * i + 1]])]);
    const sub = await fitOcsvm(X, { gamma: 0.5, nu: 0.3 }, { dist: trainDistances(big), n: big.n, idx: Int32Array.from({ length: X.n }, (_, i) => i + 2) });
    assert.deepEqual(sub.svIndices, ref.svIndices);
    close(sub.rho, ref.rho, 1e-6, 'rho');
  });

  test('separable toy data: positive inside the training cluster, negative far outside', async () => {
    const rng = makeRng(1);
    const cluster = rows(Array.from({ length: 60 }, () => [0.1 * gaussian(rng), 0.1 * gaussian(rng)]));
    const m = await fitOcsvm(cluster, { gamma: 2, nu: 0.1 });
    const f = ocsvmDecision(m, rows([[0, 0], [0.02, -0.03], [3, 3], [-2, 1]]));
    assert.ok(f[0] > 0 && f[1] > 0, `inside: ${f[0]}, ${f[1]}`);
    assert.ok(f[2] < 0 && f[3] < 0, `outside: ${f[2]}, ${f[3]}`);
    // ν bounds the fraction of training points outside the boundary
    const out = ocsvmDecision(m, cluster).filter((v) => v < -1e-9).length;
    assert.ok(out <= 0.1 * 60 + 1, `${out} training points outside`);
  });

  test('libsvm model files: ρ and the coefficients are read', () => {
    const p = parseLibsvmModel('svm_type one_class\nkernel_type rbf\ngamma 0.5\nnr_class 2\ntotal_sv 2\nrho 1.5\nSV\n0.25 1:0 2:1 \n1 1:3 2:4 \n');
    assert.equal(p.rho, 1.5);
    assert.equal(p.gamma, 0.5);
    assert.deepEqual(Array.from(p.coef), [0.25, 1]);
  });

  test('the γ grid is 2^-10 … 2^-1', () => {
    assert.equal(GAMMA_GRID.length, 10);
    assert.equal(GAMMA_GRID[0], 1 / 1024);
    assert.equal(GAMMA_GRID[9], 0.5);
  });
});

describe('Isolation Forest', () => {
  test('c(n), the average path length normaliser', () => {
    assert.equal(averagePathLength(1), 0);
    assert.equal(averagePathLength(2), 1);
    close(averagePathLength(3), 2 * (Math.log(2) + 0.5772156649015329) - 4 / 3, 1e-12);
    close(averagePathLength(256), 10.244770920116851, 1e-9);
  });

  test('an isolated point scores higher than the bulk; scores lie in (0, 1]; the same seed gives the same forest', () => {
    const rng = makeRng(2);
    const data = rows([...Array.from({ length: 300 }, () => [gaussian(rng), gaussian(rng), 7])]);
    const forest = fitIsolationForest(data, { nEstimators: 50, maxSamples: 64 }, makeRng(5));
    assert.equal(forest.maxSamples, 64);
    const s = isolationScores(forest, rows([[0, 0, 7], [6, -6, 7]]));
    assert.ok(s[1] > s[0] + 0.1, `isolated ${s[1]} vs bulk ${s[0]}`);
    assert.ok(s.every((v) => v > 0 && v <= 1));
    const again = isolationScores(fitIsolationForest(data, { nEstimators: 50, maxSamples: 64 }, makeRng(5)), rows([[0, 0, 7]]));
    assert.equal(again[0], s[0]);
    // the constant third feature is never split on
    assert.ok(forest.trees.every((t) => !t.feature.includes(2)));
  });

  test('maxSamples above the training set size is capped at it', () => {
    const f = fitIsolationForest(X, { nEstimators: 3, maxSamples: 256 }, makeRng(1));
    assert.equal(f.maxSamples, X.n);
  });
});

describe('PCA', () => {
  test('the fewest components whose variance ratio exceeds the fraction (sklearn rule)', () => {
    assert.equal(componentsFor([0.9, 0.09, 0.01], 0.95), 2);
    assert.equal(componentsFor([0.95, 0.04, 0.01], 0.95), 2, 'strictly more than 95 %');
    assert.equal(componentsFor([0.5, 0.5], 0.95), 2);
  });

  test('axis-aligned data with variances 100, 10, 1: 2 components for 95 %, projections keep the large coordinates', () => {
    const rng = makeRng(7);
    const raw = Array.from({ length: 400 }, () => [10 * gaussian(rng), Math.sqrt(10) * gaussian(rng), gaussian(rng)]);
    const m = fitPca(rows(raw), 0.95);
    assert.equal(m.k, 2);
    close(m.explained[0], 100 / 111, 0.04);
    close(m.explained[1], 10 / 111, 0.03);
    const p = pcaTransform(m, rows(raw));
    assert.equal(p.d, 2);
    for (let i = 0; i < 5; i++) {
      close(Math.abs(p.x[i * 2]), Math.abs(raw[i][0] - m.mean[0]), 0.2 * Math.abs(raw[i][0]) + 0.5, 'first axis ≈ x');
    }
    // all components: distances are preserved (a rotation)
    const full = fitPca(rows(raw), 0.999999);
    assert.equal(full.k, 3);
    const q = pcaTransform(full, rows(raw.slice(0, 2)));
    const dOrig = raw[0].reduce((s, v, k) => s + (v - raw[1][k]) ** 2, 0);
    const dProj = (q.x[0] - q.x[3]) ** 2 + (q.x[1] - q.x[4]) ** 2 + (q.x[2] - q.x[5]) ** 2;
    close(dProj, dOrig, 1e-3 * dOrig);
  });
});

describe('hold-out splits', () => {
  test('the test slice: 10 %, both classes in both parts, disjoint, reproducible', () => {
    const labels = new Uint8Array(200);
    labels[3] = 1; labels[150] = 1; labels[151] = 1;
    const a = splitTestSlice(labels, 0.1, makeRng(1));
    assert.equal(a.holdout.length, 20);
    assert.equal(a.rest.length, 180);
    for (const part of [a.holdout, a.rest]) assert.ok([...part].some((i) => labels[i] === 1) && [...part].some((i) => labels[i] === 0));
    assert.equal(new Set([...a.holdout, ...a.rest]).size, 200);
    assert.deepEqual(splitTestSlice(labels, 0.1, makeRng(1)), a);
    assert.throws(() => splitTestSlice(Uint8Array.from([0, 0, 1]), 0.1, makeRng(1)), /both parts/);
  });

  test('training hold-out and the grid winner (first of equal values)', () => {
    const s = splitHoldout(50, 0.1, makeRng(1));
    assert.equal(s.holdout.length, 5);
    assert.equal(s.rest.length, 45);
    assert.deepEqual(bestOf([{ params: 'a', value: 0.5 }, { params: 'b', value: 0.9 }, { params: 'c', value: 0.9 }]).params, 'b');
  });
});
