import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collapseDiagnostics, COLLAPSE_LIMITS, distinctFloat32 } from '../../src/eval/collapse.js';
import {
  f1OptimalThreshold, falsePositiveRate, fprThreshold, pickThreshold, precisionRecallF1, quantileThreshold,
} from '../../src/eval/thresholds.js';
import { trainingSelection } from '../../src/data/select.js';
import { chooseThreshold } from '../../src/experiments/threshold-choice.js';

test('quantileThreshold: NumPy linear quantile at 1 − ν (hand-computed)', () => {
  // sorted 1 2 3 4 10; ν = 0.1 → q 0.9, h = 4·0.9 = 3.6 → 4 + 0.6·(10 − 4) = 7.6
  assert.ok(Math.abs(quantileThreshold([10, 2, 4, 1, 3], 0.1) - 7.6) < 1e-12);
  // ν = 0.5: the median 3; ν = 1: the minimum
  assert.equal(quantileThreshold([10, 2, 4, 1, 3], 0.5), 3);
  assert.equal(quantileThreshold([10, 2, 4, 1, 3], 1), 1);
  // ties: 1 1 1 5, ν = 0.5 → h = 1.5 → 1
  assert.equal(quantileThreshold([1, 5, 1, 1], 0.5), 1);
  assert.throws(() => quantileThreshold([1], 0), /nu/);
});

test('fprThreshold: the lowest cut flagging at most ⌊α·n⌋ normals, ties included', () => {
  const s = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
  // α = 0.2, n = 10: 2 may lie above → the 3rd largest, 0.8 (0.9 and 1.0 flagged)
  assert.equal(fprThreshold(s, 0.2), 0.8);
  assert.equal(falsePositiveRate(s.map(() => 0), s, 0.8), 0.2);
  // α = 0.25: ⌊2.5⌋ = 2 → still 0.8 (FPR 0.2 ≤ 0.25)
  assert.equal(fprThreshold(s, 0.25), 0.8);
  // α = 0: nothing above → the maximum
  assert.equal(fprThreshold(s, 0), 1.0);
  // α·n that rounds below a whole number: 0.29·100 = 28.999999999999996 → 29 allowed
  const hundred = Array.from({ length: 100 }, (_, i) => i);
  assert.equal(fprThreshold(hundred, 0.29), 70); // 71..99: 29 above
  // ties at the cut: 1 2 2 2 3, α = 0.4 → 2 may lie above → the 3rd largest is 2; only 3 lies above (FPR 0.2)
  const tied = [2, 1, 2, 3, 2];
  assert.equal(fprThreshold(tied, 0.4), 2);
  assert.equal(falsePositiveRate([0, 0, 0, 0, 0], tied, 2), 0.2);
  // a lower cut (1) would flag 4 of 5: above the target
  assert.equal(falsePositiveRate([0, 0, 0, 0, 0], tied, 1), 0.8);
  assert.throws(() => fprThreshold(s, 1), /\[0, 1\)/);
  assert.throws(() => fprThreshold([], 0.1), /no normal/);
});

test('f1OptimalThreshold: hand-computed F1 over every cut, ties never split, ties of F1 to the higher cut', () => {
  // scores (label): 0.9 (1), 0.8 (1), 0.7 (0), 0.6 (1), 0.2 (0), 0.1 (0); 3 positives
  const labels = [1, 1, 0, 1, 0, 0];
  const scores = [0.9, 0.8, 0.7, 0.6, 0.2, 0.1];
  // cuts: >0.8 → TP1 FP0 → F1 2/(2+0+2) = 0.5; >0.7 → TP2 → 4/(4+1) = 0.8; >0.6 → TP2 FP1 → 4/6;
  //       >0.2 → TP3 FP1 → 6/7 ≈ 0.857 (best); >0.1 → TP3 FP2 → 6/8; all → 6/9
  const best = f1OptimalThreshold(labels, scores)!;
  assert.equal(best.threshold, 0.2);
  assert.ok(Math.abs(best.f1 - 6 / 7) < 1e-12);
  assert.equal(best.precision, 0.75);
  assert.equal(best.recall, 1);
  // a tie across the classes: 0.5 (1), 0.5 (0), 0.5 (1), 0.1 (0). Cuts: >0.5 flags none (F1 0);
  // >0.1 flags the whole tie: TP2 FP1 → 4/5; all: TP2 FP2 → 4/6. Best: 0.1, the tie kept whole.
  const t = f1OptimalThreshold([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.1])!;
  assert.equal(t.threshold, 0.1);
  assert.ok(Math.abs(t.f1 - 0.8) < 1e-12);
  // equal F1 at two cuts: labels 1 0 0 1, scores 4 3 2 1: >3 → TP1 FP0 FN1 → 2/3; >2 → 2/4; >1 → 2/5;
  // all → TP2 FP2 → 4/6 = 2/3: the tie goes to the higher cut, 3
  assert.equal(f1OptimalThreshold([1, 0, 0, 1], [4, 3, 2, 1])!.threshold, 3);
  // 0 1 1 at 1 2 3: >2 → 2/3; >1 → TP2 FP0 → 1 (best)
  assert.equal(f1OptimalThreshold([0, 1, 1], [1, 2, 3])!.threshold, 1);
  // all positives at one score: only "flag all" finds them, a cut just below that score
  const lowAll = f1OptimalThreshold([1, 1], [5, 5])!;
  assert.ok(lowAll.threshold < 5 && lowAll.threshold > 4.999999, String(lowAll.threshold));
  assert.equal(lowAll.f1, 1);
  // no anomalies: null (anomalib #2433), the caller falls back
  assert.equal(f1OptimalThreshold([0, 0, 0], [1, 2, 3]), null);
  assert.throws(() => f1OptimalThreshold([0, 2], [1, 2]), /expected 0 or 1/);
});

test('precisionRecallF1: strict ">" at the cut, ties at the cut are normal (hand-computed)', () => {
  // scores 1 2 2 3, labels 0 1 0 1; cut 2: only 3 flagged → TP1 FP0 FN1 → P 1, R 0.5, F1 2/3
  const r = precisionRecallF1([0, 1, 0, 1], [1, 2, 2, 3], 2);
  assert.deepEqual({ p: r.precision, r: r.recall, n: r.nPredictedOutliers }, { p: 1, r: 0.5, n: 1 });
  assert.ok(Math.abs(r.f1 - 2 / 3) < 1e-12);
  // cut 1: both 2s flagged → TP2 FP1 → P 2/3, R 1, F1 4/5
  const s = precisionRecallF1([0, 1, 0, 1], [1, 2, 2, 3], 1);
  assert.ok(Math.abs(s.precision - 2 / 3) < 1e-12 && s.recall === 1 && Math.abs(s.f1 - 0.8) < 1e-12);
});

test('pickThreshold: each mode, and what a mode lacks in words', () => {
  const o = { quantile: 0, targetFpr: 0.5, labels: [0, 0, 1, 1], scores: [1, 2, 3, 4] };
  assert.deepEqual(pickThreshold('quantile', o), { threshold: 0 });
  assert.deepEqual(pickThreshold('fpr', o), { threshold: 1 }); // normals 1, 2; α 0.5 → 1 may lie above → 1
  assert.deepEqual(pickThreshold('f1', o), { threshold: 2 });
  assert.match((pickThreshold('f1', { ...o, labels: [0, 0, 0, 0] }) as { missing: string }).missing, /no anomalies/);
  assert.match((pickThreshold('fpr', { ...o, labels: [1, 1, 1, 1] }) as { missing: string }).missing, /no validation split of normal/);
  assert.match((pickThreshold('f1', { ...o, labels: [], scores: [] }) as { missing: string }).missing, /no validation split/);
});

test('chooseThreshold: F1 without anomalies falls back to the quantile cut and says so; fpr records its target', () => {
  const f = chooseThreshold({ threshold: 'f1', targetFpr: 0.05, valData: undefined }, -0.5, [1, 2, 3], []);
  assert.equal(f.threshold, -0.5);
  assert.equal(f.warn, true);
  assert.equal(f.results.mode, 'quantile');
  assert.equal(f.results.requested, 'f1');
  assert.match(f.results.fallback!, /no anomalies/);
  assert.match(f.line, /--threshold f1 cannot choose/);
  assert.equal(f.model.fallback, f.results.fallback);
  const p = chooseThreshold({ threshold: 'fpr', targetFpr: 0.5, valData: undefined }, 0, [1, 2, 3, 4], [10]);
  assert.equal(p.threshold, 2);
  assert.equal(p.results.target_fpr, 0.5);
  assert.deepEqual(p.results.val, { precision: 1 / 3, recall: 1, f1: 0.5, fpr: 0.5 });
  assert.deepEqual(p.model.validation, { scores: [1, 2, 3, 4, 10], labels: [0, 0, 0, 0, 1] });
  const q = chooseThreshold({ threshold: 'quantile', targetFpr: 0.05, valData: undefined }, 0, [], []);
  assert.equal(q.threshold, 0);
  assert.equal(q.model.validation, undefined);
  assert.equal(q.results.val, undefined);
});

test('collapseDiagnostics: hand-computed figures; a constant network, one on c, and one distinct score are collapsed', () => {
  // d = 1..5 (train), c = (1, 1): median 3, p5 = 1.2, p95 = 4.8 → spread 3.6 / 3 = 1.2; distance to c 3 / 2 = 1.5
  const ok = collapseDiagnostics({ trainDistances: [1, 2, 3, 4, 5], testScores: [0.1, 0.2, 0.3], c: [1, 1], initialMeanDistance: 6 });
  assert.ok(Math.abs(ok.train_distance_spread - 1.2) < 1e-12);
  assert.equal(ok.distance_to_c, 1.5);
  assert.equal(ok.distance_shrink, 0.5);
  assert.equal(ok.n_distinct_test_scores, 3);
  assert.equal(ok.collapsed, false);
  assert.deepEqual(ok.reasons, []);
  // every input mapped to one point a ≠ c: all distances nearly equal
  const constant = collapseDiagnostics({ trainDistances: [1, 1.0001, 0.9999, 1], testScores: [1, 2, 3], c: [1, 1] });
  assert.equal(constant.collapsed, true);
  assert.match(constant.reasons[0], /hardly differ/);
  // every input mapped onto c
  const onC = collapseDiagnostics({ trainDistances: [1e-9, 3e-9, 2e-9], testScores: [1, 2, 3], c: [1, 1] });
  assert.equal(onC.collapsed, true);
  assert.ok(onC.reasons.some((r) => /sit on c/.test(r)));
  // all distances exactly 0: no spread
  assert.equal(collapseDiagnostics({ trainDistances: [0, 0], testScores: [1, 2, 3], c: [1] }).train_distance_spread, 0);
  // one distinct test score (PyOD #606)
  const one = collapseDiagnostics({ trainDistances: [1, 2, 3, 4, 5], testScores: new Array(200).fill(-0.25), c: [1, 1] });
  assert.equal(one.n_distinct_test_scores, 1);
  assert.equal(one.collapsed, true);
  assert.match(one.reasons[0], /1 distinct test score of 200/);
  // distinct in float32: values that round to one float32 are one score
  assert.equal(distinctFloat32([1, 1 + 1e-12, 2]), 2);
  assert.ok(COLLAPSE_LIMITS.minSpread < 0.9, 'the limit lies below every healthy run measured (README)');
});

test('the validation split: held-out normals plus further seeded outliers of the pool, disjoint from training, seeded', () => {
  const normal = Int32Array.from({ length: 100 }, (_, i) => i);
  const pool = Int32Array.from({ length: 50 }, (_, i) => 1000 + i);
  const o = { seed: 3, valFrac: 0.2, outFrac: 0.1, valContamination: 0.2 };
  const s = trainingSelection(normal, pool, o, 'outliers');
  assert.equal(s.valIdx.length, 20);
  assert.equal(s.nOut, Math.ceil((0.1 * 80) / 0.9)); // 9 contaminate the training set
  assert.equal(s.valOutIdx.length, Math.ceil((0.2 * 20) / 0.8)); // 5: a fifth of the 25 validation images
  const train = new Set(s.trainIdx);
  for (const i of [...s.valIdx, ...s.valOutIdx]) assert.ok(!train.has(i), `${i} is in the training set too`);
  assert.ok([...s.valOutIdx].every((i) => i >= 1000), 'the validation anomalies come from the outlier pool');
  // adding validation anomalies changes nothing else: the same training set and validation normals as without them
  const without = trainingSelection(normal, pool, { ...o, valContamination: 0 }, 'outliers');
  assert.deepEqual([without.trainIdx, without.valIdx, without.valOutIdx.length], [s.trainIdx, s.valIdx, 0]);
  assert.deepEqual(trainingSelection(normal, pool, o, 'outliers').valOutIdx, s.valOutIdx);
  assert.notDeepEqual(trainingSelection(normal, pool, { ...o, seed: 4 }, 'outliers').valOutIdx, s.valOutIdx);
  // a small pool gives what is left after the contamination
  assert.equal(trainingSelection(normal, pool.subarray(0, 12), o, 'outliers').valOutIdx.length, 3);
  // no validation split, no validation anomalies
  assert.equal(trainingSelection(normal, pool, { ...o, valFrac: 0 }, 'outliers').valOutIdx.length, 0);
});
