/**
 * The report's table model: the paper's layout, one row per (dataset, normal class), one column per method, each cell
 * our test AUC in % (mean ± std over the finished seeds) beside the paper's, and a mean row per column (the mean of
 * the row means, as the paper's mean row, ± the mean of the row stds).
 *
 * A column is a run's method (results.json "method", methodOf for older files); Deep SAD gets a column per γ_l
 * (semi_supervised.ratio_known_outlier). Where one method holds runs of the same class from several sweep folders (an
 * ablation: every variant is one-class Deep SVDD), that method's column splits into one per sweep folder. The std is
 * the population standard deviation (numpy's default np.std, ddof = 0).
 */
import { PAPER_COLUMN_TITLE, PAPER_COLUMNS, paperColumn, paperDeepSad, paperValue, type PaperCell, type PaperColumn } from '../eval/paper.js';
import { type RunMethod } from '../config/methods.js';
import { type ReportRun } from './report-scan.js';

export const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
/** Population standard deviation (numpy's np.std default, ddof = 0). */
export const popStd = (a: number[]) => { const m = mean(a); return Math.sqrt(mean(a.map((x) => (x - m) ** 2))); };

export const DEEP_SAD = 'deep-sad';

export interface ReportColumn {
  /** the method ('ocsvm', 'one-class', …) where that is the whole key; `deep-sad@<γ_l>`, `<method>#<sweep folder>` otherwise */
  key: string;
  method: string | null;
  gammaL: number | null;
  /** the sweep folder where the method's column splits by folder (an ablation), else null */
  sweep: string | null;
  /** as the tables head it: "one-class Deep SVDD", "Deep SAD (γ_l = 0.05)", a sweep folder's name */
  title: string;
  /** the paper's column for this method, null where the paper has none */
  paper: PaperColumn | null;
}

export interface ReportCell {
  /** finished runs with an AUC, and all runs */
  n: number;
  nRuns: number;
  /** test AUC in %, null without finished runs */
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  /** the autoencoder's own AUC in %: mean over the finished runs that have one */
  aeMean: number | null;
  paper: PaperCell | null;
  /** finished runs whose results.json says diagnostics.collapsed */
  collapsed: number;
  /** the run-folder groups behind the cell (`one-class/3vsall`) */
  groups: string[];
}

export interface ReportRow {
  /** `<dataset>:<class folder>` */
  key: string;
  dataset: string;
  cls: number;
  /** the class folder's name (`3vsall`) */
  classKey: string;
  /** the class name (`3`, `cat`, `0+1`), with ` (<class folder>)` for outliers other than "all" */
  name: string;
  cells: Record<string, ReportCell>;
}

export interface ReportTable {
  columns: ReportColumn[];
  rows: ReportRow[];
  /** per column key: the mean row */
  mean: Record<string, ReportCell>;
  datasets: string[];
}

const PAPER_ORDER = new Map<string, number>(PAPER_COLUMNS.map((c, i) => [c, i]));
const fmtGamma = (g: number | null) => (g === null ? '?' : String(g));

/** A run's column before any split by sweep folder. */
function baseKey(r: ReportRun): string {
  if (r.method === DEEP_SAD) return `${DEEP_SAD}@${fmtGamma(r.gammaL)}`;
  return r.method ?? `objective:${r.objective ?? 'unknown'}`;
}

/** The title of a method's column: the paper's name for it, Deep SAD with its γ_l, or the method's own name. */
export function methodTitle(method: string | null, gammaL: number | null, objective: string | null = null): string {
  if (method === DEEP_SAD) return `Deep SAD (γ_l = ${fmtGamma(gammaL)})`;
  const col = paperColumn(method as RunMethod | null);
  return col ? PAPER_COLUMN_TITLE[col] : method ?? objective ?? 'unknown method';
}

const rowKeyOf = (r: ReportRun) => `${r.dataset ?? 'unknown'}:${r.classKey}`;

/** The columns of the runs (all runs with results, finished or not), in the paper's order, then Deep SAD by γ_l, then the rest. */
export function reportColumns(runs: ReportRun[]): { columns: ReportColumn[]; columnOf: (r: ReportRun) => string } {
  const known = runs.filter((r) => r.status !== 'missing' || r.dataset !== null);
  // a method's column splits by sweep folder where one class of one dataset has runs of it in several folders
  const split = new Set<string>();
  const folders = new Map<string, Set<string>>();
  for (const r of known) {
    const k = `${baseKey(r)}\n${rowKeyOf(r)}`;
    const s = folders.get(k) ?? new Set<string>();
    s.add(r.sweep);
    folders.set(k, s);
    if (s.size > 1) split.add(baseKey(r));
  }
  const columnOf = (r: ReportRun) => (split.has(baseKey(r)) ? `${baseKey(r)}#${r.sweep}` : baseKey(r));
  const byKey = new Map<string, ReportColumn>();
  for (const r of known) {
    const key = columnOf(r);
    if (byKey.has(key)) continue;
    const paper = r.method === DEEP_SAD ? null : paperColumn(r.method as RunMethod | null);
    byKey.set(key, { key, method: r.method, gammaL: r.method === DEEP_SAD ? r.gammaL : null, sweep: split.has(baseKey(r)) ? r.sweep : null, title: methodTitle(r.method, r.gammaL, r.objective), paper });
  }
  const columns = [...byKey.values()];
  // a folder of variants of one method: each column is headed by its folder alone
  const oneMethod = new Set(columns.map((c) => c.method)).size === 1;
  for (const c of columns) if (c.sweep !== null) c.title = oneMethod ? c.sweep : `${c.title} (${c.sweep})`;
  const rank = (c: ReportColumn) => (c.paper !== null ? PAPER_ORDER.get(c.paper)! : c.method === DEEP_SAD ? 100 : 200);
  columns.sort((a, b) => rank(a) - rank(b) || (a.gammaL ?? -1) - (b.gammaL ?? -1) || a.title.localeCompare(b.title) || (a.sweep ?? '').localeCompare(b.sweep ?? ''));
  return { columns, columnOf };
}

/** The statistics of one cell from its runs (finished runs with an AUC count; AUCs in %). */
export function cellOf(rs: ReportRun[], paper: PaperCell | null): ReportCell {
  const done = rs.filter((r) => r.status === 'finished' && r.testAuc !== null);
  const aucs = done.map((r) => 100 * r.testAuc!);
  const ae = done.map((r) => r.aeTestAuc).filter((v): v is number => v !== null).map((v) => 100 * v);
  return {
    n: aucs.length, nRuns: rs.length,
    mean: aucs.length ? mean(aucs) : null, std: aucs.length ? popStd(aucs) : null,
    min: aucs.length ? Math.min(...aucs) : null, max: aucs.length ? Math.max(...aucs) : null,
    aeMean: ae.length ? mean(ae) : null, paper, collapsed: done.filter((r) => r.collapsed).length,
    groups: [...new Set(rs.map((r) => r.group))],
  };
}

/**
 * A column's mean row over the rows where it has finished runs: the mean of their means ± the mean of their stds; the
 * paper's (and the autoencoder's) likewise where every one of those rows has one.
 */
export function meanCell(cells: ReportCell[]): ReportCell {
  const withData = cells.filter((c) => c.mean !== null);
  const papers = withData.map((c) => c.paper);
  const ae = withData.map((c) => c.aeMean);
  const avg = (xs: number[]) => (xs.length ? mean(xs) : null);
  return {
    n: cells.reduce((s, c) => s + c.n, 0), nRuns: cells.reduce((s, c) => s + c.nRuns, 0),
    mean: avg(withData.map((c) => c.mean!)), std: avg(withData.map((c) => c.std!)),
    min: withData.length ? Math.min(...withData.map((c) => c.min!)) : null,
    max: withData.length ? Math.max(...withData.map((c) => c.max!)) : null,
    aeMean: ae.length && ae.every((v) => v !== null) ? mean(ae as number[]) : null,
    paper: papers.length && papers.every((p) => p) ? { mean: mean(papers.map((p) => p!.mean)), std: mean(papers.map((p) => p!.std)) } : null,
    collapsed: cells.reduce((s, c) => s + c.collapsed, 0),
    groups: cells.flatMap((c) => c.groups),
  };
}

/** The runs as the paper's layout: rows (dataset, class) × columns (method), and the mean row. */
export function reportTable(runs: ReportRun[]): ReportTable {
  const { columns, columnOf } = reportColumns(runs);
  const rowRuns = new Map<string, ReportRun[]>();
  for (const r of runs.filter((x) => x.status !== 'missing' || x.dataset !== null)) rowRuns.set(rowKeyOf(r), [...(rowRuns.get(rowKeyOf(r)) ?? []), r]);
  const rows: ReportRow[] = [];
  for (const [key, rs] of rowRuns) {
    const first = rs[0];
    const dataset = first.dataset ?? 'unknown';
    const className = rs.find((r) => r.className)?.className ?? String(first.cls);
    const vsAll = first.classKey.endsWith('vsall');
    const cells: Record<string, ReportCell> = {};
    for (const col of columns) {
      const inCol = rs.filter((r) => columnOf(r) === col.key);
      cells[col.key] = cellOf(inCol, vsAll ? paperValue(dataset, col.paper, first.cls) : null);
    }
    rows.push({ key, dataset, cls: first.cls, classKey: first.classKey, name: vsAll ? className : `${className} (${first.classKey})`, cells });
  }
  const allFirst = (r: ReportRow) => (r.classKey.endsWith('vsall') ? 0 : 1);
  rows.sort((a, b) => a.dataset.localeCompare(b.dataset) || a.cls - b.cls || allFirst(a) - allFirst(b) || a.classKey.localeCompare(b.classKey));
  const meanRow: Record<string, ReportCell> = {};
  for (const col of columns) meanRow[col.key] = meanCell(rows.map((r) => r.cells[col.key]).filter((c) => c.nRuns > 0));
  // the Deep SAD paper gives only its mean over the normal classes (per dataset and γ_l): the mean row's paper value
  const datasets = [...new Set(rows.map((r) => r.dataset))];
  for (const col of columns) {
    if (col.method !== DEEP_SAD || col.gammaL === null || datasets.length !== 1) continue;
    const p = paperDeepSad(datasets[0], col.gammaL);
    if (p && meanRow[col.key].mean !== null) meanRow[col.key] = { ...meanRow[col.key], paper: { mean: p.mean, std: p.std } };
  }
  return { columns, rows, mean: meanRow, datasets };
}

/** How a row is labelled: by class within one dataset, by dataset (and class) across several. */
export function rowLabel(t: Pick<ReportTable, 'datasets'>, r: ReportRow): string {
  return t.datasets.length > 1 ? (r.name === '0' || r.name === String(r.cls) ? r.dataset : `${r.dataset} ${r.name}`) : r.name;
}

// ------------------------------------------------------------------------------------------------ sweep folders compared

/** A cell of the sweep comparison: the pretrained autoencoder's and the final test AUC in %, mean ± std over seeds. */
export interface ComparisonCell { n: number; ae: { mean: number; std: number } | null; auc: { mean: number; std: number } | null }
export interface SweepComparison { classes: number[]; sweeps: Array<{ name: string; cells: ComparisonCell[]; mean: ComparisonCell }> }

/**
 * A folder of sweeps compared (an ablation): one row per sweep folder over the normal classes every folder has, each
 * cell the autoencoder's AUC → the final AUC (mean ± std over the seeds), and their means over those classes (the mean
 * of the class means ± the mean of the class stds, as the Table 1 rows). Null with fewer than two sweep folders with a
 * finished run, runs of more than one dataset or method, or no class they all have.
 */
export function sweepComparison(runs: ReportRun[]): SweepComparison | null {
  const done = runs.filter((r) => r.status === 'finished' && r.testAuc !== null);
  const names = [...new Set(done.map((r) => r.sweep))].filter((n) => n).sort(); // folders with a finished run
  // variants of one method on one dataset; folders of several methods are the summary table's columns already
  if (names.length < 2 || new Set(done.map((r) => r.dataset)).size > 1 || new Set(done.map((r) => r.method)).size > 1) return null;
  const classes = [...new Set(done.map((r) => r.cls))].filter((c) => names.every((n) => done.some((r) => r.sweep === n && r.cls === c))).sort((a, b) => a - b);
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
    const cells = classes.map((c) => cell(done.filter((r) => r.sweep === name && r.cls === c)));
    return { name, cells, mean: { n: cells.reduce((a, c) => a + c.n, 0), ae: meanOf(cells, 'ae'), auc: meanOf(cells, 'auc') } };
  });
  return { classes, sweeps };
}
