// results.json: one schema, read the same way by sweep and report.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readResults, readResultsOrNull, RESULTS_VERSION, writeResults, type RunResults } from '../../src/io/results.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'results-test-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

test('a written results.json reads back; missing and corrupted files are told apart', () => {
  const file = path.join(tmp, 'results.json');
  assert.deepEqual(readResults(file), { state: 'missing' });
  const r: RunResults = {
    results_version: RESULTS_VERSION, status: 'finished', started_at: '2026-01-01T00:00:00.000Z', deep_svdd_version: '0.1.0', seed: 1,
    dataset: 'mnist', objective: 'one-class Deep SVDD', test_auc: 0.9, ae_test_auc: null, timings_s: { total_s: 3 },
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

test('fields of the wrong type, and AUCs outside [0, 1], are dropped', () => {
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
  assert.deepEqual(read.problems, ['timings_s.total_s "long" is not a number of seconds ≥ 0', 'test_auc 1.5 is outside its range 0..1', 'ae_test_auc "0.7" is not a number (an AUC in 0..1)']);
});
