import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  batchQuantileRadius,
  centerEpsFix,
  oneClassRadius,
  softBoundaryObjective,
  softBoundaryRadius,
} from '../../src/train/radius.js';
import { close } from '../helpers/assert.js';
import { mulberry32 } from '../helpers/random.js';

const D = [25, 1, 16, 4, 9]; // squared distances of points at distances 1..5

test('oneClassRadius: sqrt of the (1−ν) linear quantile of d', () => {
  assert.equal(oneClassRadius(D, 0.25), 4); // h = 4·0.75 = 3 → 16
  close(oneClassRadius(D, 0.1), Math.sqrt(16 + 0.6 * 9)); // h = 3.6
  assert.equal(oneClassRadius(D, 1), 1); // 0-quantile = min
  assert.throws(() => oneClassRadius(D, 0), RangeError);
  assert.throws(() => oneClassRadius(D, 1.5), RangeError);
  assert.throws(() => oneClassRadius([], 0.1), /empty/);
});

test('batchQuantileRadius: (1−ν) linear quantile of sqrt(d)', () => {
  close(batchQuantileRadius(D, 0.1), 4.6); // sqrt → 1..5, h = 3.6
  assert.equal(batchQuantileRadius(D, 0.25), 4);
  // Differs from oneClassRadius between points.
  assert.notEqual(batchQuantileRadius(D, 0.1), oneClassRadius(D, 0.1));
  assert.equal(batchQuantileRadius([0, -1e-12], 0.5), 0); // rounding negatives clamp to 0
});

test('softBoundaryRadius: hand-computed order statistics and edge cases', () => {
  // n = 5. m = ⌊νn⌋; s* = d_(n−m) ascending.
  assert.equal(softBoundaryRadius(D, 0.1), 5); // m = 0 → max
  assert.equal(softBoundaryRadius(D, 0.2), 4); // νn = 1 integer: flat on [16, 25], smallest chosen
  assert.equal(softBoundaryRadius(D, 0.3), 4); // m = 1
  assert.equal(softBoundaryRadius(D, 0.5), 3); // m = 2
  assert.equal(softBoundaryRadius(D, 0.99), 1); // m = 4 → min
  assert.equal(softBoundaryRadius(D, 1), 0); // m = n → R = 0
  // Integer νn: both ends of the flat piece have the same objective.
  close(softBoundaryObjective(D, 4, 0.2), softBoundaryObjective(D, 5, 0.2));
  close(softBoundaryObjective(D, 4, 0.2), 25);
  // ν = 1: flat on [0, d_min].
  close(softBoundaryObjective(D, 0, 1), softBoundaryObjective(D, 1, 1));
  assert.throws(() => softBoundaryRadius(D, 0), RangeError);
  assert.throws(() => softBoundaryRadius([], 0.1), /empty/);
  assert.equal(softBoundaryRadius([7], 0.5), Math.sqrt(7));
});

test('softBoundaryRadius: equals brute-force minimiser on random data; outside fraction ≤ ν, > ν − 1/n', () => {
  const rnd = mulberry32(2018);
  const nus = [0.01, 0.05, 0.1, 0.29, 0.3, 0.5, 0.7, 0.9, 1];
  for (const n of [1, 7, 10, 50, 100, 203]) {
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) d[i] = -Math.log(1 - rnd()) * 3; // exponential, distinct
    let dMax = 0;
    for (const v of d) dMax = Math.max(dMax, v);
    for (const nu of nus) {
      const R = softBoundaryRadius(d, nu);
      const fStar = softBoundaryObjective(d, R, nu);
      // Candidates: R = 0, every sqrt(d_i), and a fine grid of radii up to 1.1·max distance.
      let best = softBoundaryObjective(d, 0, nu);
      for (const v of d) best = Math.min(best, softBoundaryObjective(d, Math.sqrt(v), nu));
      const G = 2000;
      for (let k = 0; k <= G; k++) {
        best = Math.min(best, softBoundaryObjective(d, (1.1 * Math.sqrt(dMax) * k) / G, nu));
      }
      assert.ok(fStar <= best + 1e-9 * Math.max(1, best), `n=${n} nu=${nu}: F(R*)=${fStar} > ${best}`);
      close(fStar, best, 1e-9, `n=${n} nu=${nu}`);
      // Fraction outside.
      let out = 0;
      for (const v of d) if (v > R * R) out++;
      const frac = out / n;
      assert.ok(frac <= nu, `n=${n} nu=${nu}: outside fraction ${frac} > nu`);
      assert.ok(frac > nu - 1 / n - 1e-12, `n=${n} nu=${nu}: outside fraction ${frac} too small`);
    }
  }
});

test('softBoundaryRadius: νn just below an integer in floating point (0.29·100)', () => {
  const d = Array.from({ length: 100 }, (_, i) => (i + 1) * 0.37);
  const R = softBoundaryRadius(d, 0.29);
  const out = d.filter((v) => v > R * R).length;
  assert.equal(out, 29);
  close(R * R, 71 * 0.37, 1e-12);
});

test('centerEpsFix: small components pushed to ±eps, exact zero to +eps, input untouched', () => {
  const c = new Float32Array([0, -0, 0.05, -0.05, 0.2, -0.3, 0.1, -0.1, 1e-9, -1e-9]);
  const copy = new Float32Array(c);
  const f = centerEpsFix(c);
  const e = Math.fround(0.1);
  assert.deepEqual(Array.from(f), [e, e, e, -e, Math.fround(0.2), Math.fround(-0.3), e, -e, e, -e]);
  assert.deepEqual(c, copy);
  assert.notEqual(f, c);
  const g = centerEpsFix(new Float32Array([0.25, -0.25, 0.75, 0]), 0.5);
  assert.deepEqual(Array.from(g), [0.5, -0.5, 0.75, 0.5]);
  assert.throws(() => centerEpsFix(c, -1), RangeError);
});
