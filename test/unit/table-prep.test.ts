import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applyTableScaler, fitTableScaler, stratifiedSplit } from '../../src/data/table-prep.js';
import { makeRng, type Rng } from '../../src/util/rng.js';
import { close, closeEach } from '../helpers/assert.js';

/** An Rng that always draws 0: Fisher–Yates then swaps p[i] with p[0] for i = n−1 .. 1. */
const zeroRng: Rng = { next: () => 0, state: () => ({}) };

describe('stratifiedSplit', () => {
  test('hand-computed split with a constant generator', () => {
    // normals [0, 2, 3] permute to positions [1, 2, 0] → test ceil(1.5) = 2: rows 2, 3; train: row 0
    // outliers [1, 4] permute to [1, 0] → test ceil(1) = 1: row 4; train: row 1
    const { train, test: tst } = stratifiedSplit(Uint8Array.from([0, 1, 0, 0, 1]), 0.5, zeroRng);
    assert.deepEqual([...train], [0, 1]);
    assert.deepEqual([...tst], [2, 3, 4]);
  });

  test('ceil(testFrac · size) of each group goes to test; the lists are sorted, disjoint and cover every row', () => {
    const isOutlier = Uint8Array.from([0, 0, 1, 0, 0, 1, 0, 0, 1, 0]); // 7 normals, 3 outliers
    const { train, test: tst } = stratifiedSplit(isOutlier, 0.4, makeRng(7));
    const outliers = (ix: Int32Array) => [...ix].filter((i) => isOutlier[i]).length;
    assert.equal(tst.length, 3 + 2); // ceil(2.8) normals + ceil(1.2) outliers
    assert.equal(outliers(tst), 2);
    assert.equal(outliers(train), 1);
    assert.deepEqual([...train, ...tst].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const ix of [train, tst]) assert.deepEqual([...ix], [...ix].sort((a, b) => a - b));
  });

  test('any nonzero flag is an outlier; a group may be empty', () => {
    const { train, test: tst } = stratifiedSplit(Uint8Array.from([0, 0, 0, 0]), 0.25, makeRng(1));
    assert.equal(tst.length, 1);
    assert.equal(train.length, 3);
    const s = stratifiedSplit(Uint8Array.from([2, 0, 255]), 0.5, makeRng(1));
    assert.equal(s.test.filter((i) => i !== 1).length, 1); // ceil(0.5 · 2) of the outliers 0 and 2
  });

  test('the same seed gives the same split, and the permutation depends on the seed', () => {
    const flags = new Uint8Array(50).map((_, i) => (i % 5 === 0 ? 1 : 0));
    const a = stratifiedSplit(flags, 0.4, makeRng(3));
    assert.deepEqual(a, stratifiedSplit(flags, 0.4, makeRng(3)));
    assert.notDeepEqual([...a.test], [...stratifiedSplit(flags, 0.4, makeRng(4)).test]);
  });

  test('testFrac must lie in (0, 1)', () => {
    for (const f of [0, 1, -0.1, NaN]) assert.throws(() => stratifiedSplit(new Uint8Array(3), f, makeRng(1)), RangeError);
  });
});

describe('fitTableScaler / applyTableScaler', () => {
  // column 0: 1, 2, 3, 6 → mean 3, deviations −2, −1, 0, 3, variance 14/4 = 3.5; column 1: constant 10
  const x = Float64Array.from([1, 10, 2, 10, 3, 10, 6, 10]);

  test('mean, population std, standardised min and max; a constant column gets std 1', () => {
    const s = fitTableScaler(x, 4, 2);
    assert.deepEqual(s.mean, [3, 10]);
    close(s.std[0], Math.sqrt(3.5));
    assert.equal(s.std[1], 1);
    close(s.min[0], -2 / Math.sqrt(3.5));
    close(s.max[0], 3 / Math.sqrt(3.5));
    assert.deepEqual([s.min[1], s.max[1]], [0, 0]);
  });

  test('training rows scale into [0, 1]; other rows may fall outside; a zero range counts as 1', () => {
    const s = fitTableScaler(x, 4, 2);
    // column 0: (deviation + 2) / 5; column 1: (x − 10) / 1
    closeEach(applyTableScaler(x, 4, 2, s), [0, 0, 0.2, 0, 0.4, 0, 1, 0], 1e-7);
    closeEach(applyTableScaler(Float64Array.from([8, 11, 0, 9]), 2, 2, s), [1.4, 1, -0.2, -1], 1e-6);
  });

  test('a constant column whose computed variance is not exactly 0 still gets std 1 (as sklearn)', () => {
    const c = Float64Array.from([0.1, 0.1, 0.1]); // the mean rounds to 0.10000000000000002
    assert.equal(fitTableScaler(c, 3, 1).std[0], 1);
    assert.deepEqual([...applyTableScaler(c, 3, 1, fitTableScaler(c, 3, 1))], [0, 0, 0]);
  });

  test('one row: every feature is constant', () => {
    const s = fitTableScaler(Float64Array.from([5, -2]), 1, 2);
    assert.deepEqual(s, { mean: [5, -2], std: [1, 1], min: [0, 0], max: [0, 0] });
  });

  test('shape mismatches are RangeErrors', () => {
    assert.throws(() => fitTableScaler(x, 3, 2), RangeError);
    assert.throws(() => fitTableScaler(new Float64Array(0), 0, 2), RangeError);
    assert.throws(() => applyTableScaler(x, 4, 2, { mean: [0], std: [1], min: [0], max: [1] }), RangeError);
  });
});
