/**
 * `deep-svdd report DIR`: summarises a sweep folder (DIR/<class>vs<...>/seed_<s>/results.json), or a folder of sweep
 * folders (DIR/<sweep>/<class>vs<...>/seed_<s>/, e.g. one sweep per method), into DIR/summary.csv, DIR/summary.md,
 * DIR/auc_chart.png and a self-contained DIR/report.html. Where the runs use more than one of the paper's methods,
 * the summary also has the paper's Table 1 layout: one row per normal class, one column per method present
 * (OC-SVM, KDE, IF, DCAE, soft-boundary, one-class), ours beside the paper's (tableOne).
 *
 * Test AUC is reported in % as mean ± std over the finished seeds of each class; the std is the population standard
 * deviation (numpy's default `np.std`, ddof = 0). The "all classes" row is the mean of the class means (as the paper's
 * mean row) ± the mean of the class stds. Beside each class: the paper's Table 1 value for the objective the runs
 * used (results.json "method", or for older files the method their "objective" names: methodOf).
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { type RunMethod } from '../config/methods.js';
import { PAPER_COLUMN_TITLE, PAPER_COLUMNS, PAPER_CONFIDENCE, paperColumn, paperValue, type PaperCell, type PaperColumn } from '../eval/paper.js';
/** the datasets of the ICML 2018 paper's Table 1 (the others' numbers come from the Deep SAD paper) */
const PAPER_TABLE1_DATASETS = ['mnist', 'cifar10', 'gtsrb'];
import { writeFileAtomic } from '../io/atomic.js';
import { fileKind } from '../util/files.js';
import { chartSvg, lineChartSpec, svgToPng, type ChartSpec, type LineSeries } from '../io/charts.js';
import { readEpochLosses } from '../io/epochs-csv.js';
import { methodOf, readResultsChecked, RESULTS_FILE } from '../io/results.js';
import { UserError } from '../util/errors.js';
import { readRegular } from '../util/files.js';
import { PACKAGE_VERSION } from '../util/version.js';

export interface ReportRun {
  cls: number;
  seed: number;
  /** absolute run folder */
  dir: string;
  /** folder relative to the report folder */
  rel: string;
  /** the class folder relative to the report folder (`3vsall`, or `<sweep>/3vsall` in a folder of sweeps) */
  group: string;
  status: string;
  testAuc: number | null;
  aeTestAuc: number | null;
  objective: string | null;
  /** results.json "method", or methodOf's for a file written before it existed */
  method: RunMethod | null;
  dataset: string | null;
  className: string | null;
  seconds: number | null;
  error: string | null;
}

export interface ClassSummary {
  key: string;
  cls: number | null;
  name: string;
  dataset: string;
  objective: string;
  column: PaperColumn | null;
  nRuns: number;
  /** finished runs with an AUC (distinct seeds) */
  n: number;
  /** in %, null without finished runs */
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  aeMean: number | null;
  paper: PaperCell | null;
}

export interface ReportResult { files: string[]; markdown: string; classes: ClassSummary[]; overall: ClassSummary; runs: ReportRun[]; table1: TableOne }

/** One cell of the Table 1 layout: our mean ± std over seeds (in %) beside the paper's. */
export interface TableOneCell { n: number; mean: number | null; std: number | null; paper: PaperCell | null }

/** The paper's Table 1 layout: a row per (dataset, class folder), a column per method present, in the paper's order. */
export interface TableOne {
  columns: PaperColumn[];
  rows: Array<{ dataset: string; cls: number; key: string; name: string; cells: Partial<Record<PaperColumn, TableOneCell>> }>;
  /** per column: mean of the class means (and of the paper's, over the same classes) */
  mean: Partial<Record<PaperColumn, TableOneCell>>;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
/** Population standard deviation (numpy's np.std default, ddof = 0). */
export const popStd = (a: number[]) => { const m = mean(a); return Math.sqrt(mean(a.map((x) => (x - m) ** 2))); };

const CORRUPTED = 'remove that run folder or run it again (deep-svdd sweep with the same options resumes it), then run report again';
const CLASS_DIR = /^(\d+)vs[\w+.-]+$/;

/** Every run folder of a sweep, or of the sweeps in a folder of sweeps, sorted by class and seed; a corrupted results.json is a one-line error. */
export function collectRuns(sweepDir: string): ReportRun[] {
  // a sweep folder may be a symbolic link (e.g. an ablation's reference, linked from another table)
  const isDir = (e: fs.Dirent) => e.isDirectory() || (e.isSymbolicLink() && fs.statSync(path.join(sweepDir, e.name), { throwIfNoEntry: false })?.isDirectory() === true);
  const entries = fs.readdirSync(sweepDir, { withFileTypes: true }).filter(isDir);
  if (entries.some((e) => CLASS_DIR.test(e.name))) return collectSweep(sweepDir, '');
  return entries.flatMap((e) => collectSweep(path.join(sweepDir, e.name), `${e.name}/`))
    .sort((a, b) => a.cls - b.cls || a.rel.localeCompare(b.rel) || a.seed - b.seed);
}

function collectSweep(sweepDir: string, prefix: string): ReportRun[] {
  const runs: ReportRun[] = [];
  for (const cdir of fs.readdirSync(sweepDir, { withFileTypes: true })) {
    const cm = CLASS_DIR.exec(cdir.name);
    if (!cm || !cdir.isDirectory()) continue;
    for (const sdir of fs.readdirSync(path.join(sweepDir, cdir.name), { withFileTypes: true })) {
      const sm = /^seed_(\d+)$/.exec(sdir.name);
      if (!sm || !sdir.isDirectory()) continue;
      const group = `${prefix}${cdir.name}`;
      const rel = `${group}/${sdir.name}`;
      const dir = path.join(sweepDir, cdir.name, sdir.name);
      const r = readResultsChecked(path.join(dir, RESULTS_FILE), CORRUPTED);
      runs.push({
        cls: Number(cm[1]), seed: Number(sm[1]), dir, rel, group,
        status: r ? r.status ?? 'unknown' : 'missing',
        testAuc: num(r?.test_auc), aeTestAuc: num(r?.ae_test_auc), objective: r?.objective ?? null, method: r ? methodOf(r) : null,
        dataset: r?.dataset ?? null, className: r?.normal_class_names ? r.normal_class_names.join('+') : null,
        seconds: num(r?.timings_s?.total_s), error: r?.error ?? null,
      });
    }
  }
  return runs.sort((a, b) => a.cls - b.cls || a.rel.localeCompare(b.rel) || a.seed - b.seed);
}

function objectiveKind(r: ReportRun | undefined): string {
  const col = paperColumn(r?.method ?? null);
  return col ? PAPER_COLUMN_TITLE[col] : r?.objective ?? 'unknown';
}

/** Per class (run-folder group) statistics in %. */
export function summarise(runs: ReportRun[]): { classes: ClassSummary[]; overall: ClassSummary } {
  const groups = new Map<string, ReportRun[]>();
  for (const r of runs) {
    const key = r.group;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const classes: ClassSummary[] = [];
  for (const [key, rs] of groups) {
    const done = rs.filter((r) => r.status === 'finished' && r.testAuc !== null);
    const aucs = done.map((r) => 100 * r.testAuc!);
    const ae = done.map((r) => r.aeTestAuc).filter((v): v is number => v !== null).map((v) => 100 * v);
    const known = done.length ? done : rs;
    const dataset = known.find((r) => r.dataset)?.dataset ?? 'unknown';
    const kinds = [...new Set(done.map((r) => paperColumn(r.method) ?? r.objective ?? 'unknown'))];
    const column = kinds.length === 1 ? paperColumn(done[0].method) : null;
    const objective = kinds.length > 1 ? `mixed: ${[...new Set(done.map((r) => objectiveKind(r)))].join(' / ')}` : objectiveKind(known.find((r) => r.objective));
    const cls = rs[0].cls;
    const vsAll = key.endsWith('vsall');
    const className = known.find((r) => r.className)?.className ?? String(cls);
    const sweep = key.includes('/') ? key.slice(0, key.lastIndexOf('/')) : '';
    classes.push({
      key, cls, name: sweep ? `${className} (${sweep})` : className, dataset, objective, column,
      nRuns: rs.length, n: aucs.length,
      mean: aucs.length ? mean(aucs) : null, std: aucs.length ? popStd(aucs) : null,
      min: aucs.length ? Math.min(...aucs) : null, max: aucs.length ? Math.max(...aucs) : null,
      aeMean: ae.length ? mean(ae) : null,
      paper: vsAll ? paperValue(dataset, column, cls) : null,
    });
  }
  const withData = classes.filter((c) => c.mean !== null);
  const datasets = [...new Set(classes.map((c) => c.dataset))];
  const objectives = [...new Set(classes.map((c) => c.objective))];
  const aeMeans = withData.map((c) => c.aeMean).filter((v): v is number => v !== null);
  const papers = withData.map((c) => c.paper);
  const overall: ClassSummary = {
    key: 'all', cls: null, name: 'all classes', dataset: datasets.join('/'), objective: objectives.join('/'),
    column: objectives.length === 1 ? classes[0]?.column ?? null : null,
    nRuns: classes.reduce((s, c) => s + c.nRuns, 0), n: withData.reduce((s, c) => s + c.n, 0),
    mean: withData.length ? mean(withData.map((c) => c.mean!)) : null,
    std: withData.length ? mean(withData.map((c) => c.std!)) : null,
    min: withData.length ? Math.min(...withData.map((c) => c.min!)) : null,
    max: withData.length ? Math.max(...withData.map((c) => c.max!)) : null,
    aeMean: aeMeans.length === withData.length && aeMeans.length ? mean(aeMeans) : null,
    paper: papers.length && papers.every((p) => p) ? { mean: mean(papers.map((p) => p!.mean)), std: mean(papers.map((p) => p!.std)) } : null,
  };
  return { classes, overall };
}

/** Finished runs by method (results.json "method", see methodOf) and class: the paper's Table 1 layout. */
export function tableOne(runs: ReportRun[]): TableOne {
  const done = runs.filter((r) => r.status === 'finished' && r.testAuc !== null && paperColumn(r.method) !== null);
  const columns = PAPER_COLUMNS.filter((c) => done.some((r) => paperColumn(r.method) === c));
  const rowKey = (r: ReportRun) => `${r.dataset ?? 'unknown'}:${r.group.slice(r.group.lastIndexOf('/') + 1)}`;
  const rows: TableOne['rows'] = [];
  for (const key of [...new Set(done.map(rowKey))]) {
    const rs = done.filter((r) => rowKey(r) === key);
    const classKey = key.slice(key.indexOf(':') + 1);
    const row: TableOne['rows'][number] = { dataset: rs[0].dataset ?? 'unknown', cls: rs[0].cls, key: classKey, name: rs.find((r) => r.className)?.className ?? String(rs[0].cls), cells: {} };
    for (const col of columns) {
      const aucs = rs.filter((r) => paperColumn(r.method) === col).map((r) => 100 * r.testAuc!);
      row.cells[col] = {
        n: aucs.length, mean: aucs.length ? mean(aucs) : null, std: aucs.length ? popStd(aucs) : null,
        paper: classKey.endsWith('vsall') ? paperValue(row.dataset, col, row.cls) : null,
      };
    }
    rows.push(row);
  }
  rows.sort((a, b) => a.dataset.localeCompare(b.dataset) || a.cls - b.cls || a.key.localeCompare(b.key));
  const meanRow: TableOne['mean'] = {};
  for (const col of columns) {
    const cells = rows.map((r) => r.cells[col]!).filter((c) => c.mean !== null);
    const papers = cells.map((c) => c.paper);
    meanRow[col] = {
      n: cells.reduce((a, c) => a + c.n, 0), mean: cells.length ? mean(cells.map((c) => c.mean!)) : null,
      std: cells.length ? mean(cells.map((c) => c.std!)) : null,
      paper: papers.length && papers.every((p) => p) ? { mean: mean(papers.map((p) => p!.mean)), std: mean(papers.map((p) => p!.std)) } : null,
    };
  }
  return { columns, rows, mean: meanRow };
}

/** A cell of the sweep comparison: the pretrained autoencoder's and the final test AUC in %, mean ± std over seeds. */
export interface ComparisonCell { n: number; ae: { mean: number; std: number } | null; auc: { mean: number; std: number } | null }
export interface SweepComparison { classes: number[]; sweeps: Array<{ name: string; cells: ComparisonCell[]; mean: ComparisonCell }> }

/**
 * A folder of sweeps compared (an ablation): one row per sweep folder over the normal classes every folder has, each
 * cell the autoencoder's AUC → the final AUC (mean ± std over the seeds), and their means over those classes (the mean
 * of the class means ± the mean of the class stds, as the Table 1 rows). Null with fewer than two sweep folders with a
 * finished run, or no class they all have.
 */
export function sweepComparison(runs: ReportRun[]): SweepComparison | null {
  const sweepOf = (r: ReportRun) => (r.group.includes('/') ? r.group.slice(0, r.group.lastIndexOf('/')) : '');
  const done = runs.filter((r) => r.status === 'finished' && r.testAuc !== null);
  const names = [...new Set(done.map(sweepOf))].filter((n) => n).sort(); // folders with a finished run
  if (names.length < 2) return null;
  const classes = [...new Set(done.map((r) => r.cls))].filter((c) => names.every((n) => done.some((r) => sweepOf(r) === n && r.cls === c))).sort((a, b) => a - b);
  if (!classes.length) return null;
  const stat = (v: number[]) => (v.length ? { mean: mean(v), std: popStd(v) } : null);
  const cell = (rs: ReportRun[]): ComparisonCell => ({
    n: rs.length, auc: stat(rs.map((r) => 100 * r.testAuc!)),
    ae: stat(rs.map((r) => r.aeTestAuc).filter((v): v is number => v !== null).map((v) => 100 * v)),
  });
  const meanOf = (cells: ComparisonCell[], k: 'ae' | 'auc') => {
    const xs = cells.map((c) => c[k]).filter((x): x is { mean: number; std: number } => x !== null);
    return xs.length === cells.length && xs.length ? { mean: mean(xs.map((x) => x.mean)), std: mean(xs.map((x) => x.std)) } : null;
  };
  const sweeps = names.map((name) => {
    const cells = classes.map((c) => cell(done.filter((r) => sweepOf(r) === name && r.cls === c)));
    return { name, cells, mean: { n: cells.reduce((a, c) => a + c.n, 0), ae: meanOf(cells, 'ae'), auc: meanOf(cells, 'auc') } };
  });
  return { classes, sweeps };
}

const COMPARISON_NOTE = 'Per sweep folder and normal class: the pretrained autoencoder\'s test AUC → the final test AUC, in %, mean ± std '
  + 'over the finished seeds (their number in brackets), over the classes every folder has; the last column is the mean '
  + 'of the class means ± the mean of the class stds.';

function comparisonRows(c: SweepComparison): { head: string[]; rows: string[][] } {
  const fmt = (x: ComparisonCell) => `${x.ae ? pm(x.ae.mean, x.ae.std) : '–'} → ${x.auc ? pm(x.auc.mean, x.auc.std) : '–'} (${x.n})`;
  return {
    head: ['sweep', ...c.classes.map((k) => `class ${k}`), `mean over ${c.classes.join(', ')}`],
    rows: c.sweeps.map((s) => [s.name, ...s.cells.map(fmt), fmt(s.mean)]),
  };
}

function comparisonMarkdown(c: SweepComparison | null): string[] {
  if (!c) return [];
  const { head, rows } = comparisonRows(c);
  return [
    '## Sweep folders compared', '', COMPARISON_NOTE, '',
    `| ${head.join(' | ')} |`,
    `|---|${head.slice(1).map(() => '---:').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ];
}

/** The Table 1 layout as text rows: class, name, then "ours / paper" per method. */
function tableOneRows(t: TableOne): { head: string[]; rows: string[][] } {
  const cell = (c: TableOneCell | undefined) => (c && c.mean !== null ? `${pm(c.mean, c.std)} / ${c.paper ? pm(c.paper.mean, c.paper.std) : '–'}` : '–');
  const multi = new Set(t.rows.map((r) => r.dataset)).size > 1;
  return {
    head: ['class', 'name', ...t.columns.map((c) => `${PAPER_COLUMN_TITLE[c]} (%)`)],
    rows: [
      ...t.rows.map((r) => [String(r.cls), `${multi ? `${r.dataset} ` : ''}${r.name}${r.key.endsWith('vsall') ? '' : ` (${r.key})`}`, ...t.columns.map((c) => cell(r.cells[c]))]),
      ['mean', 'all classes', ...t.columns.map((c) => cell(t.mean[c]))],
    ],
  };
}

function tableOneMarkdown(t: TableOne): string[] {
  if (t.columns.length < 2) return [];
  const { head, rows } = tableOneRows(t);
  return [
    '## The paper\'s Table 1 layout',
    '',
    'Test AUC in %, ours (mean ± std over seeds) / the paper\'s, one column per method present.',
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ];
}

// ------------------------------------------------------------------------------------------------ text

const f1 = (v: number | null) => (v === null ? '–' : v.toFixed(1));
const pm = (m: number | null, s: number | null) => (m === null ? '–' : `${m.toFixed(1)} ± ${(s ?? 0).toFixed(1)}`);
const diff = (c: ClassSummary) => (c.mean !== null && c.paper ? c.mean - c.paper.mean : null);
const signed = (v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}`);
const r4 = (v: number | null) => (v === null ? '' : Math.round(v * 1e4) / 1e4);

function tableRows(classes: ClassSummary[], overall: ClassSummary): string[][] {
  return [...classes, overall].map((c) => [
    c.cls === null ? 'all' : String(c.cls), c.name, String(c.n), pm(c.mean, c.std),
    c.paper ? pm(c.paper.mean, c.paper.std) : '–', signed(diff(c)), f1(c.aeMean),
  ]);
}

const TABLE_HEAD = ['class', 'name', 'seeds', 'test AUC (%)', 'paper (%)', 'Δ (points)', 'AE pretraining AUC (%)'];

function notes(classes: ClassSummary[], runs: ReportRun[]): string[] {
  const out = [
    'Test AUC in %: mean ± std over the finished seeds of each class. The std is the population standard deviation '
      + '(numpy\'s default np.std, ddof = 0; the paper does not say which it used).',
    'Row "all": the mean of the class means (as the paper\'s mean row) ± the mean of the class stds; "seeds" there counts every finished run.',
  ];
  const cols = [...new Set(classes.filter((c) => c.column).map((c) => `${c.dataset}:${c.column}`))];
  for (const dc of cols) {
    const [ds, col] = dc.split(':') as [string, PaperColumn];
    out.push(`Paper: ${PAPER_TABLE1_DATASETS.includes(ds) ? `Ruff et al., ICML 2018, Table 1, ${ds === 'cifar10' ? 'CIFAR-10' : ds.toUpperCase()}` : `Ruff et al., ICLR 2020 (Deep SAD), ${ds}`}, ${PAPER_COLUMN_TITLE[col]} column (${PAPER_CONFIDENCE[ds]?.[col] ?? 'unconfirmed'}). Δ = ours − paper.`);
  }
  if (classes.some((c) => c.column === null)) out.push('No paper value where the runs mix objectives, use other outlier classes than "all", or the dataset is not in Table 1.');
  out.push('AE pretraining AUC: the autoencoder\'s own test AUC (reconstruction error) after pretraining, mean over the finished seeds.');
  const bad = runs.filter((r) => r.status !== 'finished');
  if (bad.length) out.push(`${bad.length} run(s) not finished and left out: ${bad.map((r) => `${r.rel} (${r.status})`).join(', ')}.`);
  return out;
}

function markdown(dir: string, classes: ClassSummary[], overall: ClassSummary, runs: ReportRun[], t1: TableOne, cmp: SweepComparison | null): string {
  const rows = tableRows(classes, overall);
  const lines = [
    `# deep-svdd sweep summary: ${dir}`,
    '',
    `Dataset ${overall.dataset}; ${overall.objective}; ${overall.n} finished run(s) of ${runs.length}.`,
    '',
    `| ${TABLE_HEAD.join(' | ')} |`,
    `|${TABLE_HEAD.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r, i) => `| ${(i === rows.length - 1 ? r.map((x) => (x ? `**${x}**` : x)) : r).join(' | ')} |`),
    '',
    ...notes(classes, runs).map((n) => `- ${n}`),
    '',
    ...tableOneMarkdown(t1),
    ...comparisonMarkdown(cmp),
  ];
  return lines.join('\n');
}

function csv(classes: ClassSummary[], overall: ClassSummary): string {
  const columns = ['dataset', 'objective', 'class', 'class_name', 'n_seeds', 'n_runs', 'test_auc_mean_pct', 'test_auc_std_pct',
    'test_auc_min_pct', 'test_auc_max_pct', 'ae_test_auc_mean_pct', 'paper_column', 'paper_auc_mean_pct', 'paper_auc_std_pct', 'diff_pct'];
  const rows = [...classes, overall].map((c) => [
    c.dataset, c.objective, c.cls === null ? 'all' : c.cls, c.name, c.n, c.nRuns, r4(c.mean), r4(c.std), r4(c.min), r4(c.max), r4(c.aeMean),
    c.column ?? '', r4(c.paper?.mean ?? null), r4(c.paper?.std ?? null), r4(diff(c)),
  ]);
  return stringify(rows, { header: true, columns });
}

// ------------------------------------------------------------------------------------------------ pictures

export const CHART_COLORS = { ours: '#1f77b4', paper: '#ff7f0e', seed: '#08306b', whisker: '#1e1e1e', chance: '#a0a0a0' } as const;

/** The AUC chart's y range in %: from a multiple of 10 below every value shown, to 100. */
export function chartRange(classes: ClassSummary[], runs: ReportRun[]): number {
  const vals: number[] = [];
  for (const c of classes) {
    if (c.mean !== null) vals.push(c.mean - (c.std ?? 0), c.min ?? c.mean);
    if (c.paper) vals.push(c.paper.mean - c.paper.std);
  }
  for (const r of runs) if (r.status === 'finished' && r.testAuc !== null) vals.push(100 * r.testAuc);
  const lo = vals.length ? Math.min(...vals) : 50;
  return Math.max(0, Math.min(90, Math.floor((lo - 2) / 10) * 10));
}

/** A class's label under its bars: the class name, and "vs <outliers>" where the outlier classes are not "all". */
function classLabel(c: ClassSummary): string {
  const cut = (s: string) => (s.length > 16 ? `${s.slice(0, 14)}..` : s);
  const m = /(?:^|\/)\d+vs(.+)$/.exec(c.key);
  return m && m[1] !== 'all' ? `${cut(c.name)} ${cut(`vs ${m[1]}`)}` : cut(c.name);
}

/**
 * Bars per class (ours, paper) with ± std whiskers and one dot per seed, on a y axis in % from chartRange to 100 (the
 * 50% chance line marked where it is in range); a title, a legend and the class names under the bars.
 */
export function aucChartSpec(classes: ClassSummary[], runs: ReportRun[]): { spec: ChartSpec; lo: number } {
  const lo = chartRange(classes, runs);
  const datasets = [...new Set(classes.map((c) => c.dataset))];
  const dsTitle = datasets.length === 1 ? ({ mnist: 'MNIST', cifar10: 'CIFAR-10' } as Record<string, string>)[datasets[0]] : undefined;
  const order = classes.map(classLabel);
  const bars = classes.flatMap((c) => [
    ...(c.mean !== null ? [{ label: classLabel(c), kind: 'ours (mean)', mean: c.mean, lo: c.mean - (c.std ?? 0), hi: c.mean + (c.std ?? 0) }] : []),
    ...(c.paper ? [{ label: classLabel(c), kind: 'paper (Table 1)', mean: c.paper.mean, lo: c.paper.mean - c.paper.std, hi: c.paper.mean + c.paper.std }] : []),
  ]);
  const seeds = runs.filter((r) => r.status === 'finished' && r.testAuc !== null).flatMap((r) => {
    const c = classes.find((x) => x.key === r.group);
    return c ? [{ label: classLabel(c), kind: 'ours (mean)', auc: 100 * r.testAuc!, seed: `seed ${r.seed}` }] : [];
  });
  const x = { field: 'label', type: 'nominal', sort: order, title: 'normal class', axis: { labelAngle: 0 }, scale: { domain: order } };
  const y = { type: 'quantitative', scale: { domain: [lo, 100], nice: false, zero: false }, title: 'test AUC (%)', axis: { labelExpr: "datum.value + '%'" } };
  const color = { field: 'kind', type: 'nominal', title: null, scale: { domain: ['ours (mean)', 'paper (Table 1)'], range: [CHART_COLORS.ours, CHART_COLORS.paper] } };
  const xOffset = { field: 'kind', type: 'nominal', scale: { domain: ['ours (mean)', 'paper (Table 1)'] } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Test AUC per class${dsTitle ? ` (${dsTitle})` : ''}`,
    width: { step: 70 }, height: 260, background: 'white',
    layer: [
      { data: { values: bars }, mark: { type: 'bar', clip: true }, encoding: { x, xOffset, y: { ...y, field: 'mean' }, y2: { datum: lo }, color } },
      { data: { values: bars }, mark: { type: 'rule', color: CHART_COLORS.whisker }, encoding: { x, xOffset, y: { ...y, field: 'lo' }, y2: { field: 'hi' } } },
      { data: { values: seeds }, mark: { type: 'circle', size: 18, color: CHART_COLORS.seed, opacity: 1 }, encoding: { x, xOffset, y: { ...y, field: 'auc' }, tooltip: { field: 'seed' } } },
      ...(lo < 50 ? [{ data: { values: [{ v: 50 }] }, mark: { type: 'rule', color: CHART_COLORS.chance, strokeDash: [4, 3] }, encoding: { y: { ...y, field: 'v' } } }] : []),
    ],
  } as unknown as ChartSpec;
  return { spec, lo };
}

/** The AUC chart as SVG and PNG. */
export async function aucChart(classes: ClassSummary[], runs: ReportRun[]): Promise<{ svg: string; png: Buffer; lo: number }> {
  const { spec, lo } = aucChartSpec(classes, runs);
  const svg = await chartSvg(spec);
  return { svg, png: svgToPng(svg), lo };
}

/** An SVG document as an element inside HTML (without its XML declaration). */
function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, '');
}

function dataUri(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}

function readPng(file: string): Buffer | null {
  try { return readRegular(file); } catch { return null; }
}

/** Loss per epoch of every seed of a class, one SVG chart per phase. */
async function lossCurves(rs: ReportRun[]): Promise<Record<'pretrain' | 'train', string | null>> {
  const series: Record<'pretrain' | 'train', LineSeries[]> = { pretrain: [], train: [] };
  for (const r of rs) {
    const per = readEpochLosses(path.join(r.dir, 'epochs.csv'), CORRUPTED);
    if (!per) continue;
    if (per.pretrain.length) series.pretrain.push({ values: per.pretrain, name: `seed ${r.seed}` });
    if (per.train.length) series.train.push({ values: per.train, name: `seed ${r.seed}` });
  }
  const out: Record<'pretrain' | 'train', string | null> = { pretrain: null, train: null };
  for (const phase of ['pretrain', 'train'] as const) {
    if (!series[phase].length) continue;
    out[phase] = await chartSvg(lineChartSpec(series[phase], {
      title: phase === 'pretrain' ? 'autoencoder pretraining loss' : 'training loss', yLabel: 'loss (log scale)', width: 360, height: 180,
      color: phase === 'pretrain' ? '#1e5ac8' : '#c83c1e',
    }));
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ HTML

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

async function html(dir: string, classes: ClassSummary[], overall: ClassSummary, runs: ReportRun[], chart: { svg: string; lo: number }, t1: TableOne, cmp: SweepComparison | null): Promise<string> {
  const rows = tableRows(classes, overall);
  const t1Text = tableOneRows(t1);
  const t1Html = t1.columns.length < 2 ? '' : [
    '<h2>The paper\'s Table 1 layout</h2><p>Test AUC in %, ours (mean ± std over seeds) / the paper\'s, one column per method present.</p>',
    '<table class="summary"><thead><tr>', ...t1Text.head.map((h) => `<th>${esc(h)}</th>`), '</tr></thead><tbody>',
    ...t1Text.rows.map((r, i) => `<tr${i === t1Text.rows.length - 1 ? ' class="all"' : ''}>${r.map((x, j) => `<td${j >= 2 ? ' class="n"' : ''}>${esc(x)}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('');
  const table = [
    '<table class="summary"><thead><tr>', ...TABLE_HEAD.map((h) => `<th>${esc(h)}</th>`), '</tr></thead><tbody>',
    ...rows.map((r, i) => `<tr${i === rows.length - 1 ? ' class="all"' : ''}>${r.map((x, j) => `<td${j >= 2 ? ' class="n"' : ''}>${esc(x)}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('');
  const cmpText = cmp ? comparisonRows(cmp) : null;
  const cmpHtml = !cmpText ? '' : [
    `<h2>Sweep folders compared</h2><p>${esc(COMPARISON_NOTE)}</p><table class="summary"><thead><tr>`, ...cmpText.head.map((h) => `<th>${esc(h)}</th>`), '</tr></thead><tbody>',
    ...cmpText.rows.map((r) => `<tr>${r.map((x, j) => `<td${j >= 1 ? ' class="n"' : ''}>${esc(x)}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('');
  const sw = (c: string) => `<span class="sw" style="background:${c}"></span>`;
  const legend = `<p class="legend">${sw(CHART_COLORS.ours)} ours: mean test AUC over the seeds, ${sw(CHART_COLORS.seed)} one dot per seed; `
    + `${sw(CHART_COLORS.paper)} the paper's Table 1; black whiskers: ± std. Classes left to right: ${classes.map((c) => esc(c.name)).join(', ')}. `
    + `The axis runs from ${chart.lo}% to 100%${chart.lo < 50 ? '; the dashed line is 50% (chance)' : ''}.</p>`;
  const runRows = runs.map((r) => `<tr><td>${esc(r.rel)}</td><td class="${r.status === 'finished' ? 'ok' : 'bad'}">${esc(r.status)}</td>`
    + `<td class="n">${r.testAuc === null ? '–' : (100 * r.testAuc).toFixed(2)}</td><td class="n">${r.aeTestAuc === null ? '–' : (100 * r.aeTestAuc).toFixed(2)}</td>`
    + `<td class="n">${r.seconds === null ? '–' : r.seconds.toFixed(0)}</td><td>${esc(r.error ?? '')}</td></tr>`).join('\n');
  const sections: string[] = [];
  for (const c of classes) {
    const rs = runs.filter((r) => r.group === c.key);
    const first = rs.filter((r) => r.status === 'finished').sort((a, b) => a.seed - b.seed)[0];
    const parts = [`<section><h3>class ${esc(c.cls === null ? c.key : String(c.cls))} (${esc(c.name)}): ${esc(pm(c.mean, c.std))} % over ${c.n} seed(s)</h3>`];
    if (first) {
      const imgs = (['most_anomalous', 'most_normal'] as const).map((n) => [n, readPng(path.join(first.dir, `${n}.png`))] as const).filter(([, b]) => b);
      if (imgs.length) {
        parts.push(`<p>Seed ${first.seed}: the 32 highest- and lowest-scoring test images (frame green = normal class, red = outlier class).</p><div class="row">`);
        for (const [n, b] of imgs) parts.push(`<figure><img src="${dataUri(b!)}" alt="${n} ${esc(c.key)} seed ${first.seed}"><figcaption>${n.replace('_', ' ')}</figcaption></figure>`);
        parts.push('</div>');
      }
    }
    const curves = await lossCurves(rs);
    if (curves.pretrain || curves.train) {
      parts.push('<p>Loss per epoch (log scale), one line per seed.</p><div class="row">');
      if (curves.pretrain) parts.push(`<figure>${inlineSvg(curves.pretrain)}<figcaption>autoencoder pretraining</figcaption></figure>`);
      if (curves.train) parts.push(`<figure>${inlineSvg(curves.train)}<figcaption>${esc(c.objective)}</figcaption></figure>`);
      parts.push('</div>');
    }
    parts.push('</section>');
    sections.push(parts.join('\n'));
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>deep-svdd report: ${esc(path.basename(dir))}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; } h3 { font-size: 1.05em; }
table { border-collapse: collapse; margin: 1em 0; } th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
th { background: #f4f4f4; } td.n { text-align: right; font-variant-numeric: tabular-nums; } tr.all td { font-weight: bold; background: #fafafa; }
td.ok { color: #2a7a2a; } td.bad { color: #b02020; } .meta, .notes { color: #555; }
.sw { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: middle; border: 1px solid #888; }
.row { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0; } figcaption { color: #555; font-size: 0.9em; }
img { image-rendering: pixelated; border: 1px solid #eee; } section { margin-bottom: 1.5em; }
</style></head><body>
<h1>deep-svdd sweep report</h1>
<p class="meta">${esc(dir)} — dataset ${esc(overall.dataset)}, ${esc(overall.objective)}, ${overall.n} finished run(s) of ${runs.length} — written ${esc(new Date().toISOString())} by deep-svdd ${esc(PACKAGE_VERSION)}</p>
<h2>Test AUC per class</h2>
${table}
<ul class="notes">${notes(classes, runs).map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
${t1Html}
${cmpHtml}
<h2>Ours against the paper</h2>
<figure class="chart" aria-label="test AUC per class: ours and the paper">${inlineSvg(chart.svg)}</figure>
${legend}
<h2>Classes</h2>
${sections.join('\n')}
<h2>Runs</h2>
<table><thead><tr><th>run</th><th>status</th><th>test AUC (%)</th><th>AE AUC (%)</th><th>seconds</th><th>error</th></tr></thead><tbody>
${runRows}
</tbody></table>
</body></html>
`;
}

// ------------------------------------------------------------------------------------------------ entry

/** The files report writes into the sweep folder, in this order. */
const REPORT_FILES = ['summary.csv', 'summary.md', 'auc_chart.png', 'report.html'] as const;

/** Writes summary.csv, summary.md, auc_chart.png and report.html (with the charts as inline SVG) into the sweep folder. */
export async function writeReport(dirArg: string): Promise<ReportResult> {
  const dir = path.resolve(dirArg);
  let st: fs.Stats;
  try { st = fs.statSync(dir); } catch { throw new UserError(`${dirArg} does not exist: give the --xp-dir of a sweep`); }
  if (!st.isDirectory()) throw new UserError(`${dirArg} is not a folder: give the --xp-dir of a sweep`);
  const files = REPORT_FILES.map((f) => path.join(dir, f));
  // report regenerates its own files, but never over a folder, through a link, or over a FIFO, device or socket
  for (const f of files) {
    const there = fs.lstatSync(f, { throwIfNoEntry: false });
    if (there && !there.isFile()) throw new UserError(`${f} is ${fileKind(there)} where report writes a file: move or remove it, then run report again`);
  }
  const runs = collectRuns(dir);
  if (!runs.length) throw new UserError(`no runs in ${dirArg} (expected ${path.join(dirArg, '<class>vsall/seed_<seed>/results.json')}, or sweep folders holding them): run deep-svdd sweep --xp-dir ${dirArg} first`);
  const { classes, overall } = summarise(runs);
  const t1 = tableOne(runs);
  const cmp = sweepComparison(runs);
  const md = markdown(dir, classes, overall, runs, t1, cmp);
  const chart = await aucChart(classes, runs);
  const page = await html(dir, classes, overall, runs, chart, t1, cmp); // reads (and checks) every epochs.csv before anything is written
  writeFileAtomic(files[0], csv(classes, overall));
  writeFileAtomic(files[1], md);
  writeFileAtomic(files[2], chart.png);
  writeFileAtomic(files[3], page);
  return { files, markdown: md, classes, overall, runs, table1: t1 };
}
