/**
 * `deep-svdd baseline` end to end on tiny MNIST subsets (each method, PCA, both γ selections, a script with the
 * original positional arguments), its one-line errors, a baseline sweep, and the report's Table 1 layout with all
 * six columns.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeReport } from '../../src/experiments/report.js';
import { methodOf } from '../../src/io/results.js';
import { assertUnchanged, snapshot } from '../helpers/snapshot.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-baseline-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const small = ['--n-train', '150', '--n-test', '200'];

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}
const cliRun = (args: string[]) => run(process.execPath, [cli, ...args]);
const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));

function finishedRun(dir: string): Record<string, any> {
  const r = readJson(path.join(dir, 'results.json'));
  assert.equal(r.status, 'finished', JSON.stringify(r.error));
  for (const f of ['config.json', 'log.txt', 'most_normal.png', 'most_anomalous.png']) assert.ok(fs.existsSync(path.join(dir, f)), `${f} missing in ${dir}`);
  assert.ok(r.test_auc > 0.5 && r.test_auc <= 1, `AUC ${r.test_auc}`);
  assert.ok(r.test_auprc > 0 && r.test_auprc <= 1);
  assert.equal(r.test_scores.length, r.n_test_reported);
  assert.ok(typeof r.timings_s.total_s === 'number' && typeof r.timings_s.test_s === 'number');
  return r;
}

test('each method end to end: run folder, hyperparameters, how they were chosen', () => {
  let r = cliRun(['baseline', '--method', 'ocsvm', ...small, '--xp-dir', 'oc']);
  assert.equal(r.code, 0, r.stderr);
  const oc = finishedRun(path.join(tmp, 'oc'));
  assert.equal(oc.method, 'ocsvm');
  assert.equal(methodOf(oc), 'ocsvm');
  assert.equal(oc.hyperparameter_selection.protocol, 'test-slice');
  assert.equal(oc.hyperparameter_selection.uses_test_labels, true);
  assert.equal(oc.hyperparameter_selection.grid.length, 10);
  assert.equal(oc.n_test_reported, 180, 'reported on the 90 % of the test set not used for γ');
  const held = new Set(oc.hyperparameter_selection.holdout_test_indices);
  assert.ok(oc.test_scores.every((s: { index: number }) => !held.has(s.index)), 'no hold-out image among the reported');
  assert.ok(oc.hyperparameters.gamma >= 2 ** -10 && oc.hyperparameters.gamma <= 0.5);
  assert.equal(readJson(path.join(tmp, 'oc', 'config.json')).gcn, false);

  // at a large γ the decision values differ from −ρ only in digits float32 does not hold: the scores are reported
  // (and the AUC computed) in float64, so they stay distinct where float32 would tie them
  r = cliRun(['baseline', '--method', 'ocsvm', ...small, '--gamma', '0.5', '--xp-dir', 'oc-wide']);
  assert.equal(r.code, 0, r.stderr);
  const wide = finishedRun(path.join(tmp, 'oc-wide'));
  const values = wide.test_scores.map((s: { score: number }) => s.score);
  const distinct = (v: number[]) => new Set(v).size;
  assert.ok(distinct(values) > 2 * distinct(values.map(Math.fround)), `${distinct(values)} distinct scores, ${distinct(values.map(Math.fround))} in float32`);

  r = cliRun(['baseline', '--method', 'ocsvm', ...small, '--gamma-selection', 'train-holdout', '--nu', '0.05,0.1', '--xp-dir', 'oc2']);
  assert.equal(r.code, 0, r.stderr);
  const oc2 = finishedRun(path.join(tmp, 'oc2'));
  assert.equal(oc2.hyperparameter_selection.uses_test_labels, false);
  assert.equal(oc2.hyperparameter_selection.grid.length, 20, 'γ × ν');
  assert.equal(oc2.n_test_reported, 200, 'the whole test set');

  r = cliRun(['baseline', '--method', 'kde', ...small, '--pca', '1', '--xp-dir', 'kde']);
  assert.equal(r.code, 0, r.stderr);
  const kde = finishedRun(path.join(tmp, 'kde'));
  assert.equal(kde.method, 'kde');
  assert.equal(kde.hyperparameter_selection.grid.length, 20);
  assert.ok(kde.pca.components > 1 && kde.pca.components < 150 && kde.pca.variance_kept > 0.95, JSON.stringify(kde.pca));

  r = cliRun(['baseline', '--method', 'if', ...small, '--gcn', '1', '--seed', '3', '--xp-dir', 'if']);
  assert.equal(r.code, 0, r.stderr);
  const iso = finishedRun(path.join(tmp, 'if'));
  assert.equal(iso.method, 'if');
  assert.deepEqual(iso.hyperparameters, { n_estimators: 100, max_samples: 150, contamination: 0.1 });
  assert.equal(iso.preprocessing.gcn, 'l1');
  // the same seed gives the same scores; a finished run is not overwritten without --force 1
  r = cliRun(['baseline', '--method', 'if', ...small, '--gcn', '1', '--seed', '3', '--xp-dir', 'if']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /already holds a finished run/);
  r = cliRun(['baseline', '--method', 'if', ...small, '--gcn', '1', '--seed', '3', '--xp-dir', 'if', '--force', '1']);
  assert.equal(readJson(path.join(tmp, 'if', 'results.json')).test_auc, iso.test_auc);
});

test('the original scripts\' positional arguments (mnist_if.sh, mnist_kde.sh), extra options passed on', () => {
  let r = run('sh', [path.join(root, 'scripts/mnist_if.sh'), 'if_script', '2', '0.05', '0', '1', '-1', ...small]);
  assert.equal(r.code, 0, r.stderr);
  const res = finishedRun(path.join(tmp, 'log', 'if_script'));
  assert.deepEqual(res.normal_classes, [1]);
  assert.equal(res.hyperparameters.contamination, 0.05);
  assert.equal(res.preprocessing.gcn, 'l1', 'mnist_if.sh sets GCN');
  r = run('sh', [path.join(root, 'scripts/mnist_kde.sh'), 'kde_script', '2', '0', '7']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: sh scripts\/mnist_kde.sh xp_dir seed pca mnist_normal mnist_outlier/);
});

test('bad input ends in one line and a non-zero exit', () => {
  const one = (args: string[], re: RegExp) => {
    const r = cliRun(args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  };
  one(['baseline', '--method', 'svdd'], /--method svdd is invalid: use one of ocsvm, kde, if/);
  one(['baseline'], /--method is required: use one of ocsvm, kde, if/);
  one(['baseline', '--method', 'kde', '--gamma', '0.1'], /--gamma only applies to --method ocsvm/);
  one(['baseline', '--method', 'if', '--nu', '0.2'], /--nu only applies to --method ocsvm/);
  one(['baseline', '--method', 'ocsvm', '--nu', '0,0.1'], /--nu 0,0.1 is invalid/);
  one(['baseline', '--method', 'ocsvm', '--n-epochs', '3'], /unknown option '--n-epochs'/);
  one(['baseline', '--method', 'kde', '--pca-variance', '0.9'], /--pca-variance needs --pca 1/);
  one(['baseline', '--method', 'kde', '--normal', '12'], /--normal 12 is out of range/);
  one(['train', '--pca', '1'], /--pca only applies to the shallow baselines, not to network runs/);
  one(['sweep', '--pca', '1', '--xp-dir', path.join(tmp, 'never')], /--pca only applies to the shallow baselines/);
  one(['sweep', '--method', 'if', '--n-epochs', '3', '--xp-dir', path.join(tmp, 'never')], /--n-epochs only applies to network runs/);
  assert.ok(!fs.existsSync(path.join(tmp, 'never')));
  // a run folder holding a run is left exactly as it was when --force meets a data folder that cannot be read
  const kept = path.join(tmp, 'kept');
  fs.mkdirSync(kept, { recursive: true });
  fs.writeFileSync(path.join(kept, 'results.json'), JSON.stringify({ status: 'finished', test_auc: 0.9 }));
  fs.writeFileSync(path.join(kept, 'log.txt'), 'an earlier run\n');
  const before = snapshot(kept);
  one(['baseline', '--method', 'if', '--force', '1', '--dataset', 'cifar10', '--data-dir', path.join(tmp, 'no-such-data'), '--xp-dir', kept], /no-such-data/);
  assertUnchanged(kept, before);
});

test('degenerate settings: a one-line error before any run folder is written, or a result that says AUC n/a', () => {
  const refused = (args: string[], re: RegExp) => {
    const xp = path.join(tmp, 'degenerate-refused');
    const r = cliRun(['baseline', ...args, '--xp-dir', xp]);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^deep-svdd: /);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.match(r.stderr, re);
    assert.ok(!fs.existsSync(xp), `${args.join(' ')}: no run folder`);
  };
  refused(['--method', 'ocsvm', '--nu', '1', '--n-train', '50'], /--nu 1 leaves the OC-SVM no boundary .*: use a ν below 1/);
  refused(['--method', 'ocsvm', '--nu', '0.1,1', '--n-train', '50'], /--nu 1 leaves the OC-SVM no boundary/);
  refused(['--method', 'kde', '--bandwidth', '1e-320', '--n-train', '50'], /--bandwidth 1e-320 is outside what double precision can evaluate for images of 784 values .*: use a bandwidth from 3e-153 to 5\.3e\+153$/m);
  refused(['--method', 'kde', '--bandwidth', '1e200', '--n-train', '50'], /--bandwidth 1e\+200 is outside what double precision can evaluate/);
  refused(['--method', 'kde', '--kde-folds', '51', '--n-train', '50'], /--kde-folds 51 is more than the 50 training images: use at most 50 folds, or give --bandwidth/);
  for (const method of ['ocsvm', 'kde', 'if']) refused(['--method', method, '--n-train', '1'], /the training set has 1 image\(s\), a baseline needs at least 2: .*--n-train/);
  refused(['--method', 'ocsvm', '--n-train', '50', '--n-test', '1'], /--gamma-selection test-slice chooses γ on 1 of the 1 test images .*the test set has \d normal, \d outlier.*--n-test.*--gamma/);

  // a test set of one class: the run finishes, AUC and AUPRC null, "n/a" on the console, as train
  const oneClass = [['if'], ['kde'], ['ocsvm', '--gamma', '0.01'], ['ocsvm', '--gamma-selection', 'train-holdout']];
  for (const [k, [method, ...extra]] of oneClass.entries()) {
    const xp = path.join(tmp, `one-test-${k}`);
    const r = cliRun(['baseline', '--method', method, ...extra, '--n-train', '50', '--n-test', '1', '--xp-dir', xp]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Test AUC: n\/a \(one class only in the test set\) on 1 test images/);
    const res = readJson(path.join(xp, 'results.json'));
    assert.equal(res.status, 'finished');
    assert.equal(res.test_auc, null);
    assert.equal(res.test_auprc, null);
    assert.equal(res.test_scores.length, 1);
  }
  // the smallest settings the checks let through run
  const r = cliRun(['baseline', '--method', 'kde', '--kde-folds', '2', '--n-train', '2', '--n-test', '30', '--xp-dir', path.join(tmp, 'kde-two')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readJson(path.join(tmp, 'kde-two', 'results.json')).status, 'finished');
});

test('a baseline sweep, then report on a folder of sweeps: the Table 1 layout with all six columns and the paper\'s values', async () => {
  const table = path.join(tmp, 'table1');
  const r = cliRun(['sweep', '--method', 'if', '--classes', '0,1', '--seeds', '1,2', '--jobs', '1', ...small, '--xp-dir', path.join(table, 'if')]);
  assert.equal(r.code, 0, r.stderr);
  const sweep = readJson(path.join(table, 'if', 'sweep.json'));
  assert.equal(sweep.runs.filter((x: { status: string }) => x.status === 'finished').length, 4);
  // the other five methods as fake run folders written before results.json had "method": their column comes from "objective"
  const objectives: Record<string, string> = {
    ocsvm: 'OC-SVM (RBF kernel, ν = 0.1)', kde: 'KDE (Gaussian kernel)', dcae: 'deep convolutional autoencoder (l2 reconstruction error)',
    soft: 'soft-boundary Deep SVDD, ν = 0.1, block-coordinate R', oneclass: 'one-class Deep SVDD',
  };
  for (const [m, objective] of Object.entries(objectives)) {
    for (const cls of [0, 1]) {
      for (const seed of [1, 2]) {
        const dir = path.join(table, m, `${cls}vsall`, `seed_${seed}`);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify({ status: 'finished', dataset: 'mnist', objective, test_auc: 0.9 + 0.01 * seed, normal_class_names: [String(cls)] }));
      }
    }
  }
  const rep = await writeReport(table);
  assert.deepEqual(rep.table.columns.map((c) => c.key), ['ocsvm', 'kde', 'if', 'dcae', 'soft-boundary', 'one-class']);
  assert.equal(rep.table.rows.length, 2);
  const c0 = rep.table.rows[0].cells;
  assert.ok(Math.abs(c0.kde!.mean! - 91.5) < 1e-9 && Math.abs(c0.kde!.std! - 0.5) < 1e-9);
  assert.deepEqual(c0.ocsvm!.paper, { mean: 98.6, std: 0 });
  assert.deepEqual(c0.if!.paper, { mean: 98.0, std: 0.3 });
  assert.deepEqual(rep.table.rows[1].cells['one-class']!.paper, { mean: 99.7, std: 0.1 });
  assert.equal(c0.if!.n, 2);
  const md = fs.readFileSync(path.join(table, 'summary.md'), 'utf8');
  assert.match(md, /\| class \| name \| OC-SVM \(%\) \| KDE \(%\) \| Isolation Forest \(%\) \| DCAE \(%\) \| soft-boundary Deep SVDD \(%\) \| one-class Deep SVDD \(%\) \|/);
  assert.match(md, /\| 0 \| 0 \| 91\.5 ± 0\.5 \/ 98\.6 ± 0\.0 \| 91\.5 ± 0\.5 \/ 97\.1 ± 0\.0 \| [\d.]+ ± [\d.]+ \/ 98\.0 ± 0\.3 \|/);
  assert.match(md, /\| mean \| all classes \| 91\.5 ± 0\.5 \/ 99\.[01] ± 0\.0 \|/);
  assert.match(fs.readFileSync(path.join(table, 'report.html'), 'utf8'), /<h2>Test AUC per class and method: ours \/ the paper's<\/h2>/);
});
