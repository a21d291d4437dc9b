/**
 * The report's text: the summary table as rows of strings (shared by summary.md and report.html), its notes, the
 * sweep comparison, summary.md and summary.csv.
 *
 * One method: a row per class (or dataset) with the seeds, our test AUC, the paper's, Δ and the autoencoder's AUC, and
 * the "all" row. Several: the paper's layout, a column per method with "ours / paper" in each cell and the mean row.
 * A cell with a run whose scores collapsed (results.json diagnostics.collapsed) carries COLLAPSED_MARK, explained in
 * the notes.
 */
import { stringify } from 'csv-stringify/sync';
import { PAPER_COLUMN_TITLE, PAPER_CONFIDENCE, PAPER_DEEP_SAD_SOURCE, type PaperColumn } from '../eval/paper.js';
import { type ReportRun } from './report-scan.js';
import { DEEP_SAD, type ReportCell, type ReportColumn, type ReportTable, type SweepComparison, type ComparisonCell } from './report-table.js';

/** the datasets of the ICML 2018 paper's Table 1 (the others' numbers come from the Deep SAD paper) */
const PAPER_TABLE1_DATASETS = ['mnist', 'cifar10', 'gtsrb'];
export const DATASET_TITLE: Record<string, string> = { mnist: 'MNIST', cifar10: 'CIFAR-10', gtsrb: 'GTSRB', 'fashion-mnist': 'Fashion-MNIST' };
/** the footnote mark of a cell with a collapsed run */
export const COLLAPSED_MARK = '†';

export const f1 = (v: number | null) => (v === null ? '–' : v.toFixed(1));
export const pm = (m: number | null, s: number | null) => (m === null ? '–' : `${m.toFixed(1)} ± ${(s ?? 0).toFixed(1)}`);
export const diff = (c: ReportCell) => (c.mean !== null && c.paper ? c.mean - c.paper.mean : null);
export const signed = (v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}`);
const r4 = (v: number | null) => (v === null ? '' : Math.round(v * 1e4) / 1e4);
const mark = (c: ReportCell) => (c.collapsed ? ` ${COLLAPSED_MARK}` : '');

/** A cell of the paper's layout in parts: ours, the paper's ('–' without one), the collapsed mark; null without finished runs. */
export function cellParts(c: ReportCell | undefined): { ours: string; paper: string; mark: string } | null {
  return c && c.mean !== null ? { ours: pm(c.mean, c.std), paper: c.paper ? pm(c.paper.mean, c.paper.std) : '–', mark: mark(c) } : null;
}

/** The summary table as text: head, rows (the last is the mean row), and how many leading columns are labels. */
export interface TextTable { head: string[]; rows: string[][]; labels: number }

/** One method: the detailed layout; several: the paper's layout (rows × methods, "ours / paper"). */
export function summaryTable(t: ReportTable): TextTable {
  const multi = t.datasets.length > 1;
  const rowHead = multi ? ['dataset', 'class'] : ['class', 'name'];
  const label = (r: ReportTable['rows'][number]) => (multi ? [r.dataset, r.name] : [String(r.cls), r.name]);
  const meanLabel = multi ? 'all datasets' : 'all classes';
  if (t.columns.length === 1) {
    const key = t.columns[0].key;
    const line = (c: ReportCell) => [String(c.n), `${pm(c.mean, c.std)}${mark(c)}`, c.paper ? pm(c.paper.mean, c.paper.std) : '–', signed(diff(c)), f1(c.aeMean)];
    return {
      head: [...rowHead, 'seeds', 'test AUC (%)', 'paper (%)', 'Δ (points)', 'AE pretraining AUC (%)'],
      rows: [...t.rows.map((r) => [...label(r), ...line(r.cells[key])]), ['all', meanLabel, ...line(t.mean[key])]],
      labels: 2,
    };
  }
  const cell = (c: ReportCell | undefined) => { const p = cellParts(c); return p ? `${p.ours} / ${p.paper}${p.mark}` : '–'; };
  return {
    head: [...rowHead, ...t.columns.map((c) => `${c.title} (%)`)],
    rows: [...t.rows.map((r) => [...label(r), ...t.columns.map((c) => cell(r.cells[c.key]))]), ['mean', meanLabel, ...t.columns.map((c) => cell(t.mean[c.key]))]],
    labels: 2,
  };
}

/** Where the paper's value of a column comes from, and how sure it is, for the datasets that have one (joined where all but the dataset agree). */
function paperSources(pairs: Array<[dataset: string, col: PaperColumn]>): string[] {
  const groups = new Map<string, { head: string; datasets: string[]; tail: string }>();
  for (const [ds, col] of pairs) {
    const table1 = PAPER_TABLE1_DATASETS.includes(ds);
    const head = table1 ? 'Ruff et al., ICML 2018, Table 1' : 'Ruff et al., ICLR 2020 (Deep SAD)';
    const tail = `${PAPER_COLUMN_TITLE[col]} column (${PAPER_CONFIDENCE[ds]?.[col] ?? 'unconfirmed'})`;
    const g = groups.get(`${head}\n${tail}`) ?? { head, datasets: [], tail };
    if (!g.datasets.includes(ds)) g.datasets.push(ds);
    groups.set(`${head}\n${tail}`, g);
  }
  return [...groups.values()].map((g) => `${g.head}, ${g.datasets.map((d) => DATASET_TITLE[d] ?? d).join(', ')}, ${g.tail}`);
}

/** The notes under the summary table: statistics, the paper's sources, marks, unfinished runs. */
export function notes(t: ReportTable, runs: ReportRun[]): string[] {
  const one = t.columns.length === 1;
  const what = t.datasets.length > 1 ? 'dataset' : 'class';
  const out = [
    `Test AUC in %: mean ± std over the finished seeds of each ${what}${one ? '' : ' and method, ours / the paper\'s'}. The std is the population standard deviation `
      + '(numpy\'s default np.std, ddof = 0; the paper does not say which it used).',
    one ? `Row "all": the mean of the ${what} means (as the paper's mean row) ± the mean of the ${what} stds; "seeds" there counts every finished run.`
      : `Row "mean": per method, the mean of the ${what} means (as the paper's mean row) ± the mean of the ${what} stds, and the paper's over the same ${what === 'class' ? 'classes' : 'datasets'}.`,
  ];
  const pairs: Array<[string, PaperColumn]> = [];
  for (const c of t.columns) for (const r of t.rows) if (c.paper && r.cells[c.key]?.paper) pairs.push([r.dataset, c.paper]);
  for (const s of paperSources(pairs)) out.push(`Paper: ${s}.${one ? ' Δ = ours − paper.' : ''}`);
  const sad = t.columns.filter((c) => c.method === DEEP_SAD && t.mean[c.key]?.paper);
  if (sad.length) out.push(`Paper, ${sad.map((c) => c.title).join(', ')}: mean row only, ${PAPER_DEEP_SAD_SOURCE}; its mean is over all its (normal, known anomaly) pairs and seeds, ours over the pairs run here.`);
  const without = t.columns.filter((c) => !t.mean[c.key]?.paper && t.rows.every((r) => !r.cells[c.key]?.paper)).map((c) => c.title);
  if (without.length) out.push(`No paper value for ${without.join(', ')}${without.some((w) => w.startsWith('Deep SAD')) ? ' (src/eval/paper.ts has the Deep SAD paper\'s image means only: MNIST, Fashion-MNIST, CIFAR-10)' : ''}, nor for outlier classes other than "all".`);
  const covered = t.columns.map((c) => t.rows.filter((r) => r.cells[c.key].mean !== null).map((r) => r.key).join());
  if (new Set(covered).size > 1) {
    out.push(`The columns cover different ${what === 'class' ? 'classes' : 'datasets'}: compare a column's mean with the paper's beside it (over the same ones), not with another column's`
      + `${runs.some((r) => r.sweep) ? ' (the sweep comparison below uses only the classes every folder has)' : ''}.`);
  }
  if (one) out.push('AE pretraining AUC: the autoencoder\'s own test AUC (reconstruction error) after pretraining, mean over the finished seeds.');
  const collapsed = runs.filter((r) => r.collapsed && r.status === 'finished');
  if (collapsed.length) out.push(`${COLLAPSED_MARK} ${collapsed.length} run(s) collapsed (results.json diagnostics.collapsed: the scores carry no ranking), counted in the means: ${collapsed.map((r) => r.rel).join(', ')}.`);
  const bad = runs.filter((r) => r.status !== 'finished');
  if (bad.length) out.push(`${bad.length} run(s) not finished and left out: ${bad.map((r) => `${r.rel} (${r.status})`).join(', ')}.`);
  return out;
}

export const COMPARISON_NOTE = 'Per sweep folder and normal class: the pretrained autoencoder\'s test AUC → the final test AUC, in %, mean ± std '
  + 'over the finished seeds (their number in brackets), over the classes every folder has; the last column is the mean '
  + 'of the class means ± the mean of the class stds.';

export function comparisonRows(c: SweepComparison): { head: string[]; rows: string[][] } {
  const fmt = (x: ComparisonCell) => `${x.ae ? pm(x.ae.mean, x.ae.std) : '–'} → ${x.auc ? pm(x.auc.mean, x.auc.std) : '–'} (${x.n})`;
  return {
    head: ['sweep', ...c.classes.map((k) => `class ${k}`), `mean over ${c.classes.join(', ')}`],
    rows: c.sweeps.map((s) => [s.name, ...s.cells.map(fmt), fmt(s.mean)]),
  };
}

const mdTable = (head: string[], rows: string[][], labels: number, boldLast: boolean) => [
  `| ${head.join(' | ')} |`,
  `|${head.map((_, i) => (i < labels ? '---' : '---:')).join('|')}|`,
  ...rows.map((r, i) => `| ${(boldLast && i === rows.length - 1 ? r.map((x) => (x ? `**${x}**` : x)) : r).join(' | ')} |`),
];

/** What the runs are, in one line: datasets, methods, runs finished. */
export function subtitle(t: ReportTable, runs: ReportRun[]): string {
  const done = runs.filter((r) => r.status === 'finished' && r.testAuc !== null).length;
  const methods = t.columns.length === 1 ? t.columns[0].title : `${t.columns.length} columns: ${t.columns.map((c) => c.title).join(', ')}`;
  return `Dataset ${t.datasets.join('/')}; ${methods}; ${done} finished run(s) of ${runs.length}.`;
}

/** summary.md */
export function markdown(dir: string, t: ReportTable, runs: ReportRun[], cmp: SweepComparison | null): string {
  const s = summaryTable(t);
  const lines = [
    `# deep-svdd sweep summary: ${dir}`, '',
    subtitle(t, runs), '',
    ...mdTable(s.head, s.rows, s.labels, t.columns.length === 1), '',
    ...notes(t, runs).map((n) => `- ${n}`), '',
  ];
  if (cmp) {
    const c = comparisonRows(cmp);
    lines.push('## Sweep folders compared', '', COMPARISON_NOTE, '', ...mdTable(c.head, c.rows, 1, false), '');
  }
  return lines.join('\n');
}

const CSV_COLUMNS = ['dataset', 'objective', 'class', 'class_name', 'n_seeds', 'n_runs', 'test_auc_mean_pct', 'test_auc_std_pct',
  'test_auc_min_pct', 'test_auc_max_pct', 'ae_test_auc_mean_pct', 'paper_column', 'paper_auc_mean_pct', 'paper_auc_std_pct', 'diff_pct',
  'method', 'gamma_l', 'sweep', 'n_collapsed'];

/** summary.csv: one line per (row, column) with runs, then each column's mean row (class "all"). */
export function csv(t: ReportTable): string {
  const line = (col: ReportColumn, dataset: string, cls: string | number, name: string, c: ReportCell) => [
    dataset, col.title, cls, name, c.n, c.nRuns, r4(c.mean), r4(c.std), r4(c.min), r4(c.max), r4(c.aeMean),
    col.paper ?? '', r4(c.paper?.mean ?? null), r4(c.paper?.std ?? null), r4(diff(c)),
    col.method ?? '', col.gammaL ?? '', col.sweep ?? '', c.collapsed,
  ];
  const rows = t.columns.flatMap((col) => [
    ...t.rows.filter((r) => r.cells[col.key].nRuns > 0).map((r) => line(col, r.dataset, r.cls, r.name, r.cells[col.key])),
    line(col, t.datasets.join('/'), 'all', t.datasets.length > 1 ? 'all datasets' : 'all classes', t.mean[col.key]),
  ]);
  return stringify(rows, { header: true, columns: CSV_COLUMNS });
}
