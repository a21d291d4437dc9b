/**
 * The table of shallow baselines (src/baselines/detectors.ts): every entry complete, names unique and the --method
 * choices, and each detector fits, scores and thresholds a tiny random set through the one interface.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Detector, type FitContext } from '../../src/baselines/detector.js';
import { BASELINE_METHODS, DETECTORS, detectorFor } from '../../src/baselines/detectors.js';
import { kde } from '../../src/baselines/detector-kde.js';
import { type Rows } from '../../src/baselines/distances.js';
import { bandwidthRange, kdeLogDensity } from '../../src/baselines/kde.js';
import { BASELINE_OWN_OPTIONS, buildBaselineConfig, describeBaseline } from '../../src/config/baseline-options.js';
import { UserError } from '../../src/util/errors.js';
import { mulberry32 } from '../helpers/random.js';

const random = (n: number, d: number, shift: number, seed: number): Rows => {
  const r = mulberry32(seed);
  return { x: Float32Array.from({ length: n * d }, () => r() + shift), n, d };
};

test('every table entry is complete: fields of the right kind, unique names, the --method choices', () => {
  const names = DETECTORS.map((d) => d.name);
  assert.equal(new Set(names).size, names.length, 'names are unique');
  assert.deepEqual(BASELINE_METHODS, names);
  const method = BASELINE_OWN_OPTIONS.find((s) => s.key === 'method')!;
  assert.deepEqual(method.choices, names, '--method choices come from the table');
  const ownKeys = BASELINE_OWN_OPTIONS.map((s) => s.key);
  for (const d of DETECTORS as readonly Detector[]) {
    assert.match(d.name, /^[a-z][a-z0-9-]*$/, 'a name one can type');
    assert.ok(typeof d.title === 'string' && d.title.length > 0, `${d.name}: title`);
    assert.ok(method.help.includes(`${d.name} = ${d.title}`), `${d.name}: in the --method help`);
    assert.ok(Array.isArray(d.options), `${d.name}: options`);
    for (const k of d.options) assert.ok(ownKeys.includes(k), `${d.name}: option ${k} is a baseline option`);
    for (const f of ['describe', 'checkConfig', 'checkInputs', 'fit', 'score', 'threshold'] as const) assert.equal(typeof d[f], 'function', `${d.name}: ${f}`);
    const cfg = buildBaselineConfig({ method: d.name });
    assert.equal(detectorFor(cfg.method), d);
    assert.ok(describeBaseline(cfg).length > 0);
  }
});

test('each detector fits and scores a tiny random set: one float64 score per row, a finite threshold', async () => {
  const d = 4;
  const train = random(30, d, 0, 1);
  const normal = random(10, d, 0, 2);
  const outliers = random(10, d, 3, 3);
  const test = { x: Float32Array.from([...normal.x, ...outliers.x]), n: 20, d };
  const testLabels = Uint8Array.from({ length: 20 }, (_, i) => (i < 10 ? 0 : 1));
  for (const det of DETECTORS as readonly Detector[]) {
    const cfg = buildBaselineConfig({ method: det.name, seed: '1' });
    const facts = { nTrain: train.n, d, testLabels, nOutlierPool: 5 };
    det.checkInputs(cfg, facts);
    const ctx: FitContext = {
      cfg, test, testLabels, testIndex: Int32Array.from({ length: 20 }, (_, i) => i), outlierPool: Int32Array.from([0, 1, 2, 3, 4]),
      outlierRows: (idx) => random(idx.length, d, 3, 4), log: () => {}, timings: {},
    };
    const fitted = await det.fit(train, ctx);
    assert.ok(fitted.hyperparameters && typeof fitted.hyperparameters === 'object', `${det.name}: hyperparameters`);
    assert.equal(typeof fitted.selection.protocol, 'string');
    assert.equal(typeof fitted.selection.uses_test_labels, 'boolean');
    assert.equal(typeof ctx.timings.fit_s, 'number', `${det.name}: fit_s`);
    const scores = det.score(fitted.model, test);
    assert.ok(scores instanceof Float64Array && scores.length === test.n && scores.every(Number.isFinite), `${det.name}: scores`);
    const outlierMean = scores.slice(10).reduce((a, v) => a + v, 0) / 10;
    const normalMean = scores.slice(0, 10).reduce((a, v) => a + v, 0) / 10;
    assert.ok(outlierMean > normalMean, `${det.name}: higher = more anomalous (${normalMean} vs ${outlierMean})`);
    assert.ok(Number.isFinite(det.threshold(fitted.model, train, cfg)), `${det.name}: threshold`);
  }
});

test('KDE: the bandwidths its input check lets through give finite log densities, those outside it are refused', () => {
  const d = 784;
  const { min, max } = bandwidthRange(d);
  const facts = { nTrain: 10, d, testLabels: new Uint8Array(2), nOutlierPool: 0 };
  const far = [{ x: new Float32Array(d), n: 1, d }, { x: new Float32Array(d).fill(2), n: 1, d }] as const; // test rows may leave [0, 1]
  for (const h of [min, max]) {
    kde.checkInputs(buildBaselineConfig({ method: 'kde', bandwidth: String(h) }), facts);
    assert.ok(Number.isFinite(kdeLogDensity(far[0], far[1], h)[0]), `h = ${h}`);
  }
  for (const h of [min * 0.9, max * 1.1, 1e-320]) {
    assert.throws(() => kde.checkInputs(buildBaselineConfig({ method: 'kde', bandwidth: String(h) }), facts), (e: Error) => e instanceof UserError && /--bandwidth .* is outside what double precision can evaluate/.test(e.message));
  }
});
