// The report's text (report-text.ts): the summary table in both layouts, its notes (sources, marks), summary.md and
// summary.csv, for small tables whose numbers are worked out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportTable, sweepComparison } from '../../src/experiments/report-table.js';
import { COLLAPSED_MARK, csv, markdown, notes, summaryTable } from '../../src/experiments/report-text.js';
import { run } from '../helpers/report-runs.js';

// one-class on digits 0 (97 ± 1) and 1 (99 ± 0, one collapsed run), Deep SAD at γ_l = 0.05 on digit 0 (80 ± 0); the paper's
// one-class mean over digits 0 and 1 is (98.0 + 99.7) / 2 = 98.85, which toFixed(1) prints as 98.8 (binary 98.8499…)
const runs = [
  run({ cls: 0, seed: 1, auc: 0.98, ae: 0.9, sweep: 'one-class' }), run({ cls: 0, seed: 2, auc: 0.96, ae: 0.9, sweep: 'one-class' }),
  run({ cls: 1, seed: 1, auc: 0.99, ae: 0.95, sweep: 'one-class', collapsed: true }),
  run({ cls: 0, seed: 1, auc: 0.8, method: 'deep-sad', gammaL: 0.05, sweep: 'deep-sad-0.05' }),
  run({ cls: 1, seed: 1, auc: null, method: 'deep-sad', gammaL: 0.05, sweep: 'deep-sad-0.05', status: 'failed' }),
];

test('one method: a row per class with seeds, ours, the paper\'s, Δ and the AE AUC, and the "all" row', () => {
  const t = reportTable(runs.filter((r) => r.method === 'one-class'));
  const s = summaryTable(t);
  assert.deepEqual(s.head, ['class', 'name', 'seeds', 'test AUC (%)', 'paper (%)', 'Δ (points)', 'AE pretraining AUC (%)']);
  assert.deepEqual(s.rows, [
    ['0', '0', '2', '97.0 ± 1.0', '98.0 ± 0.7', '−1.0', '90.0'],
    ['1', '1', '1', `99.0 ± 0.0 ${COLLAPSED_MARK}`, '99.7 ± 0.1', '−0.7', '95.0'],
    ['all', 'all classes', '3', `98.0 ± 0.5 ${COLLAPSED_MARK}`, '98.8 ± 0.4', '−0.8', '92.5'],
  ]);
});

test('several methods: the paper\'s layout, "ours / paper" per method, the mean row per method; Deep SAD\'s paper value on the mean row only', () => {
  const t = reportTable(runs);
  const s = summaryTable(t);
  assert.deepEqual(s.head, ['class', 'name', 'one-class Deep SVDD (%)', 'Deep SAD (γ_l = 0.05) (%)']);
  assert.deepEqual(s.rows, [
    ['0', '0', '97.0 ± 1.0 / 98.0 ± 0.7', '80.0 ± 0.0 / –'],
    ['1', '1', `99.0 ± 0.0 / 99.7 ± 0.1 ${COLLAPSED_MARK}`, '–'],
    ['mean', 'all classes', `98.0 ± 0.5 / 98.8 ± 0.4 ${COLLAPSED_MARK}`, '80.0 ± 0.0 / 96.7 ± 2.3'],
  ]);
  const n = notes(t, runs);
  assert.ok(n.some((x) => x === 'Paper: Ruff et al., ICML 2018, Table 1, MNIST, one-class Deep SVDD column (confirmed by two independent sources).'), n.join('\n'));
  assert.ok(n.some((x) => x.startsWith('Paper, Deep SAD (γ_l = 0.05): mean row only, Ruff et al., ICLR 2020 (Deep SAD)')), n.join('\n'));
  assert.ok(!n.some((x) => x.startsWith('No paper value')), n.join('\n'));
  assert.ok(n.includes(`${COLLAPSED_MARK} 1 run(s) collapsed (results.json diagnostics.collapsed: the scores carry no ranking), counted in the means: one-class/1vsall/seed_1.`), n.join('\n'));
  assert.ok(n.includes('1 run(s) not finished and left out: deep-sad-0.05/1vsall/seed_1 (failed).'));
  assert.ok(n.some((x) => x.startsWith('The columns cover different classes')), 'Deep SAD has digit 0 only');
  assert.ok(!n.some((x) => x.startsWith('AE pretraining AUC')), 'no AE column in this layout');
});

test('several datasets: a row per dataset; the paper\'s sources joined into one note', () => {
  const odds = ['cardio', 'thyroid'].map((dataset) => run({ cls: 0, seed: 1, auc: 0.8, dataset, sweep: `${dataset}_one-class` }));
  const t = reportTable(odds);
  const s = summaryTable(t);
  assert.deepEqual(s.head.slice(0, 2), ['dataset', 'class']);
  assert.deepEqual(s.rows.map((r) => r.slice(0, 5)), [
    ['cardio', '0', '1', '80.0 ± 0.0', '84.8 ± 3.6'], ['thyroid', '0', '1', '80.0 ± 0.0', '72.0 ± 9.7'], ['all', 'all datasets', '2', '80.0 ± 0.0', '78.4 ± 6.6'],
  ]);
  const sources = notes(t, odds).filter((x) => x.startsWith('Paper:'));
  assert.equal(sources.length, 1);
  assert.match(sources[0], /^Paper: Ruff et al\., ICLR 2020 \(Deep SAD\), cardio, thyroid, one-class Deep SVDD column \(/);
});

test('summary.md: title, one line on the runs, the table, notes, the sweep comparison for variants of one method', () => {
  const md = markdown('/x/sweeps', reportTable(runs), runs, sweepComparison(runs));
  const lines = md.split('\n');
  assert.equal(lines[0], '# deep-svdd sweep summary: /x/sweeps');
  assert.equal(lines[2], 'Dataset mnist; 2 columns: one-class Deep SVDD, Deep SAD (γ_l = 0.05); 4 finished run(s) of 5.');
  assert.equal(lines[4], '| class | name | one-class Deep SVDD (%) | Deep SAD (γ_l = 0.05) (%) |');
  assert.equal(lines[5], '|---|---|---:|---:|');
  assert.ok(!md.includes('## Sweep folders compared'), 'two methods: no comparison');
  const variants = ['a', 'b'].map((sweep) => run({ cls: 2, seed: 1, auc: 0.9, ae: 0.8, sweep }));
  const md2 = markdown('/x/ablation', reportTable(variants), variants, sweepComparison(variants));
  assert.ok(md2.includes('| a | 80.0 ± 0.0 → 90.0 ± 0.0 (1) | 80.0 ± 0.0 → 90.0 ± 0.0 (1) |'), md2);
});

test('summary.csv: a line per (row, column) with runs, then each column\'s mean line; method, γ_l, sweep and collapsed columns', () => {
  const lines = csv(reportTable(runs)).trim().split('\n').map((l) => l.split(','));
  const head = lines[0];
  const at = (l: string[], k: string) => l[head.indexOf(k)];
  assert.deepEqual(lines.slice(1).map((l) => [at(l, 'method'), at(l, 'class'), at(l, 'n_seeds'), at(l, 'n_runs'), at(l, 'test_auc_mean_pct'), at(l, 'gamma_l'), at(l, 'n_collapsed'), at(l, 'diff_pct')]), [
    ['one-class', '0', '2', '2', '97', '', '0', '-1'],
    ['one-class', '1', '1', '1', '99', '', '1', '-0.7'],
    ['one-class', 'all', '3', '3', '98', '', '1', '-0.85'],
    ['deep-sad', '0', '1', '1', '80', '0.05', '0', ''],
    ['deep-sad', '1', '0', '1', '', '0.05', '0', ''],
    ['deep-sad', 'all', '1', '2', '80', '0.05', '0', '-16.7'],
  ]);
  assert.equal(at(lines[4], 'objective'), 'Deep SAD (γ_l = 0.05)');
});
