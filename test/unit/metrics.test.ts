import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  averagePrecision,
  fiveNumber,
  precisionRecallF1,
  quantile,
  rocAuc,
  scoreSpread,
} from '../../src/eval/metrics.js';
import { close } from '../helpers/assert.js';
import { mulberry32 } from '../helpers/random.js';

/** O(n²) AUC: fraction of (positive, negative) pairs ranked correctly, ties counting one half. */
function bruteAuc(labels: number[], scores: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      if (scores[i] > scores[j]) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

/** O(n²) AP straight from the definition: Σ over distinct thresholds (descending) of ΔR·P. */
function bruteAp(labels: number[], scores: number[]): number {
  const nPos = labels.filter((y) => y === 1).length;
  const thresholds = [...new Set(scores)].sort((a, b) => b - a);
  let ap = 0;
  let prevR = 0;
  for (const th of thresholds) {
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < labels.length; i++) {
      if (scores[i] >= th) {
        if (labels[i] === 1) tp++;
        else fp++;
      }
    }
    const r = tp / nPos;
    ap += (r - prevR) * (tp / (tp + fp));
    prevR = r;
  }
  return ap;
}

test('rocAuc: documented sklearn example', () => {
  assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
});

test('rocAuc: all scores tied gives 0.5', () => {
  assert.equal(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5);
});

test('rocAuc: perfect, inverted, partial ties (hand-computed)', () => {
  assert.equal(rocAuc([0, 0, 1, 1], [1, 2, 3, 4]), 1);
  assert.equal(rocAuc([1, 1, 0, 0], [1, 2, 3, 4]), 0);
  // positives 0.5, 0.9, 0.5 vs negatives 0.1, 0.5, 0.2: 2.5 + 3 + 2.5 = 8 of 9 pairs.
  close(rocAuc([0, 0, 1, 1, 0, 1], [0.1, 0.5, 0.5, 0.9, 0.2, 0.5]), 8 / 9);
  // Accepts Float64Array / Float32Array and ±Infinity scores.
  assert.equal(
    rocAuc(new Float64Array([0, 1, 0, 1]), new Float32Array([-Infinity, Infinity, 0, 1])),
    1,
  );
});

test('rocAuc: throws when only one class is present or input is invalid', () => {
  assert.throws(() => rocAuc([0, 0, 0], [0.1, 0.2, 0.3]), /one class/);
  assert.throws(() => rocAuc([1, 1], [0.1, 0.2]), /one class/);
  assert.throws(() => rocAuc([0, 1], [0.1]), /length/);
  assert.throws(() => rocAuc([0, 2], [0.1, 0.2]), /expected 0 or 1/);
  assert.throws(() => rocAuc([0, 1], [0.1, NaN]), /NaN/);
  assert.throws(() => rocAuc([], []), /empty/);
});

test('rocAuc and averagePrecision: larger random case with ties vs O(n²) brute force', () => {
  const rnd = mulberry32(12345);
  for (const n of [50, 301]) {
    const labels: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < n; i++) {
      const y = rnd() < 0.3 ? 1 : 0;
      labels.push(y);
      // Rounded to 1 decimal to create many ties; outliers shifted up a little.
      scores.push(Math.round((rnd() + 0.3 * y) * 10) / 10);
    }
    close(rocAuc(labels, scores), bruteAuc(labels, scores), 1e-12, `auc n=${n}`);
    close(averagePrecision(labels, scores), bruteAp(labels, scores), 1e-12, `ap n=${n}`);
    // Continuous scores (no ties) too.
    const cont = labels.map((y) => rnd() + 0.5 * y);
    close(rocAuc(labels, cont), bruteAuc(labels, cont), 1e-12, `auc cont n=${n}`);
    close(averagePrecision(labels, cont), bruteAp(labels, cont), 1e-12, `ap cont n=${n}`);
  }
});

test('averagePrecision: documented sklearn example', () => {
  close(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.8333333333333333, 1e-15);
});

test('averagePrecision: ties grouped into one threshold (hand-computed)', () => {
  // All tied: one step, P = 0.5, R = 1.
  assert.equal(averagePrecision([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5);
  // thresholds 0.9: P=1/2 R=1/3; 0.5: P=2/3 R=2/3; 0.3: P=3/5 R=1 → (1/2 + 2/3 + 3/5)/3 = 53/90.
  close(averagePrecision([1, 0, 1, 0, 1], [0.9, 0.9, 0.5, 0.3, 0.3]), 53 / 90);
  assert.equal(averagePrecision([0, 0, 1, 1], [1, 2, 3, 4]), 1);
  // Positive ranked last: P at its threshold is 1/4.
  close(averagePrecision([1, 0, 0, 0], [1, 2, 3, 4]), 0.25);
  // All positives: AP 1; no positives: 0 (as sklearn, which warns).
  assert.equal(averagePrecision([1, 1, 1], [0.1, 0.2, 0.2]), 1);
  assert.equal(averagePrecision([0, 0, 0], [0.1, 0.2, 0.2]), 0);
});

test('quantile: numpy linear interpolation', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([4, 3, 2, 1], 0.25), 1.75);
  assert.equal(quantile([10, 7, 4, 3, 2, 1], 0.5), 3.5); // numpy docs example
  assert.equal(quantile([3, 1, 2], 0), 1);
  assert.equal(quantile([3, 1, 2], 1), 3);
  assert.equal(quantile([42], 0.3), 42);
  // h = 9·0.95 = 8.55 between 8 and 9 → 8.55 (computed from the upper end as numpy does for t ≥ 0.5).
  close(quantile([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0.95), 8.55, 1e-15);
  assert.equal(quantile(new Float32Array([2, 0.5, 1]), 0.5), 1);
  assert.ok(Number.isNaN(quantile([1, NaN, 3], 0.5)));
  assert.throws(() => quantile([1, 2], 1.5), /\[0, 1\]/);
  assert.throws(() => quantile([1, 2], -0.1), /\[0, 1\]/);
  assert.throws(() => quantile([], 0.5), /empty/);
});

test('precisionRecallF1: strict threshold, zero where undefined', () => {
  const labels = [0, 0, 1, 1, 1];
  const scores = [0.1, 0.6, 0.7, 0.2, 0.9];
  const r = precisionRecallF1(labels, scores, 0.5);
  close(r.precision, 2 / 3);
  close(r.recall, 2 / 3);
  close(r.f1, 2 / 3);
  assert.equal(r.threshold, 0.5);
  assert.equal(r.nPredictedOutliers, 3);
  // score == threshold is NOT an outlier: 0.7 excluded → tp 1 (0.9), fp 0, fn 2.
  const s = precisionRecallF1(labels, scores, 0.7);
  assert.equal(s.nPredictedOutliers, 1);
  assert.equal(s.precision, 1);
  close(s.recall, 1 / 3);
  close(s.f1, 0.5);
  // Nothing predicted: precision 0 (0/0), recall 0, f1 0.
  assert.deepEqual(precisionRecallF1(labels, scores, 1), {
    precision: 0,
    recall: 0,
    f1: 0,
    threshold: 1,
    nPredictedOutliers: 0,
  });
  // No outliers at all and none predicted: all 0.
  const z = precisionRecallF1([0, 0], [0.1, 0.2], 0.5);
  assert.equal(z.precision, 0);
  assert.equal(z.recall, 0);
  assert.equal(z.f1, 0);
});

test('fiveNumber: min, p5, median, p95, max', () => {
  const a = Array.from({ length: 101 }, (_, i) => 100 - i);
  const f = fiveNumber(a);
  assert.equal(f.min, 0);
  close(f.p5, 5);
  assert.equal(f.median, 50);
  close(f.p95, 95);
  assert.equal(f.max, 100);
  const b = fiveNumber(Array.from({ length: 20 }, (_, i) => i + 1));
  close(b.p5, 1.95); // h = 19·0.05 = 0.95
  assert.equal(b.median, 10.5);
  close(b.p95, 19.05); // h = 18.05
  assert.equal(b.min, 1);
  assert.equal(b.max, 20);
});

test('scoreSpread: population standard deviation', () => {
  assert.equal(scoreSpread([2, 4, 4, 4, 5, 5, 7, 9]), 2);
  assert.equal(scoreSpread([3, 3, 3]), 0);
  close(scoreSpread(new Float32Array([1, 2])), 0.5);
  assert.throws(() => scoreSpread([]), /empty/);
});
