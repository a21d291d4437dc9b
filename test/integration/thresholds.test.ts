/**
 * Thresholds end to end: `train --threshold quantile|fpr|f1` chooses the cut on the validation split and keeps what
 * `score --threshold MODE|NUMBER` needs; F1 on a split without anomalies falls back and says so; and the collapse
 * diagnostics flag a network built to collapse (biases, no batch norm) but no paper-setting run.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { buildTrainConfig } from '../../src/config/build.js';
import { fprThreshold, falsePositiveRate, precisionRecallF1, type ThresholdMode } from '../../src/eval/thresholds.js';
import { scoreInputs } from '../../src/experiments/score.js';
import { runTraining } from '../../src/experiments/train-run.js';
import { readModelMeta } from '../../src/io/model.js';
import { type RunResults } from '../../src/io/results.js';
import { gaussian, makeRng } from '../../src/util/rng.js';
import { refused, runCli } from '../helpers/cli-run.js';
import { faultTableLines, withoutId } from '../helpers/fault-table.js';
import { useWasm } from '../helpers/tf.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-thresholds-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const csv = path.join(tmp, 'readings.csv');
/** the same rows without the id column, to train on (a table's every other column is a feature) */
const noId = path.join(tmp, 'noid.csv');
/** a validation table of its own: 40 normal rows and 10 faults (and 5 rows of a class the table lacks, cut off below) */
const valCsv = path.join(tmp, 'val.csv');

before(async () => {
  await useWasm();
  // 300 normal rows around 0 and 60 anomalies shifted by 2.5 in 5 features
  const rng = makeRng(11);
  const lines = faultTableLines(rng, 2.5);
  fs.writeFileSync(csv, `${lines.join('\n')}\n`);
  fs.writeFileSync(noId, `${lines.map((l) => l.split(',').slice(1).join(',')).join('\n')}\n`);
  const val = ['a,b,status,c,d,e'];
  for (let i = 0; i < 55; i++) {
    const status = i < 40 ? 'ok' : i < 50 ? 'fault' : 'other';
    const v = Array.from({ length: 5 }, () => (gaussian(rng) + (status === 'fault' ? 2.5 : 0)).toFixed(4));
    val.push([v[0], v[1], status, v[2], v[3], v[4]].join(','));
  }
  fs.writeFileSync(valCsv, `${val.slice(0, 51).join('\n')}\n`);
  fs.writeFileSync(path.join(tmp, 'val-other.csv'), `${val.join('\n')}\n`);
});

const train = async (name: string, extra: Record<string, string> = {}): Promise<{ xp: string; results: RunResults; log: string }> => {
  const xp = path.join(tmp, name);
  const cfg = buildTrainConfig({
    dataset: 'table', dataFile: noId, labelColumn: 'status', normal: 'ok', seed: '1', nEpochs: '10', aeNEpochs: '10', batchSize: '32',
    backend: 'wasm', xpDir: xp, ...extra,
  });
  const { results } = await runTraining(cfg, { quiet: true });
  assert.equal(results.status, 'finished');
  return { xp, results, log: fs.readFileSync(path.join(xp, 'log.txt'), 'utf8') };
};

/** test_at_threshold is precision / recall / F1 of the test scores at the cut it names */
function checkTestMetrics(r: RunResults, cut: number): void {
  const s = r.test_scores!;
  const expected = precisionRecallF1(s.map((t) => t.label), s.map((t) => t.score), cut);
  assert.deepEqual(r.test_at_threshold, expected);
}

test('train --threshold f1: the cut with the best F1 on the validation split, kept in the model; score re-chooses by any mode', async () => {
  const { xp, results, log } = await train('f1', { threshold: 'f1', valFrac: '0.2', valContamination: '0.2' });
  const c = results.threshold_choice!;
  // the training split holds 180 normal rows and 36 outlier rows: 36 normals held out, ceil(0.2·36/0.8) = 9 anomalies
  assert.deepEqual([c.requested, c.mode, c.n_val_normal, c.n_val_outlier], ['f1', 'f1', 36, 9]);
  assert.equal(results.n_train, 144);
  assert.equal(results.threshold, c.threshold);
  checkTestMetrics(results, c.threshold);
  assert.match(log, /Threshold .*: the best F1 on the validation split \(--threshold f1\); on the validation split \(36 normal, 9 anomalies\): precision/);
  const meta = readModelMeta(path.join(xp, 'model'));
  assert.equal(meta.threshold, c.threshold);
  assert.equal(meta.thresholdChoice?.mode, 'f1');
  const v = meta.thresholdChoice!.validation!;
  assert.equal(v.scores.length, 45);
  assert.equal(v.labels.filter((l) => l === 1).length, 9);
  // no other cut of the validation scores has a higher F1
  const f1At = (t: number) => precisionRecallF1(v.labels, v.scores, t).f1;
  for (const s of v.scores) assert.ok(f1At(s) <= f1At(c.threshold) + 1e-12, `cut ${s}`);
  assert.ok(Math.abs(c.val!.f1 - f1At(c.threshold)) < 1e-12);

  // the CLI: the model's own cut, in the CSV and the summary line
  const out = path.join(tmp, 'own.csv');
  const cli = runCli(['score', '--model', path.join(xp, 'model'), '--input', csv, '--out', out, '--backend', 'wasm'], tmp);
  assert.equal(cli.code, 0, cli.stderr);
  const rows = parse(fs.readFileSync(out, 'utf8'), { columns: true }) as Array<{ id: string; score: string; anomaly: string }>;
  assert.equal(rows.length, 360);
  rows.forEach((row, i) => assert.equal(Number(row.anomaly), Number(row.score) > c.threshold ? 1 : 0, `row ${i}`));
  assert.match(cli.stderr, new RegExp(`scored 360 inputs, ${rows.filter((r) => r.anomaly === '1').length} flagged as anomalous \\(score > ${c.threshold}, the model's, --threshold f1\\)`));
  // every mode chosen again from what the model keeps, and a number
  const score = (threshold?: ThresholdMode | number, targetFpr?: number) => scoreInputs({ modelDir: path.join(xp, 'model'), input: csv, threshold, targetFpr });
  const normals = v.scores.filter((_, i) => v.labels[i] === 0);
  const cases: Array<[ThresholdMode | number | undefined, number | undefined, number, RegExp]> = [
    [undefined, undefined, c.threshold, /the model's, --threshold f1/],
    ['quantile', undefined, 0, /--threshold quantile/], // Deep SVDD's quantile cut: score > 0 (R from the ν-quantile)
    ['fpr', 0.1, fprThreshold(normals, 0.1), /--threshold fpr --target-fpr 0.1/],
    ['f1', undefined, c.threshold, /--threshold f1/],
    [-0.05, undefined, -0.05, /as given/],
  ];
  const flagged = new Set<number>();
  for (const [mode, rate, cut, how] of cases) {
    const r = score(mode, rate);
    assert.equal(r.threshold, cut, String(mode));
    assert.match(r.thresholdHow, how);
    r.scores.forEach((sc, i) => assert.equal(r.anomalies[i], sc > cut ? 1 : 0, `${String(mode)} row ${i}`));
    flagged.add(r.anomalies.reduce((a, b) => a + b, 0));
  }
  // the decisions differ between the modes (else the checks above could not tell them apart)
  assert.ok(flagged.size >= 3, `the modes flagged ${[...flagged].join(', ')}`);

  refused(['score', '--model', path.join(xp, 'model'), '--input', csv, '--out', path.join(tmp, 'x.csv'), '--threshold', 'best'], /--threshold best is invalid: use quantile, fpr, f1 or a number/, tmp);
  refused(['score', '--model', path.join(xp, 'model'), '--input', csv, '--out', path.join(tmp, 'x.csv'), '--target-fpr', '0.1'], /--target-fpr applies to --threshold fpr/, tmp);
  refused(['score', '--model', path.join(xp, 'model'), '--input', csv, '--out', path.join(tmp, 'x.csv'), '--threshold', 'fpr', '--target-fpr', '1'], /--target-fpr 1 is invalid/, tmp);
});

test('train --threshold fpr: at most the target share of validation normals flagged; a model without a validation split says what score needs', async () => {
  const { xp, results } = await train('fpr', { threshold: 'fpr', targetFpr: '0.1' });
  const c = results.threshold_choice!;
  assert.deepEqual([c.mode, c.target_fpr], ['fpr', 0.1]);
  // --val-frac defaults to 0.1 with --threshold fpr: 18 of the 180 normal training rows
  assert.equal(c.n_val_normal, 18);
  assert.ok(c.val!.fpr <= 0.1, `validation FPR ${c.val!.fpr}`);
  const v = readModelMeta(path.join(xp, 'model')).thresholdChoice!.validation!;
  assert.ok(falsePositiveRate(v.labels, v.scores, c.threshold) <= 0.1);
  checkTestMetrics(results, c.threshold);
  // a damaged thresholdChoice is refused like any damaged model.json
  const damaged = path.join(tmp, 'damaged');
  fs.cpSync(path.join(xp, 'model'), damaged, { recursive: true });
  const meta = JSON.parse(fs.readFileSync(path.join(damaged, 'model.json'), 'utf8')) as { thresholdChoice: { validation: { labels: number[] } } };
  meta.thresholdChoice.validation.labels[0] = 2;
  fs.writeFileSync(path.join(damaged, 'model.json'), JSON.stringify(meta));
  refused(['score', '--model', damaged, '--input', csv, '--out', path.join(tmp, 'd.csv'), '--backend', 'wasm'], /the validation scores are not finite numbers with one 0\/1 label each: the model folder is damaged/, tmp);

  const plain = await train('plain', { nEpochs: '2', aeNEpochs: '2' });
  assert.deepEqual([plain.results.threshold_choice!.mode, plain.results.threshold_choice!.n_val_normal], ['quantile', 0]);
  assert.equal(readModelMeta(path.join(plain.xp, 'model')).thresholdChoice!.validation, undefined);
  refused(['score', '--model', path.join(plain.xp, 'model'), '--input', csv, '--out', path.join(tmp, 'y.csv'), '--threshold', 'f1', '--backend', 'wasm'],
    /--threshold f1: .*model\.json keeps no validation scores to choose on \(trained without --val-frac\): retrain with --val-frac 0\.1/, tmp);
});

test('train --threshold f1 on a validation split without anomalies falls back to the quantile cut, in the log and results (anomalib #2433)', async () => {
  const { xp, results, log } = await train('f1-none', { threshold: 'f1', valContamination: '0', nEpochs: '2', aeNEpochs: '2' });
  const c = results.threshold_choice!;
  assert.deepEqual([c.requested, c.mode, c.threshold, c.n_val_outlier], ['f1', 'quantile', 0, 0]);
  assert.match(c.fallback!, /--threshold f1 cannot choose: the validation split holds no anomalies/);
  assert.equal(log.match(/WARNING --threshold f1 cannot choose/g)?.length, 1);
  checkTestMetrics(results, 0);
  refused(['score', '--model', path.join(xp, 'model'), '--input', csv, '--out', path.join(tmp, 'z.csv'), '--threshold', 'f1', '--backend', 'wasm'],
    /--threshold f1: in .*model\.json the validation split holds no anomalies, so F1 is 0 at every cut: retrain with --val-contamination 0\.1/, tmp);
  // the table run is no collapse
  assert.equal(results.diagnostics!.collapsed, false);
});

test('train --val-data: a validation table of the user\'s own chooses the cut; the run\'s own table and a mix with --val-frac are refused', async () => {
  const { results } = await train('valdata', { threshold: 'f1', valData: valCsv, nEpochs: '2', aeNEpochs: '2' });
  const c = results.threshold_choice!;
  assert.deepEqual([c.mode, c.n_val_normal, c.n_val_outlier, c.val_source], ['f1', 40, 10, `--val-data ${valCsv}`]);
  assert.equal(results.n_train, 180); // nothing held out of the training split
  checkTestMetrics(results, c.threshold);
  const base = ['train', '--dataset', 'table', '--data-file', noId, '--label-column', 'status', '--normal', 'ok', '--threshold', 'f1', '--backend', 'wasm', '--xp-dir', path.join(tmp, 'refused')];
  refused([...base, '--val-data', noId], /--val-data .*noid\.csv is the run's own data/, tmp);
  refused([...base, '--val-data', valCsv, '--val-frac', '0.1'], /--val-data .* and --val-frac 0\.1 both give a validation split: choose one/, tmp);
  refused([...base, '--val-data', path.join(tmp, 'val-other.csv')], /--val-data .*val-other\.csv: row 51 is of class 'other', which the dataset does not have \(its classes: fault, ok\)/, tmp);
  const wrong = path.join(tmp, 'wrong.csv');
  fs.writeFileSync(wrong, 'a,b,status\n1,2,ok\n');
  refused([...base, '--val-data', wrong], /--val-data .*wrong\.csv: its features \(a, b\) are not the training table's \(a, b, c, d, e\)/, tmp);
});

/** runs `train` in a child process: its console (stderr) shows the warnings as users see them */
function trainCli(name: string, args: string[]): { results: RunResults; stderr: string } {
  const xp = path.join(tmp, name);
  const r = runCli(['train', '--dataset', 'mnist', '--normal', '0', '--n-train', '200', '--n-test', '200', '--seed', '1', '--backend', 'wasm', '--xp-dir', xp, ...args], { cwd: tmp, timeout: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  return { results: JSON.parse(fs.readFileSync(path.join(xp, 'results.json'), 'utf8')) as RunResults, stderr: r.stderr };
}

test('collapse: a network with biases and no batch norm collapses and is flagged with one warning line; a paper-setting run is not', async () => {
  // Deep SVDD forbids biases for this reason (Ruff et al. 2018, Prop. 2): with them, and no batch norm to keep the
  // outputs apart, the network maps every image to (nearly) one point
  const bad = trainCli('collapse', ['--pretrain', '0', '--mnist-bias', '1', '--use-batch-norm', '0', '--lr', '0.01', '--n-epochs', '10', '--weight-dict-init', '0']);
  const d = bad.results.diagnostics!;
  assert.equal(d.collapsed, true, JSON.stringify(d));
  const warnings = bad.stderr.split('\n').filter((l) => /hypersphere seems to have collapsed/.test(l));
  assert.equal(warnings.length, 1, bad.stderr);
  assert.match(warnings[0], /^warning: .*spread \(p95 − p5\)\/median 0\.\d+ < 0\.5/);
  // the paper's setting (bias-free LeNet, batch norm, pretraining), small: far from the limits
  const xp = path.join(tmp, 'paper');
  const { results } = await runTraining(buildTrainConfig({
    dataset: 'mnist', normal: '0', nTrain: '200', nTest: '200', seed: '1', nEpochs: '3', aeNEpochs: '3', backend: 'wasm', xpDir: xp,
  }), { quiet: true });
  const g = results.diagnostics!;
  assert.equal(g.collapsed, false, JSON.stringify(g));
  assert.ok(g.train_distance_spread! > 1 && g.distance_to_c! > 1e-3 && g.n_distinct_test_scores === 200, JSON.stringify(g));
  assert.doesNotMatch(fs.readFileSync(path.join(xp, 'log.txt'), 'utf8'), /collapsed/);
});
