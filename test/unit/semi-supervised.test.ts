/** Deep SAD's semi-supervised training set: the authors' counts, the draws, users' own labels, and the errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainingSelection } from '../../src/data/select.js';
import {
  knownOutlierClasses, ratioSelection, runTrainingSelection, semiSupervisedCounts, splitSemiLabelColumn, userLabelSelection,
} from '../../src/data/semi-supervised.js';
import { throwsUser } from '../helpers/assert.js';

// [n, r_n, r_l, r_p] → int() of numpy.linalg.solve of the authors' system (create_semisupervised_setting), numpy 2.4
const AUTHORS: Array<[[number, number, number, number], [number, number, number, number]]> = [
  [[5923, 0, 0, 0], [0, 5923, 0, 0]],
  [[5923, 0, 0.01, 0], [0, 5923, 0, 59]], // 59.83
  [[5923, 0, 0.05, 0], [0, 5923, 0, 311]], // 311.74
  [[5923, 0, 0.2, 0], [0, 5923, 0, 1480]], // 1480.75
  [[2000, 0, 0.05, 0], [0, 2000, 0, 105]],
  [[1000, 0.1, 0.05, 0.1], [115, 884, 98, 57]], // 115.61 + 884.39: one normal left out
  [[100, 0, 0.01, 0.1], [0, 100, 11, 1]],
];

test('semiSupervisedCounts: the authors\' counts (labelled normal, unlabelled normal, unlabelled anomaly, labelled anomaly)', () => {
  for (const [[n, rn, rl, rp], [ln, un, uo, lo]] of AUTHORS) {
    const c = semiSupervisedCounts(n, rn, rl, rp);
    assert.deepEqual([c.labelled_normal, c.unlabelled_normal, c.unlabelled_outlier, c.labelled_outlier], [ln, un, uo, lo], `n ${n}, r_n ${rn}, r_l ${rl}, r_p ${rp}`);
  }
  // γ_l = m / (n + m): 105 / 2105 ≈ 0.0499
  assert.throws(() => semiSupervisedCounts(10, 0, 1, 0), RangeError);
  assert.throws(() => semiSupervisedCounts(10, -0.1, 0, 0), RangeError);
});

const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);

test('ratioSelection: normals ascending, then the pollution, then the labelled anomalies of the known classes; seeded', () => {
  const normal = range(0, 100);
  const pool = range(100, 200); // classes: 100..149 class 1, 150..199 class 2
  const known = range(100, 150);
  const r = { ratioKnownOutlier: 0.1, ratioKnownNormal: 0.05, ratioPollution: 0.1 };
  const a = ratioSelection(normal, pool, known, r, 3, 'samples');
  const c = semiSupervisedCounts(100, 0.05, 0.1, 0.1);
  assert.deepEqual(a.counts, c);
  const n = c.labelled_normal + c.unlabelled_normal;
  assert.equal(a.trainIdx.length, n + c.unlabelled_outlier + c.labelled_outlier);
  assert.ok(a.trainIdx.subarray(0, n).every((v, k, arr) => v < 100 && (k === 0 || v > arr[k - 1])), 'normals first, ascending');
  assert.equal(a.semi.subarray(0, n).filter((y) => y === 1).length, c.labelled_normal);
  const pollution = a.trainIdx.subarray(n, n + c.unlabelled_outlier);
  const labelled = a.trainIdx.subarray(n + c.unlabelled_outlier);
  assert.ok(Array.from(a.semi.subarray(n, n + c.unlabelled_outlier)).every((y) => y === 0));
  assert.ok(Array.from(a.semi.subarray(n + c.unlabelled_outlier)).every((y) => y === -1));
  assert.ok(labelled.every((i) => i >= 100 && i < 150), 'labelled anomalies from the known class');
  assert.ok(pollution.every((i) => i >= 100 && i < 200) && pollution.every((i) => !labelled.includes(i)), 'pollution disjoint from the labelled');
  assert.deepEqual(ratioSelection(normal, pool, known, r, 3, 'samples'), a, 'same seed, same set');
  assert.notDeepEqual(ratioSelection(normal, pool, known, r, 4, 'samples').trainIdx, a.trainIdx, 'another seed, another draw');
});

test('ratioSelection with every ratio 0 is the normals as they are, all unlabelled', () => {
  const normal = Int32Array.from([3, 5, 8, 13]);
  const s = ratioSelection(normal, range(20, 30), range(20, 25), { ratioKnownOutlier: 0, ratioKnownNormal: 0, ratioPollution: 0 }, 1, 'samples');
  assert.deepEqual(Array.from(s.trainIdx), [3, 5, 8, 13]);
  assert.deepEqual(Array.from(s.semi), [0, 0, 0, 0]);
});

test('ratioSelection: more labelled anomalies or pollution than exist is a one-line error', () => {
  const r = { ratioKnownOutlier: 0.5, ratioKnownNormal: 0, ratioPollution: 0 };
  throwsUser(() => ratioSelection(range(0, 100), range(100, 200), range(100, 150), r, 1, 'training images'), '--ratio-known-outlier 0.5 asks for 100 labelled anomalies', 'only 50 training images');
  throwsUser(() => ratioSelection(range(0, 100), range(100, 110), range(100, 105), { ratioKnownOutlier: 0, ratioKnownNormal: 0, ratioPollution: 0.5 }, 1, 'rows'), '--ratio-pollution 0.5 asks for 100');
});

test('userLabelSelection: the normals with their labels, then the other labelled samples; counts', () => {
  const label = (i: number) => (i === 2 ? 1 : i >= 10 && i < 13 ? -1 : 0);
  const s = userLabelSelection(Int32Array.from([1, 2, 3]), range(10, 20), label);
  assert.deepEqual(Array.from(s.trainIdx), [1, 2, 3, 10, 11, 12]);
  assert.deepEqual(Array.from(s.semi), [0, 1, 0, -1, -1, -1]);
  assert.deepEqual(s.counts, { labelled_normal: 1, labelled_outlier: 3, unlabelled_normal: 2, unlabelled_outlier: 0 });
});

test('knownOutlierClasses: none, the given ones, -1 = all, or a seeded draw of n', () => {
  const outlier = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  assert.deepEqual(knownOutlierClasses(outlier, undefined, 0, 1), []);
  assert.deepEqual(knownOutlierClasses(outlier, [3, 1], undefined, 1), [1, 3]);
  assert.deepEqual(knownOutlierClasses(outlier, [-1], undefined, 1), outlier);
  const drawn = knownOutlierClasses(outlier, undefined, 3, 7);
  assert.equal(drawn.length, 3);
  assert.ok(drawn.every((c) => outlier.includes(c)));
  assert.deepEqual(knownOutlierClasses(outlier, undefined, 3, 7), drawn);
  throwsUser(() => knownOutlierClasses(outlier, [0], undefined, 1), '--known-outlier-class 0 is not an outlier class');
  throwsUser(() => knownOutlierClasses(outlier, [1, 2], 1, 1), '--n-known-outlier-classes 1 differs');
  throwsUser(() => knownOutlierClasses(outlier, undefined, 10, 1), 'more than the 9 outlier classes');
});

test('runTrainingSelection: without Deep SAD or its options, the one-class selection exactly', () => {
  const normal = range(0, 50);
  const pool = range(50, 80);
  const o = { seed: 2, nTrain: 30, valFrac: 0.1, outFrac: 0.1 };
  const a = runTrainingSelection(normal, pool, { normal: [0], outlier: [1] }, (i) => (i < 50 ? 0 : 1), o, 'samples');
  assert.deepEqual(a, trainingSelection(normal, pool, o, 'outlier-class samples'));
  assert.equal(a.semi, undefined);
});

test('runTrainingSelection: Deep SAD without labels keeps the one-class training set, all unlabelled, and records zeros', () => {
  const normal = range(0, 50);
  const pool = range(50, 80);
  const o = { seed: 2, nTrain: 30, valFrac: 0.1 };
  const plain = trainingSelection(normal, pool, o, 'x');
  const s = runTrainingSelection(normal, pool, { normal: [0], outlier: [1] }, (i) => (i < 50 ? 0 : 1), { ...o, loss: 'deep-sad' }, 'samples');
  assert.deepEqual(s.trainIdx, plain.trainIdx);
  assert.deepEqual(s.valIdx, plain.valIdx);
  assert.ok(s.semi!.every((y) => y === 0));
  assert.deepEqual(s.record!.counts, { labelled_normal: 0, labelled_outlier: 0, unlabelled_normal: 27, unlabelled_outlier: 0 });
});

test('runTrainingSelection: labelled classes, known classes by default, and its one-line errors', () => {
  const classOf = (i: number) => (i < 50 ? 0 : i < 65 ? 1 : 2);
  const cls = { normal: [0], outlier: [1, 2] };
  const own = runTrainingSelection(range(0, 50), range(50, 80), cls, classOf, { seed: 1, loss: 'deep-sad', labelledOutlierClass: [2] }, 'samples');
  assert.equal(own.record!.counts.labelled_outlier, 15);
  assert.equal(own.record!.labels_from, 'labelled classes');
  close3(own.record!.ratio_known_outlier, 15 / 65);
  throwsUser(() => runTrainingSelection(range(0, 50), range(50, 80), cls, classOf, { seed: 1, loss: 'deep-sad', ratioKnownOutlier: 0.1 }, 'samples'), '--known-outlier-class C');
  const single = runTrainingSelection(range(0, 50), range(50, 65), { normal: [0], outlier: [1] }, classOf, { seed: 1, loss: 'deep-sad', ratioKnownOutlier: 0.1 }, 'samples');
  assert.deepEqual(single.record!.known_outlier_classes, [1], 'the one outlier class by default');
  assert.equal(single.record!.counts.labelled_outlier, 5); // int(0.1 · 50 / 0.9)
  throwsUser(() => runTrainingSelection(range(0, 50), range(50, 80), cls, classOf, { seed: 1, loss: 'deep-sad', labelledOutlierClass: [0] }, 'samples'), '--labelled-outlier-class 0 is not an outlier class');
  throwsUser(() => runTrainingSelection(range(0, 50), range(50, 80), cls, classOf, { seed: 1, loss: 'deep-sad', labelledOutlierClass: [2], ratioKnownOutlier: 0.1 }, 'samples'), 'cannot be combined');
  throwsUser(() => runTrainingSelection(range(0, 50), range(50, 80), cls, classOf, { seed: 1, loss: 'deep-sad', outFrac: 0.1 }, 'samples'), '--ratio-pollution instead');
});

function close3(a: number, b: number): void {
  assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
}

test('splitSemiLabelColumn: takes the column out of the features; other values are a one-line error', () => {
  const t = { x: Float64Array.from([0.5, 1, 7, 0.25, -1, 8, 0.75, 0, 9]), n: 3, d: 3, featureNames: ['a', 'semi', 'b'], source: 't.csv' };
  const s = splitSemiLabelColumn(t, 'semi');
  assert.deepEqual(Array.from(s.x), [0.5, 7, 0.25, 8, 0.75, 9]);
  assert.deepEqual(s.featureNames, ['a', 'b']);
  assert.equal(s.d, 2);
  assert.deepEqual(Array.from(s.semi), [1, -1, 0]);
  throwsUser(() => splitSemiLabelColumn({ ...t, x: Float64Array.from([0, 2, 0, 0, 0, 0, 0, 0, 0]) }, 'semi'), 'row 1 of t.csv holds 2', '+1 (labelled normal), 0 (unlabelled) or -1');
  throwsUser(() => splitSemiLabelColumn(t, 'nope'), '--semi-label-column nope', 'no such feature column');
});
