/**
 * `deep-svdd sweep` and `deep-svdd report`: the state logic, a tiny real sweep interrupted with SIGINT and resumed,
 * a failed run recorded while the others go on, the Slurm script run task by task without Slurm, and the report
 * against the numbers in the runs' results.json.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ODDS_TABLES } from '../../src/data/odds.js';
import { paperValue, PAPER_TABLE1 } from '../../src/eval/paper.js';
import { popStd, sweepComparison, writeReport } from '../../src/experiments/report.js';
import { estimateEta, formatDuration, statusLine } from '../../src/experiments/sweep-progress.js';
import { countRuns, runOutcome, SweepState, type SweepPlan, type SweepRun } from '../../src/experiments/sweep-state.js';
import { parseClassSelection, parseIntList } from '../../src/experiments/sweep.js';
import { UserError } from '../../src/util/errors.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-sweep-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const tiny = ['--n-train', '200', '--n-test', '100', '--n-epochs', '2', '--ae-n-epochs', '2', '--batch-size', '100'];

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: tmp, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function plan(xpDir: string): SweepPlan {
  return {
    dataset: 'mnist', xpDir, classes: [0, 1], seeds: [1, 2], jobs: 2, threads: 1, force: false, trainArgs: [],
    runDirs: new Map([[0, '0vsall'], [1, '1vsall']]), epochs: { pretrain: 10, train: 10 }, argv: ['sweep'],
  };
}

test('state logic: lists, run outcomes, counts, ETA, status line, paper table', () => {
  assert.deepEqual(parseIntList('0-3,7,2', '--classes', 0, 9), [0, 1, 2, 3, 7]);
  assert.deepEqual(parseIntList('5', '--seeds', 0, 100), [5]);
  assert.throws(() => parseIntList('3-1', '--seeds', 0, 100), /--seeds 3-1 is invalid: the range 3-1 is backwards/);
  assert.throws(() => parseIntList('0,12', '--classes', 0, 9), /--classes 0,12 is invalid: values must lie in 0\.\.9/);
  assert.throws(() => parseIntList('a', '--classes', 0, 9), /comma-separated/);
  const cifar = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
  assert.deepEqual(parseClassSelection('cat,0-2,ship,3', cifar), [3, 0, 1, 2, 8]);
  assert.deepEqual(parseClassSelection('7,1', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']), [7, 1]);
  assert.throws(() => parseClassSelection('cow', cifar), /--classes "cow" is not a class name or index: the classes are/);
  assert.throws(() => parseClassSelection('-1', cifar), /--classes -1 is invalid: list the normal classes/);
  assert.throws(() => parseClassSelection('1,,2', cifar), /--classes 1,,2 is invalid/);

  const t = Date.now();
  const base = { code: 0, signal: null, launchedAt: t, resultsMtimeMs: t + 5000, stopping: false };
  assert.deepEqual(runOutcome({ status: 'finished', test_auc: 0.9, ae_test_auc: 0.8 }, base), { status: 'finished', test_auc: 0.9, ae_test_auc: 0.8 });
  // the error from results.json wins over stderr
  assert.equal(runOutcome({ status: 'failed', error: 'loss diverged' }, { ...base, code: 3, lastStderr: 'deep-svdd: something' }).error, 'loss diverged');
  assert.equal(runOutcome({ status: 'failed', error: 'loss diverged' }, { ...base, code: 3 }).status, 'failed');
  // no results.json: the child's last stderr line, without the program prefix
  assert.deepEqual(runOutcome(null, { ...base, code: 2, lastStderr: 'deep-svdd: cannot write x: permission denied' }),
    { status: 'failed', error: 'cannot write x: permission denied', ae_test_auc: null });
  // a results.json older than the child (an earlier attempt) is ignored, even if it says finished
  const stale = { ...base, code: 2, resultsMtimeMs: t - 60_000, lastStderr: 'deep-svdd: boom' };
  assert.deepEqual(runOutcome({ status: 'finished', test_auc: 0.5 }, stale), { status: 'failed', error: 'boom', ae_test_auc: null });
  assert.match(runOutcome(null, { ...base, code: null, signal: 'SIGKILL' }).error!, /killed by SIGKILL/);
  assert.match(runOutcome(null, { ...base, code: 0 }).error!, /exited with code 0 without a finished results\.json/);
  // stopped by the sweep: interrupted (redone by the next sweep), not failed
  assert.equal(runOutcome({ status: 'interrupted', error: 'interrupted by SIGINT' }, { ...base, code: 130, stopping: true }).status, 'interrupted');
  assert.equal(runOutcome({ status: 'interrupted', error: 'interrupted by SIGTERM' }, { ...base, code: 143 }).status, 'failed');

  const runs: SweepRun[] = [
    { class: 0, seed: 1, dir: '0vsall/seed_1', status: 'finished', skipped: true },
    { class: 0, seed: 2, dir: '0vsall/seed_2', status: 'finished' },
    { class: 1, seed: 1, dir: '1vsall/seed_1', status: 'running', phase: 'train', epoch: 5, n_epochs: 10 },
    { class: 1, seed: 2, dir: '1vsall/seed_2', status: 'failed', error: 'x' },
    { class: 2, seed: 1, dir: '2vsall/seed_1', status: 'pending' },
  ];
  assert.deepEqual(countRuns(runs), { total: 5, finished: 2, skipped: 1, running: 1, failed: 1, interrupted: 0, pending: 1 });
  // 3 runs to do this time (skipped and failed left out); done: 1 finished + 0.75 of the running one = 1.75 units in
  // 70 s -> 1.25 units left = 50 s
  assert.equal(Math.round(estimateEta(runs, { pretrain: 10, train: 10 }, 70)!), 50);
  assert.equal(estimateEta(runs.map((r) => ({ ...r, status: 'pending' as const, skipped: false })), { pretrain: 10, train: 10 }, 100), null);
  assert.equal(formatDuration(42), '42s');
  assert.equal(formatDuration(125), '2m05s');
  assert.equal(formatDuration(12 * 60 + 5), '12m');
  assert.equal(formatDuration(3 * 3600 + 7 * 60), '3h07m');

  const dir = fs.mkdtempSync(path.join(tmp, 'state-'));
  const state = new SweepState(plan(dir), runs);
  assert.equal(statusLine(state, 70), '[sweep] 2/5 done, 1 running, 1 failed — 1vsall seed 1: train epoch 5/10 — ETA 50s');
  state.save();
  const saved = readJson(path.join(dir, 'sweep.json'));
  assert.equal(saved.status, 'running');
  assert.equal(saved.counts.failed, 1);
  assert.equal(saved.runs[3].error, 'x');
  state.status = 'finished';
  state.save();
  // a later sweep in the same folder keeps the earlier invocation in its history
  assert.equal(new SweepState(plan(dir), runs).toJSON().history instanceof Array, true);
  assert.equal((new SweepState(plan(dir), runs).toJSON().history as unknown[]).length, 1);

  assert.deepEqual(paperValue('mnist', 'one-class', 0), { mean: 98.0, std: 0.7 });
  assert.deepEqual(paperValue('cifar10', 'dcae', 8), { mean: 76.8, std: 1.4 });
  assert.deepEqual(paperValue('gtsrb', 'one-class', 0), { mean: 80.3, std: 5.6 });
  assert.equal(paperValue('gtsrb', 'one-class', 1), null, 'GTSRB has one normal class (stop signs)');
  // a value per normal class: ten for MNIST and CIFAR-10; one for GTSRB (stop signs) and each ODDS table (class 0)
  const oneRow = new Set(['gtsrb', ...ODDS_TABLES.map((t) => t.name)]);
  for (const [name, ds] of Object.entries(PAPER_TABLE1)) for (const col of Object.values(ds)) assert.equal(col.length, oneRow.has(name) ? 1 : 10, name);
  assert.ok(Math.abs(popStd([1, 2, 3, 4]) - Math.sqrt(1.25)) < 1e-12, 'population std, like np.std');
});

test('report: the paper column follows results.json "method", or "objective" in files written before "method" (soft-boundary, DCAE); class names; unfinished runs left out', async () => {
  const dir = path.join(tmp, 'synthetic');
  const put = (rel: string, r: Record<string, unknown>) => {
    fs.mkdirSync(path.join(dir, rel), { recursive: true });
    fs.writeFileSync(path.join(dir, rel, 'results.json'), JSON.stringify(r));
  };
  const soft = 'soft-boundary Deep SVDD, ν = 0.1, R trained by the solver';
  put('3vsall/seed_1', { status: 'finished', dataset: 'cifar10', objective: soft, test_auc: 0.60, ae_test_auc: 0.55, normal_class_names: ['cat'] });
  put('3vsall/seed_2', { status: 'finished', dataset: 'cifar10', objective: soft, test_auc: 0.64, ae_test_auc: 0.57, normal_class_names: ['cat'] });
  put('3vsall/seed_3', { status: 'failed', dataset: 'cifar10', objective: soft, error: 'loss diverged', normal_class_names: ['cat'] });
  put('8vsall/seed_1', { status: 'finished', dataset: 'cifar10', objective: 'deep convolutional autoencoder (l2 reconstruction error)', test_auc: 0.75, normal_class_names: ['ship'] });
  const r = await writeReport(dir);
  assert.deepEqual(r.table.columns.map((c) => c.key), ['dcae', 'soft-boundary'], 'files without "method" land in their column, in the paper\'s order');
  assert.deepEqual(r.runs.map((x) => x.method), ['soft-boundary', 'soft-boundary', 'soft-boundary', 'dcae']);
  const md = fs.readFileSync(path.join(dir, 'summary.md'), 'utf8');
  // two methods: the paper's layout, a row per class, "ours / paper" per method, and each method's own mean
  assert.ok(md.includes('| class | name | DCAE (%) | soft-boundary Deep SVDD (%) |'), md);
  assert.ok(md.includes('| 3 | cat | – | 62.0 ± 2.0 / 56.0 ± 1.1 |'), md);
  assert.ok(md.includes('| 8 | ship | 75.0 ± 0.0 / 76.8 ± 1.4 | – |'), md);
  assert.ok(md.includes('| mean | all classes | 75.0 ± 0.0 / 76.8 ± 1.4 | 62.0 ± 2.0 / 56.0 ± 1.1 |'), 'no mean over both methods together');
  assert.match(md, /CIFAR-10, soft-boundary Deep SVDD column/);
  assert.match(md, /CIFAR-10, DCAE column/);
  assert.match(md, /1 run\(s\) not finished and left out: 3vsall\/seed_3 \(failed\)/);
  const softMean = r.table.mean['soft-boundary'];
  assert.equal(softMean.n, 2);
  assert.equal(softMean.nRuns, 3);
  assert.ok(Math.abs(softMean.mean! - 62) < 1e-9);
  assert.equal(r.table.mean.dcae.aeMean, null, 'no AE mean where a class has none');
  const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
  assert.match(html, /loss diverged/);
});

test('report: a run\'s column is its "method" whatever its objective says, and an older file without one joins it', async () => {
  const dir = path.join(tmp, 'with-method');
  const put = (rel: string, r: Record<string, unknown>) => {
    fs.mkdirSync(path.join(dir, rel), { recursive: true });
    fs.writeFileSync(path.join(dir, rel, 'results.json'), JSON.stringify(r));
  };
  put('3vsall/seed_1', { status: 'finished', dataset: 'mnist', objective: 'an objective worded anew', method: 'one-class', test_auc: 0.9 });
  put('3vsall/seed_2', { status: 'finished', dataset: 'mnist', objective: 'one-class Deep SVDD', test_auc: 0.92 });
  const r = await writeReport(dir);
  assert.deepEqual(r.runs.map((x) => x.method), ['one-class', 'one-class']);
  assert.deepEqual(r.table.columns.map((c) => [c.key, c.title, c.paper]), [['one-class', 'one-class Deep SVDD', 'one-class']]);
  assert.equal(r.table.rows[0].cells['one-class'].n, 2);
  assert.deepEqual(r.table.rows[0].cells['one-class'].paper, { mean: 91.9, std: 1.5 });
});

test('report: a folder where one of its files belongs is a one-line error naming it, before anything is written', async () => {
  const files = ['summary.csv', 'summary.md', 'auc_chart.png', 'report.html'];
  for (const blocked of files) {
    const dir = path.join(tmp, `blocked-${blocked}`);
    fs.mkdirSync(path.join(dir, '0vsall', 'seed_1'), { recursive: true });
    fs.writeFileSync(path.join(dir, '0vsall', 'seed_1', 'results.json'), JSON.stringify({ status: 'finished', dataset: 'mnist', objective: 'one-class Deep SVDD', test_auc: 0.9 }));
    fs.mkdirSync(path.join(dir, blocked));
    await assert.rejects(writeReport(dir), (e: Error) => e instanceof UserError && e.message === `${path.join(dir, blocked)} is a folder where report writes a file: move or remove it, then run report again`);
    assert.deepEqual(files.filter((f) => fs.existsSync(path.join(dir, f))), [blocked], 'nothing written');
  }
  const r = run(['report', path.join(tmp, 'blocked-report.html')]);
  assert.notEqual(r.code, 0);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /report\.html is a folder where report writes a file: move or remove it/);
});

test('report: a link or a FIFO where one of its files belongs is refused, and what the link points to is unchanged', async () => {
  const dir = path.join(tmp, 'linked-outputs');
  fs.mkdirSync(path.join(dir, '0vsall', 'seed_1'), { recursive: true });
  fs.writeFileSync(path.join(dir, '0vsall', 'seed_1', 'results.json'), JSON.stringify({ status: 'finished', dataset: 'mnist', objective: 'one-class Deep SVDD', test_auc: 0.9 }));
  const target = path.join(tmp, 'precious.md');
  fs.writeFileSync(target, 'keep me');
  fs.symlinkSync(target, path.join(dir, 'summary.md'));
  await assert.rejects(writeReport(dir), /summary\.md is a symbolic link where report writes a file: move or remove it/);
  assert.equal(fs.readFileSync(target, 'utf8'), 'keep me');
  fs.rmSync(path.join(dir, 'summary.md'));
  spawnSync('mkfifo', [path.join(dir, 'report.html')]);
  await assert.rejects(writeReport(dir), /report\.html is a FIFO \(named pipe\) where report writes a file/);
  assert.deepEqual(['summary.csv', 'summary.md', 'auc_chart.png'].filter((f) => fs.existsSync(path.join(dir, f))), [], 'nothing written');
});

test('report on a folder of sweeps (an ablation) compares them: autoencoder → final AUC per class they share; a linked sweep folder counts', async () => {
  const dir = path.join(tmp, 'ablation');
  const put = (rel: string, auc: number, ae: number) => {
    fs.mkdirSync(path.join(dir, rel), { recursive: true });
    fs.writeFileSync(path.join(dir, rel, 'results.json'), JSON.stringify({ status: 'finished', dataset: 'mnist', objective: 'one-class Deep SVDD', test_auc: auc, ae_test_auc: ae }));
  };
  put('variant/2vsall/seed_1', 0.90, 0.80);
  put('variant/2vsall/seed_2', 0.94, 0.84);
  put('variant/5vsall/seed_1', 0.80, 0.70);
  put('variant/7vsall/seed_1', 0.99, 0.99); // only in this folder: left out of the comparison
  const elsewhere = path.join(tmp, 'table-one-class');
  for (const [rel, auc, ae] of [['2vsall/seed_1', 0.92, 0.88], ['5vsall/seed_1', 0.86, 0.81]] as const) {
    fs.mkdirSync(path.join(elsewhere, rel), { recursive: true });
    fs.writeFileSync(path.join(elsewhere, rel, 'results.json'), JSON.stringify({ status: 'finished', dataset: 'mnist', objective: 'one-class Deep SVDD', test_auc: auc, ae_test_auc: ae }));
  }
  fs.symlinkSync(elsewhere, path.join(dir, 'reference'));
  // a folder whose runs are still running has nothing to compare yet: left out, not emptying the table
  fs.mkdirSync(path.join(dir, 'started/2vsall/seed_1'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'started/2vsall/seed_1/results.json'), JSON.stringify({ status: 'running', dataset: 'mnist', objective: 'one-class Deep SVDD' }));
  const r = await writeReport(dir);
  assert.equal(r.runs.length, 7, 'the linked folder\'s runs are read');
  const c = sweepComparison(r.runs)!;
  assert.deepEqual(c.classes, [2, 5]);
  assert.deepEqual(c.sweeps.map((s) => s.name), ['reference', 'variant']);
  const v = c.sweeps[1];
  assert.ok(Math.abs(v.cells[0].auc!.mean - 92) < 1e-9 && Math.abs(v.cells[0].auc!.std - 2) < 1e-9 && v.cells[0].n === 2);
  assert.ok(Math.abs(v.mean.auc!.mean - 86) < 1e-9 && Math.abs(v.mean.ae!.mean - 76) < 1e-9);
  const md = fs.readFileSync(path.join(dir, 'summary.md'), 'utf8');
  assert.ok(md.includes('| reference | 88.0 ± 0.0 → 92.0 ± 0.0 (1) | 81.0 ± 0.0 → 86.0 ± 0.0 (1) | 84.5 ± 0.0 → 89.0 ± 0.0 (2) |'), md);
  assert.ok(md.includes('| variant | 82.0 ± 2.0 → 92.0 ± 2.0 (2) | 70.0 ± 0.0 → 80.0 ± 0.0 (1) | 76.0 ± 1.0 → 86.0 ± 1.0 (3) |'), md);
  assert.equal(sweepComparison(r.runs.filter((x) => x.group.startsWith('variant/'))), null, 'one folder: nothing to compare');
  assert.match(fs.readFileSync(path.join(dir, 'report.html'), 'utf8'), /<h2>Sweep folders compared<\/h2>/);
});

test('a sweep interrupted with SIGINT keeps its finished runs; the same command finishes the rest; report agrees with results.json', async () => {
  const dir = path.join(tmp, 'sweep');
  const args = ['sweep', '--classes', '0,1', '--seeds', '1,2', '--jobs', '2', '--xp-dir', dir, ...tiny];
  const t0 = Date.now();
  const child = spawn(process.execPath, [cli, ...args], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // wait until one run finished and another is running
  let sent = false;
  while (Date.now() - t0 < 60_000 && child.exitCode === null) {
    try {
      const s = readJson(path.join(dir, 'sweep.json'));
      if (s.counts.finished >= 1 && s.counts.running >= 1) { child.kill('SIGINT'); sent = true; break; }
    } catch { /* not written yet */ }
    await sleep(100);
  }
  assert.ok(sent, `never saw a finished and a running run at once; stderr:\n${stderr}`);
  const code = await exited;
  assert.notEqual(code, 0, 'an interrupted sweep exits non-zero');
  assert.match(stderr, /\[sweep\] SIGINT: stopping/);
  assert.match(stderr, /sweep interrupted by SIGINT: \d of 4 runs finished and kept/);
  const s1 = readJson(path.join(dir, 'sweep.json'));
  assert.equal(s1.status, 'interrupted');
  const finished1 = (s1.runs as SweepRun[]).filter((r) => r.status === 'finished');
  assert.ok(finished1.length >= 1 && finished1.length < 4, `finished after the interrupt: ${finished1.length}`);
  const kept = new Map<string, string>();
  for (const r of finished1) {
    const res = readJson(path.join(dir, r.dir, 'results.json'));
    assert.equal(res.status, 'finished');
    assert.equal(r.test_auc, res.test_auc);
    kept.set(r.dir, res.started_at);
  }
  for (const r of (s1.runs as SweepRun[]).filter((x) => x.status !== 'finished')) {
    const f = path.join(dir, r.dir, 'results.json');
    if (fs.existsSync(f)) assert.notEqual(readJson(f).status, 'finished', `${r.dir}: sweep.json and results.json agree`);
  }
  assert.ok(!fs.existsSync(path.join(dir, '.sweep.lock')), 'the lock is released');

  // the same command again: skips the finished runs, completes the rest
  const again = run(args);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, new RegExp(`${finished1.length} finished before \\(skipped\\), ${4 - finished1.length} to run`));
  const s2 = readJson(path.join(dir, 'sweep.json'));
  assert.equal(s2.status, 'finished');
  assert.equal(s2.counts.finished, 4);
  assert.equal(s2.history.length, 1);
  for (const r of s2.runs as SweepRun[]) {
    const res = readJson(path.join(dir, r.dir, 'results.json'));
    assert.equal(res.status, 'finished', r.dir);
    if (kept.has(r.dir)) {
      assert.equal(r.skipped, true, `${r.dir} skipped`);
      assert.equal(res.started_at, kept.get(r.dir), `${r.dir} was not rerun`);
    } else {
      assert.ok(!r.skipped);
      assert.ok(typeof r.seconds === 'number' && r.seconds > 0);
    }
    assert.match(again.stderr + stderr, new RegExp(`finished ${r.dir.split('/')[0]} seed ${r.seed}: test AUC \\d+\\.\\d\\d%`));
  }

  // report
  const rep = run(['report', dir]);
  assert.equal(rep.code, 0, rep.stderr);
  for (const f of ['summary.csv', 'summary.md', 'auc_chart.png', 'report.html']) assert.ok(fs.existsSync(path.join(dir, f)), `${f} missing`);
  const md = fs.readFileSync(path.join(dir, 'summary.md'), 'utf8');
  assert.equal(rep.stdout, md);
  assert.match(md, /population standard deviation \(numpy's default np\.std, ddof = 0/);
  const csv = fs.readFileSync(path.join(dir, 'summary.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const head = csv[0];
  const classMeans: number[] = [];
  for (const c of [0, 1]) {
    const aucs = [1, 2].map((s) => 100 * readJson(path.join(dir, `${c}vsall/seed_${s}/results.json`)).test_auc);
    const ae = [1, 2].map((s) => 100 * readJson(path.join(dir, `${c}vsall/seed_${s}/results.json`)).ae_test_auc);
    const mean = (aucs[0] + aucs[1]) / 2;
    const std = Math.abs(aucs[0] - aucs[1]) / 2; // population std of two values
    classMeans.push(mean);
    const paper = PAPER_TABLE1.mnist['one-class']![c];
    const row = md.split('\n').find((l) => l.startsWith(`| ${c} |`));
    assert.ok(row, `summary.md has no row for class ${c}:\n${md}`);
    assert.equal(row, `| ${c} | ${c} | 2 | ${mean.toFixed(1)} ± ${std.toFixed(1)} | ${paper.mean.toFixed(1)} ± ${paper.std.toFixed(1)} | `
      + `${mean - paper.mean >= 0 ? '+' : '−'}${Math.abs(mean - paper.mean).toFixed(1)} | ${((ae[0] + ae[1]) / 2).toFixed(1)} |`);
    const cr = csv.find((r) => r[head.indexOf('class')] === String(c))!;
    assert.ok(Math.abs(Number(cr[head.indexOf('test_auc_mean_pct')]) - mean) < 1e-3);
    assert.ok(Math.abs(Number(cr[head.indexOf('test_auc_std_pct')]) - std) < 1e-3);
    assert.equal(cr[head.indexOf('n_seeds')], '2');
    assert.equal(Number(cr[head.indexOf('paper_auc_mean_pct')]), paper.mean);
  }
  assert.match(md, new RegExp(`\\| \\*\\*all\\*\\* \\| \\*\\*all classes\\*\\* \\| \\*\\*4\\*\\* \\| \\*\\*${((classMeans[0] + classMeans[1]) / 2).toFixed(1)} ±`));
  const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
  assert.match(html, /<table class="summary">/);
  assert.ok((html.match(/data:image\/png;base64,/g) ?? []).length >= 2 * 2, 'each class\'s two picture grids');
  assert.ok((html.match(/<svg[^>]*>/g) ?? []).length >= 1 + 2, 'the AUC chart and each class\'s loss charts, as SVG');
  assert.match(html, /<svg[^>]*>(.|\n)*Test AUC per class \(MNIST\)(.|\n)*<\/svg>/);
  assert.doesNotMatch(html, /<link|<script|src="(?!data:)/, 'self-contained');
  const png = fs.readFileSync(path.join(dir, 'auc_chart.png'));
  assert.equal(png.subarray(1, 4).toString(), 'PNG');

  // a second sweep cannot run in the same folder while one holds its lock
  fs.writeFileSync(path.join(dir, '.sweep.lock'), `${process.pid}\n`);
  const locked = run(args);
  assert.notEqual(locked.code, 0);
  assert.match(locked.stderr.trim(), new RegExp(`^deep-svdd: another sweep \\(pid ${process.pid}\\) is running in`));
  fs.rmSync(path.join(dir, '.sweep.lock'));

  // the Slurm script, run task by task without Slurm: finished tasks skip, others train
  const emit = run(['sweep', '--emit', 'slurm', '--classes', '0,1,2', '--seeds', '1,2', '--jobs', '2', '--xp-dir', dir, ...tiny]);
  assert.equal(emit.code, 0, emit.stderr);
  assert.match(emit.stdout, /a Slurm job array of 6 task\(s\).*4 already finished/);
  assert.match(emit.stdout, /sbatch .*sweep\.sbatch/);
  const script = fs.readFileSync(path.join(dir, 'sweep.sbatch'), 'utf8');
  assert.match(script, /^#SBATCH --array=0-5%2$/m);
  assert.ok(script.includes(`exec ${process.execPath} ${cli} train --n-train 200`), 'absolute paths to node and the CLI');
  const task = (i: number) => spawnSync('bash', [path.join(dir, 'sweep.sbatch')], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: String(i) }, timeout: 60_000 });
  const t1 = task(1);
  assert.equal(t1.status, 0, t1.stderr);
  assert.match(t1.stdout, /0vsall\/seed_2 is finished: skipped/);
  const t4 = task(4);
  assert.equal(t4.status, 0, t4.stderr);
  assert.equal(readJson(path.join(dir, '2vsall/seed_1/results.json')).status, 'finished');
  assert.equal(readJson(path.join(dir, '2vsall/seed_1/config.json')).normal[0], 2);
  assert.notEqual(task(6).status, 0, 'task 6 is outside the array');
  const t = (Date.now() - t0) / 1000;
  assert.ok(t < 120, `took ${t.toFixed(0)} s`);
});

test('a failed run is recorded with its error and the other runs go on', () => {
  const dir = path.join(tmp, 'failing');
  fs.mkdirSync(path.join(dir, '1vsall'), { recursive: true });
  fs.writeFileSync(path.join(dir, '1vsall', 'seed_1'), 'a file where the run folder should be');
  const r = run(['sweep', '--classes', '0,1', '--seeds', '1', '--jobs', '2', '--xp-dir', dir, ...tiny]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /\[sweep\] FAILED 1vsall seed 1 in \d+s: --xp-dir .*seed_1 is a file, not a folder/);
  assert.match(r.stderr, /\[sweep\] finished 0vsall seed 1: test AUC/);
  assert.match(r.stderr.trim().split('\n').at(-1)!, /^deep-svdd: 1 of 2 runs failed \(errors in .*sweep\.json and each run's log\.txt\); mean test AUC [\d.]+% over 1 run\(s\); rerun the same command to retry them$/);
  const s = readJson(path.join(dir, 'sweep.json'));
  assert.equal(s.status, 'failed');
  const failed = (s.runs as SweepRun[]).find((x) => x.class === 1)!;
  assert.equal(failed.status, 'failed');
  assert.equal(failed.exit_code, 2);
  assert.match(failed.error!, /is a file, not a folder/);
  const ok = (s.runs as SweepRun[]).find((x) => x.class === 0)!;
  assert.equal(ok.status, 'finished');
  assert.equal(readJson(path.join(dir, '0vsall/seed_1/results.json')).status, 'finished');
});

test('sweep and report option errors are one line', () => {
  const one = (args: string[], re: RegExp) => {
    const r = run([args[0], '--seeds', '1', ...tiny, ...args.slice(1)]); // one seed, tiny settings: in case a check let a sweep start
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, re);
  };
  one(['sweep', '--classes', '10', '--xp-dir', path.join(tmp, 'e1')], /--classes 10 is invalid: values must lie in 0\.\.9/);
  one(['sweep', '--seeds', '1,,2', '--xp-dir', path.join(tmp, 'e1')], /--seeds 1,,2 is invalid: use comma-separated whole numbers/);
  one(['sweep', '--jobs', '0', '--xp-dir', path.join(tmp, 'e1')], /--jobs 0 is invalid: use a whole number ≥ 1/);
  one(['sweep', '--lr', '0', '--xp-dir', path.join(tmp, 'e1')], /--lr 0 is invalid/);
  one(['sweep', '--classes', '0,3', '--outlier', '3', '--xp-dir', path.join(tmp, 'e1')], /^deep-svdd: --classes 3: class 3 is in both --normal and --outlier/);
  one(['sweep', '--normal', '1'], /unknown option '--normal'/);
  const oneReport = (dir: string, re: RegExp) => {
    const r = run(['report', dir]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  };
  oneReport(path.join(tmp, 'nowhere'), /nowhere does not exist: give the --xp-dir of a sweep/);
  fs.mkdirSync(path.join(tmp, 'empty'));
  oneReport(path.join(tmp, 'empty'), /no runs in .*empty/);
  assert.ok(!fs.existsSync(path.join(tmp, 'e1', 'sweep.json')), 'nothing ran');
});
