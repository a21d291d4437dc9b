// results.json: one schema, read the same way by sweep and report.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { buildTrainConfig, describeObjective } from '../../src/config/build.js';
import { RUN_METHODS } from '../../src/config/methods.js';
import { trainMethod } from '../../src/experiments/train-run.js';
import { methodOf, readResults, readResultsOrNull, RESULTS_VERSION, writeResults, type RunResults } from '../../src/io/results.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'results-test-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

test('a written results.json reads back; missing and corrupted files are told apart', () => {
  const file = path.join(tmp, 'results.json');
  assert.deepEqual(readResults(file), { state: 'missing' });
  const r: RunResults = {
    results_version: RESULTS_VERSION, status: 'finished', started_at: '2026-01-01T00:00:00.000Z', deep_svdd_version: '0.1.0', seed: 1,
    dataset: 'mnist', objective: 'one-class Deep SVDD', method: 'one-class', test_auc: 0.9, ae_test_auc: null, timings_s: { total_s: 3 },
    test_scores: [{ index: 0, label: 1, class: 3, score: 0.5 }],
  };
  writeResults(file, r);
  assert.deepEqual(readResults(file), { state: 'ok', results: r, problems: [] });
  fs.writeFileSync(file, '{"status": "finished", "test_auc": 0.9');
  assert.deepEqual(readResults(file), { state: 'corrupt', why: 'not valid JSON' });
  fs.writeFileSync(file, '[1, 2]');
  assert.deepEqual(readResults(file), { state: 'corrupt', why: 'not a JSON object' });
  assert.equal(readResultsOrNull(file), null);
});

test('fields of the wrong type, and AUCs outside [0, 1], are dropped and reported', () => {
  const file = path.join(tmp, 'typed.json');
  fs.writeFileSync(file, JSON.stringify({
    status: 'done', test_auc: 1.5, ae_test_auc: '0.7', objective: 3, dataset: 'mnist', normal_class_names: [0, 'one'],
    timings_s: { total_s: 'long', train_s: 2 }, error: null, seed: 4,
  }));
  const r = readResultsOrNull(file)!;
  assert.equal(r.status, undefined);
  assert.equal(r.test_auc, undefined);
  assert.equal(r.ae_test_auc, undefined);
  assert.equal(r.objective, undefined);
  assert.equal(r.error, undefined);
  assert.equal(r.dataset, 'mnist');
  assert.deepEqual(r.normal_class_names, ['0', 'one']);
  assert.deepEqual(r.timings_s, { train_s: 2 });
  assert.equal(r.seed, 4);
  const read = readResults(file);
  assert.ok(read.state === 'ok');
  // both sides' messages, merged into the zod schema's: a string AUC is "not a number", not "outside its range"
  assert.deepEqual(read.problems, [
    'status "done" is not one of running, finished, failed, interrupted', 'error null is not a string', 'objective 3 is not a string',
    'ae_test_auc "0.7" is not a number', 'test_auc 1.5 is outside its range 0..1', 'timings_s.total_s "long" is not a number',
  ]);
  fs.writeFileSync(file, JSON.stringify({ status: 'finished', test_auc: 0.8, method: 'svdd', timings_s: { total_s: -1 }, test_scores: [{ index: 0, label: 0, class: 0, score: 'high' }] }));
  const bad = readResults(file);
  assert.ok(bad.state === 'ok');
  assert.deepEqual(bad.problems, [
    `method "svdd" is not one of ${RUN_METHODS.join(', ')}`, 'test_scores.0.score "high" is not a number', 'timings_s.total_s -1 is outside its range, a number of seconds ≥ 0',
  ]);
  assert.equal(bad.results.test_scores, undefined);
  assert.equal(bad.results.method, undefined);
  // NaN is written as null: read back as NaN, not a problem
  fs.writeFileSync(file, JSON.stringify({ status: 'finished', test_auc: 0.8, R: NaN, test_scores: [{ index: 0, label: 0, class: 0, score: NaN }], extra: { kept: true } }));
  const nan = readResults(file);
  assert.ok(nan.state === 'ok');
  assert.deepEqual(nan.problems, []);
  assert.ok(Number.isNaN(nan.results.R) && Number.isNaN(nan.results.test_scores![0].score));
  assert.deepEqual((nan.results as Record<string, unknown>).extra, { kept: true }, 'fields the schema does not know are kept');
});

test('methodOf: "method", or from "objective" in files written before it existed; train\'s method agrees with its objective', () => {
  assert.equal(methodOf({ method: 'kde', objective: 'anything' }), 'kde');
  assert.equal(methodOf({ objective: 'one-class Deep SVDD' }), 'one-class');
  assert.equal(methodOf({ objective: 'soft-boundary Deep SVDD, ν = 0.1, R trained by the solver' }), 'soft-boundary');
  assert.equal(methodOf({ objective: 'deep convolutional autoencoder (l2 reconstruction error)' }), 'dcae');
  assert.equal(methodOf({ objective: 'OC-SVM (RBF kernel, ν = 0.1)' }), 'ocsvm');
  assert.equal(methodOf({ objective: 'KDE (Gaussian kernel)' }), 'kde');
  assert.equal(methodOf({ objective: 'Isolation Forest (100 trees, 256 samples per tree)' }), 'if');
  assert.equal(methodOf({ objective: 'something else' }), null);
  assert.equal(methodOf({}), null);
  const settings: Array<Record<string, string>> = [
    {}, { hardMargin: '0' }, { hardMargin: '0', blockCoordinate: '0' }, { hardMargin: '0', radiusUpdate: 'batch-quantile' },
    { hardMargin: '1', blockCoordinate: '1' }, { loss: 'autoencoder' },
  ];
  for (const raw of settings) {
    const cfg = buildTrainConfig(raw);
    assert.equal(trainMethod(cfg), methodOf({ objective: describeObjective(cfg) }), JSON.stringify(raw));
  }
  assert.deepEqual(new Set(settings.map((raw) => trainMethod(buildTrainConfig(raw)))), new Set(['one-class', 'soft-boundary', 'dcae']));
});
