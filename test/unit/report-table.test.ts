// The report's table model (report-table.ts): columns by method (Deep SAD per γ_l, a method split by sweep folder in an
// ablation), rows by dataset and class, mean ± population std over seeds, the mean row per column; hand-computed values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellOf, meanCell, methodTitle, popStd, reportColumns, reportTable, rowLabel, sweepComparison } from '../../src/experiments/report-table.js';
import { run } from '../helpers/report-runs.js';

const near = (a: number | null, b: number, what: string) => assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${what}: ${a} ≠ ${b}`);

test('population std (numpy np.std, ddof = 0)', () => {
  near(popStd([1, 2, 3, 4]), Math.sqrt(1.25), 'std of 1..4');
  near(popStd([5]), 0, 'one value');
});

test('two methods × two classes: rows are classes, columns the methods in the paper\'s order, a mean row per method', () => {
  const runs = [
    run({ cls: 0, seed: 1, auc: 0.98, ae: 0.9, sweep: 'one-class' }), run({ cls: 0, seed: 2, auc: 0.96, ae: 0.92, sweep: 'one-class' }),
    run({ cls: 1, seed: 1, auc: 0.99, sweep: 'one-class' }),
    run({ cls: 0, seed: 1, auc: 0.90, method: 'ocsvm', sweep: 'ocsvm' }),
  ];
  const t = reportTable(runs);
  assert.deepEqual(t.columns.map((c) => [c.key, c.title, c.paper]), [['ocsvm', 'OC-SVM', 'ocsvm'], ['one-class', 'one-class Deep SVDD', 'one-class']]);
  assert.deepEqual(t.rows.map((r) => [r.key, r.name]), [['mnist:0vsall', '0'], ['mnist:1vsall', '1']]);
  const c0 = t.rows[0].cells['one-class'];
  near(c0.mean, 97, 'class 0 mean'); near(c0.std, 1, 'class 0 std'); near(c0.aeMean, 91, 'AE mean');
  assert.deepEqual([c0.n, c0.nRuns, c0.min, c0.max], [2, 2, 96, 98]);
  assert.deepEqual(c0.paper, { mean: 98.0, std: 0.7 });
  assert.equal(t.rows[1].cells.ocsvm.nRuns, 0, 'OC-SVM has no class-1 runs');
  assert.equal(t.rows[1].cells.ocsvm.mean, null);
  // the mean row: each method over its own classes, the paper's over the same ones
  const m = t.mean['one-class'];
  near(m.mean, 98, 'mean of the class means'); near(m.std, 0.5, 'mean of the class stds');
  near(m.paper!.mean, (98.0 + 99.7) / 2, 'paper over classes 0, 1'); near(m.paper!.std, (0.7 + 0.1) / 2, 'paper std');
  assert.equal(m.aeMean, null, 'class 1 has no AE AUC');
  assert.deepEqual([m.n, m.nRuns], [3, 3]);
  near(t.mean.ocsvm.mean, 90, 'OC-SVM over class 0 only');
  assert.deepEqual(t.mean.ocsvm.paper, { mean: 98.6, std: 0 });
  assert.equal(sweepComparison(runs), null, 'folders of different methods are compared in the table itself');
});

test('Deep SAD: a column per γ_l after the paper\'s columns, the paper\'s mean over classes on the mean row only; runs without γ_l read as "?"', () => {
  const runs = [
    run({ cls: 3, seed: 1, auc: 0.9, method: 'deep-sad', gammaL: 0.2, sweep: 'sad-0.2' }),
    run({ cls: 3, seed: 1, auc: 0.8, method: 'deep-sad', gammaL: 0.05, sweep: 'sad-0.05' }),
    run({ cls: 3, seed: 2, auc: 0.7, method: 'deep-sad', gammaL: 0.05, sweep: 'sad-0.05' }),
    run({ cls: 3, seed: 1, auc: 0.92, method: 'one-class', sweep: 'one-class' }),
  ];
  const t = reportTable(runs);
  assert.deepEqual(t.columns.map((c) => c.title), ['one-class Deep SVDD', 'Deep SAD (γ_l = 0.05)', 'Deep SAD (γ_l = 0.2)']);
  assert.deepEqual(t.columns.map((c) => c.key), ['one-class', 'deep-sad@0.05', 'deep-sad@0.2']);
  const sad = t.rows[0].cells['deep-sad@0.05'];
  near(sad.mean, 75, 'γ_l = 0.05 mean'); near(sad.std, 5, 'γ_l = 0.05 std');
  assert.equal(sad.paper, null, 'the Deep SAD paper gives no value per class');
  // its MNIST means over the normal classes (src/eval/paper.ts): γ_l = 0.05 96.7 ± 2.3, γ_l = 0.2 96.9 ± 2.4
  assert.deepEqual(t.mean['deep-sad@0.05'].paper, { mean: 96.7, std: 2.3 });
  assert.deepEqual(t.mean['deep-sad@0.2'].paper, { mean: 96.9, std: 2.4 });
  // none for a γ_l the paper does not have, nor across several datasets
  assert.equal(reportTable([run({ cls: 3, seed: 1, auc: 0.9, method: 'deep-sad', gammaL: 0.3 })]).mean['deep-sad@0.3'].paper, null);
  const two = reportTable([run({ cls: 3, seed: 1, auc: 0.9, method: 'deep-sad', gammaL: 0.05 }), run({ cls: 3, seed: 1, auc: 0.9, method: 'deep-sad', gammaL: 0.05, dataset: 'fmnist' })]);
  assert.equal(two.mean['deep-sad@0.05'].paper, null);
  assert.equal(methodTitle('deep-sad', null), 'Deep SAD (γ_l = ?)');
  assert.equal(methodTitle('a-method-from-later', null), 'a-method-from-later');
});

test('an ablation: one method in several sweep folders splits into a column per folder, headed by the folder', () => {
  const runs = ['reference', 'no-dict-init'].flatMap((sweep, i) => [2, 5].map((cls) => run({ cls, seed: 1, auc: 0.9 - 0.05 * i, ae: 0.8, sweep })));
  const { columns } = reportColumns(runs);
  assert.deepEqual(columns.map((c) => [c.key, c.title, c.sweep]), [['one-class#no-dict-init', 'no-dict-init', 'no-dict-init'], ['one-class#reference', 'reference', 'reference']]);
  const t = reportTable(runs);
  near(t.mean['one-class#no-dict-init'].mean, 85, 'variant mean');
  assert.deepEqual(sweepComparison(runs)?.classes, [2, 5]);
  // with another method beside them, the split columns say their method too
  const mixed = reportColumns([...runs, run({ cls: 2, seed: 1, auc: 0.8, method: 'kde', sweep: 'kde' })]).columns;
  assert.deepEqual(mixed.map((c) => c.title), ['KDE', 'one-class Deep SVDD (no-dict-init)', 'one-class Deep SVDD (reference)']);
});

test('ODDS-like folders (one sweep per dataset): rows are the datasets, labelled by name, with the Deep SAD paper\'s values', () => {
  const runs = [
    run({ cls: 0, seed: 1, auc: 0.8, dataset: 'thyroid', sweep: 'thyroid_one-class' }),
    run({ cls: 0, seed: 1, auc: 0.7, dataset: 'cardio', sweep: 'cardio_one-class' }),
    run({ cls: 0, seed: 2, auc: 0.9, dataset: 'cardio', sweep: 'cardio_one-class' }),
  ];
  const t = reportTable(runs);
  assert.equal(t.columns.length, 1, 'one method: one column, not one per folder');
  assert.deepEqual(t.datasets, ['cardio', 'thyroid']);
  assert.deepEqual(t.rows.map((r) => rowLabel(t, r)), ['cardio', 'thyroid']);
  assert.deepEqual(t.rows.map((r) => r.cells['one-class'].paper), [{ mean: 84.8, std: 3.6 }, { mean: 72.0, std: 9.7 }]);
  near(t.mean['one-class'].mean, (80 + 80) / 2, 'mean over datasets');
  near(t.mean['one-class'].std, (10 + 0) / 2, 'mean of the dataset stds');
  assert.equal(sweepComparison(runs), null, 'folders of different datasets share no class');
});

test('unfinished and collapsed runs: counted in nRuns / collapsed, only finished AUCs in the statistics; other outliers get no paper value', () => {
  const runs = [
    run({ cls: 4, seed: 1, auc: 0.6, collapsed: true }), run({ cls: 4, seed: 2, auc: 0.8 }),
    run({ cls: 4, seed: 3, auc: null, status: 'failed' }), run({ cls: 4, seed: 4, auc: 0.5, collapsed: true, status: 'running' }),
    run({ cls: 4, seed: 1, auc: 0.7, outliers: '9' }),
  ];
  const c = cellOf(runs.slice(0, 4), null);
  assert.deepEqual([c.n, c.nRuns, c.collapsed], [2, 4, 1]);
  near(c.mean, 70, 'finished runs only');
  const t = reportTable(runs);
  assert.deepEqual(t.rows.map((r) => [r.name, r.cells['one-class'].paper?.mean ?? null]), [['4', 94.9], ['4 (4vs9)', null]]);
  assert.equal(t.mean['one-class'].paper, null, 'no paper mean where a row has none');
  assert.equal(meanCell([]).mean, null, 'an empty column');
});
