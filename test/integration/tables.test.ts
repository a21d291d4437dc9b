/**
 * Tables end to end: a CSV with a label column trains the MLP, `score` gives back the run's test scores row by row
 * (the model folder keeps the scaling), the protocol's split is stratified and seeded, the ODDS entries read .mat
 * files, and the table options' errors are one-line UserErrors.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildTrainConfig } from '../../src/config/build.js';
import { prepareData } from '../../src/data/datasets.js';
import { scoreInputs } from '../../src/experiments/score.js';
import { runTraining } from '../../src/experiments/train-run.js';
import { readModelMeta } from '../../src/io/model.js';
import { makeRng } from '../../src/util/rng.js';
import { faultTableLines, withoutId } from '../helpers/fault-table.js';
import { useWasm } from '../helpers/tf.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-tables-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const csv = path.join(tmp, 'readings.csv');
const noId = path.join(tmp, 'noid.csv');

before(async () => {
  await useWasm();
  // 300 normal rows around 0 and 60 anomalies shifted by 3 in 5 features; the label column sits in the middle
  const lines = faultTableLines(makeRng(7), 3);
  fs.writeFileSync(csv, `${lines.join('\n')}\n`);
  // the same rows without the id column (a table's every other column is a feature)
  fs.writeFileSync(noId, `${lines.map((l) => l.split(',').slice(1).join(',')).join('\n')}\n`);
});

const cfgFor = (xp: string, extra: Record<string, string> = {}) => buildTrainConfig({
  dataset: 'table', dataFile: noId, labelColumn: 'status', normal: 'ok', seed: '1', nEpochs: '3', aeNEpochs: '3', backend: 'wasm', xpDir: xp, ...extra,
});

test('a CSV table: classes from the label column, the MLP widths by its width, the Deep SAD split and scaling', () => {
  const cfg = cfgFor(path.join(tmp, 'cfg'));
  assert.equal(cfg.batchSize, 128);
  assert.equal(cfg.mlpHidden, '32,16');
  assert.equal(cfg.repDim, 4); // fewer than 8 features: code 4, as the Deep SAD code's thyroid network
  assert.equal(cfg.dropLast, true);
});

test('train on a CSV, then score reads the same rows back with the saved scaling: the same scores', async () => {
  const xp = path.join(tmp, 'run');
  const { results } = await runTraining(cfgFor(xp, { nEpochs: '20', aeNEpochs: '20', batchSize: '32' }), { quiet: true });
  assert.equal(results.status, 'finished');
  assert.ok(typeof results.test_auc === 'number' && results.test_auc > 0.75, `AUC ${results.test_auc}`);
  // the 60/40 split within each group: 40 % of 300 normal and of 60 outlier rows
  assert.equal(results.n_test, 120 + 24);
  assert.equal(results.n_train, 180);
  assert.ok(fs.existsSync(path.join(xp, 'score_histogram.png')));
  const meta = readModelMeta(path.join(xp, 'model'));
  assert.deepEqual(meta.preprocessing.table?.features, ['a', 'b', 'c', 'd', 'e']);
  assert.equal(meta.net.kind, 'mlp');
  // score the original CSV (with its id column): row k of the file is test index k
  const r = scoreInputs({ modelDir: path.join(xp, 'model'), input: csv });
  assert.equal(r.ids.length, 360);
  assert.equal(r.ids[5], 'r5');
  for (const t of results.test_scores!) assert.equal(r.scores[t.index], Math.fround(t.score), `row ${t.index}`);
});

test('the split is seeded: another seed draws other test rows, the same seed the same', () => {
  const rows = (seed: string) => Array.from(prepareData(cfgFor('x', { seed })).testIndex).join();
  assert.equal(rows('1'), rows('1'));
  assert.notEqual(rows('1'), rows('2'));
});

test('table options: one-line errors for a missing file, label column or a wrong combination', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'train', ...args], { encoding: 'utf8' });
  const cases: Array<[string[], RegExp]> = [
    [['--dataset', 'table'], /--dataset table needs --data-file/],
    [['--dataset', 'table', '--data-file', csv], /no label column given/],
    [['--dataset', 'table', '--data-file', csv, '--label-column', 'nope'], /has no column 'nope'/],
    [['--dataset', 'mnist', '--data-file', csv], /--data-file \S+ only applies to --dataset table/],
    [['--dataset', 'table', '--data-file', noId, '--label-column', 'status', '--gcn', '1'], /--gcn 1 and --zca-whitening 1 apply to images/],
    [['--dataset', 'table', '--data-file', noId, '--label-column', 'status', '--mlp-hidden', '32,x'], /--mlp-hidden 32,x is invalid/],
    [['--dataset', 'thyroid', '--data-dir', tmp], /thyroid\.mat not found: run 'deep-svdd data fetch odds/],
  ];
  for (const [args, re] of cases) {
    const p = run(...args, '--xp-dir', path.join(tmp, 'never'));
    assert.notEqual(p.status, 0, args.join(' '));
    assert.match(p.stderr, re, args.join(' '));
    assert.equal(p.stderr.trim().split('\n').length, 1, `one line: ${p.stderr}`);
    assert.ok(!fs.existsSync(path.join(tmp, 'never')), 'no run folder');
  }
});

test('an ODDS dataset reads its .mat from --data-dir: classes 0/1, the Deep SAD code\'s widths', () => {
  const dir = path.join(tmp, 'odds');
  fs.mkdirSync(dir, { recursive: true });
  // a stand-in thyroid.mat: the fixture's double matrix (X, y) under the ODDS name
  fs.copyFileSync(path.join(root, 'test/fixtures/tables/mat_double.mat'), path.join(dir, 'thyroid.mat'));
  const p = spawnSync(process.execPath, [cli, 'train', '--dataset', 'thyroid', '--data-dir', dir, '--xp-dir', path.join(tmp, 'th')], { encoding: 'utf8' });
  // the fixture is not ODDS's thyroid (another width): the loader says so in one line
  assert.notEqual(p.status, 0);
  assert.match(p.stderr, /features, ODDS thyroid has 6|thyroid/);
  assert.equal(p.stderr.trim().split('\n').length, 1, p.stderr);
});

test('every shallow baseline runs on a table (OC-SVM choosing γ on a test slice, KDE, Isolation Forest) and beats chance', () => {
  for (const method of ['ocsvm', 'kde', 'if']) {
    const xp = path.join(tmp, `baseline-${method}`);
    const r = spawnSync(process.execPath, [cli, 'baseline', '--method', method, '--dataset', 'table', '--data-file', noId, '--label-column', 'status',
      '--normal', 'ok', '--seed', '1', '--xp-dir', xp], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${method}: ${r.stderr}`);
    const res = JSON.parse(fs.readFileSync(path.join(xp, 'results.json'), 'utf8')) as { test_auc: number; method: string };
    assert.equal(res.method, method);
    assert.ok(res.test_auc > 0.8, `${method}: AUC ${res.test_auc}`);
  }
});
