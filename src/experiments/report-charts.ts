/**
 * The report's pictures (Vega-Lite specs rendered by src/io/charts.ts), each sized for a screen:
 * - one method: bars per class (ours, the paper's) with ± std whiskers and a dot per seed;
 * - several methods: a classes × methods heatmap of ours − the paper's (of our AUC where no column has a paper
 *   value, as in an ablation), above small multiples: the bars, one panel per method, a few panels to a row;
 * - per class: the loss per epoch of each seed.
 */
import path from 'node:path';
import { chartSvg, lineChartSpec, svgToPng, type ChartSpec, type LineSeries } from '../io/charts.js';
import { readEpochLosses } from '../io/epochs-csv.js';
import { CORRUPTED, type ReportRun } from './report-scan.js';
import { rowLabel, type ReportCell, type ReportTable } from './report-table.js';
import { DATASET_TITLE } from './report-text.js';

export const CHART_COLORS = { ours: '#1f77b4', paper: '#ff7f0e', seed: '#08306b', whisker: '#1e1e1e', chance: '#a0a0a0', empty: '#eeeeee' } as const;
/** no picture is wider than about this many pixels (the single-method bars narrow to fit, down to 4 px a bar: 170 classes) */
export const MAX_CHART_WIDTH = 1800;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The AUC axis's floor in %: a multiple of 10 below every value shown (mean − std, paper − std, each seed), at most 90. */
export function chartRange(values: number[]): number {
  const lo = values.length ? Math.min(...values) : 50;
  return Math.max(0, Math.min(90, Math.floor((lo - 2) / 10) * 10));
}

const finishedIn = (runs: ReportRun[], c: ReportCell) => runs.filter((r) => r.status === 'finished' && r.testAuc !== null && c.groups.includes(r.group));

/** A row's label under its bars, cut to 16 characters. */
function shortLabel(t: ReportTable, r: ReportTable['rows'][number]): string {
  const s = rowLabel(t, r);
  return s.length > 16 ? `${s.slice(0, 14)}..` : s;
}

interface BarDatum { type: 'bar'; column: string; label: string; kind: string; mean: number; lo: number; hi: number }
interface SeedDatum { type: 'seed'; column: string; label: string; kind: string; auc: number; seed: string }

/** The bars and seed dots of every (row, column) with finished runs. */
function barData(t: ReportTable, runs: ReportRun[], paperKind: string): { data: Array<BarDatum | SeedDatum>; lo: number } {
  const data: Array<BarDatum | SeedDatum> = [];
  const values: number[] = [];
  for (const col of t.columns) {
    for (const r of t.rows) {
      const c = r.cells[col.key];
      const label = shortLabel(t, r);
      if (c.mean !== null) {
        data.push({ type: 'bar', column: col.title, label, kind: 'ours (mean)', mean: c.mean, lo: c.mean - (c.std ?? 0), hi: c.mean + (c.std ?? 0) });
        values.push(c.mean - (c.std ?? 0), c.min ?? c.mean);
      }
      if (c.paper && c.mean !== null) {
        data.push({ type: 'bar', column: col.title, label, kind: paperKind, mean: c.paper.mean, lo: c.paper.mean - c.paper.std, hi: c.paper.mean + c.paper.std });
        values.push(c.paper.mean - c.paper.std);
      }
      for (const run of finishedIn(runs, c)) data.push({ type: 'seed', column: col.title, label, kind: 'ours (mean)', auc: 100 * run.testAuc!, seed: `seed ${run.seed}` });
    }
  }
  return { data, lo: chartRange(values) };
}

/** The bar layers (bars, whiskers, seed dots, the 50 % line) over data with a "type" field. */
function barLayers(order: string[], lo: number, paperKind: string, axisTitle: string | null): unknown[] {
  const x = { field: 'label', type: 'nominal', sort: order, title: axisTitle, axis: { labelAngle: 0, labelOverlap: 'greedy' }, scale: { domain: order } };
  const y = { type: 'quantitative', scale: { domain: [lo, 100], nice: false, zero: false }, title: 'test AUC (%)', axis: { labelExpr: "datum.value + '%'" } };
  const kinds = ['ours (mean)', paperKind];
  const color = { field: 'kind', type: 'nominal', title: null, scale: { domain: kinds, range: [CHART_COLORS.ours, CHART_COLORS.paper] }, legend: { orient: 'top' } };
  const xOffset = { field: 'kind', type: 'nominal', scale: { domain: kinds } };
  const only = (type: string) => [{ filter: `datum.type === '${type}'` }];
  return [
    { transform: only('bar'), mark: { type: 'bar', clip: true }, encoding: { x, xOffset, y: { ...y, field: 'mean' }, y2: { datum: lo }, color } },
    { transform: only('bar'), mark: { type: 'rule', color: CHART_COLORS.whisker, clip: true }, encoding: { x, xOffset, y: { ...y, field: 'lo' }, y2: { field: 'hi' } } },
    { transform: only('seed'), mark: { type: 'circle', size: 18, color: CHART_COLORS.seed, opacity: 1, clip: true }, encoding: { x, xOffset, y: { ...y, field: 'auc' }, tooltip: { field: 'seed' } } },
    ...(lo < 50 ? [{ mark: { type: 'rule', color: CHART_COLORS.chance, strokeDash: [4, 3] }, encoding: { y: { ...y, datum: 50 } } }] : []),
  ];
}

const paperKindOf = (t: ReportTable) => (t.datasets.every((d) => ['mnist', 'cifar10', 'gtsrb'].includes(d)) ? 'paper (Table 1)' : 'paper');
const datasetTitle = (t: ReportTable) => (t.datasets.length === 1 ? DATASET_TITLE[t.datasets[0]] ?? t.datasets[0] : undefined);

/** One method: bars per class (or dataset), ours and the paper's. */
function barChartSpec(t: ReportTable, runs: ReportRun[]): { spec: ChartSpec; lo: number } {
  const paperKind = paperKindOf(t);
  const { data, lo } = barData(t, runs, paperKind);
  const order = t.rows.map((r) => shortLabel(t, r));
  // the step is one bar's: a class holds two (ours, the paper's) and the padding between classes (about 0.4 of a bar)
  const step = Math.max(4, Math.min(40, Math.floor((MAX_CHART_WIDTH - 150) / (2.4 * Math.max(1, order.length)))));
  const ds = datasetTitle(t);
  const spec = {
    $schema: SCHEMA,
    title: t.datasets.length > 1 ? 'Test AUC per dataset' : `Test AUC per class${ds ? ` (${ds})` : ''}`,
    width: { step }, height: 260, background: 'white',
    data: { values: data },
    layer: barLayers(order, lo, paperKind, t.datasets.length > 1 ? 'dataset' : 'normal class'),
  } as unknown as ChartSpec;
  return { spec, lo };
}

/**
 * Several methods: a heatmap (rows × methods) of ours − the paper's in AUC points (blue above, red below; a grey cell
 * has no paper value), or of our AUC where no cell has a paper value; below it the bars, one small panel per method.
 */
function multiChartSpec(t: ReportTable, runs: ReportRun[]): { spec: ChartSpec; lo: number } {
  const paperKind = paperKindOf(t);
  const order = t.rows.map((r) => shortLabel(t, r));
  const columnOrder = t.columns.map((c) => c.title);
  const anyPaper = t.columns.some((col) => t.rows.some((r) => r.cells[col.key].paper && r.cells[col.key].mean !== null));
  const cells = t.columns.flatMap((col) => t.rows.flatMap((r) => {
    const c = r.cells[col.key];
    if (c.mean === null) return [];
    const value = anyPaper ? (c.paper ? c.mean - c.paper.mean : null) : c.mean;
    const text = value === null ? '–' : anyPaper ? `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)}` : value.toFixed(1);
    return [{ column: col.title, label: shortLabel(t, r), value, text }];
  }));
  const vals = cells.map((c) => c.value).filter((v): v is number => v !== null);
  const m = Math.max(1, ...vals.map(Math.abs));
  const lowest = vals.length ? Math.min(...vals) : 0;
  const color = anyPaper
    ? { field: 'value', type: 'quantitative', title: 'ours − paper', scale: { scheme: 'redblue', domain: [-m, m] }, legend: { orient: 'right', gradientLength: 120 } }
    : { field: 'value', type: 'quantitative', title: 'AUC (%)', scale: { scheme: 'blues', domain: [Math.floor(lowest), 100] }, legend: { orient: 'right', gradientLength: 120 } };
  const strong = anyPaper ? `abs(datum.value) > ${0.6 * m}` : `datum.value > ${Math.floor(lowest) + 0.6 * (100 - Math.floor(lowest))}`;
  const cellW = Math.max(70, Math.min(150, Math.floor(1000 / t.columns.length)));
  const x = { field: 'column', type: 'nominal', sort: columnOrder, scale: { domain: columnOrder }, title: null, axis: { orient: 'top', labelAngle: 0, labelLimit: 0, labelFontSize: 10 } };
  const y = { field: 'label', type: 'nominal', sort: order, scale: { domain: order }, title: null };
  const heatmap = {
    title: anyPaper ? 'Ours − the paper (AUC points): blue above the paper, red below, grey without a paper value' : 'Our test AUC (%)',
    width: cellW * t.columns.length, height: 22 * order.length,
    data: { values: cells },
    layer: [
      { mark: { type: 'rect', color: CHART_COLORS.empty, stroke: 'white' }, encoding: { x, y } },
      { transform: [{ filter: 'datum.value !== null' }], mark: { type: 'rect', stroke: 'white' }, encoding: { x, y, color } },
      { mark: { type: 'text', fontSize: 11 }, encoding: { x, y, text: { field: 'text' }, color: { condition: { test: `datum.value !== null && ${strong}`, value: 'white' }, value: 'black' } } },
    ],
  };
  const { data, lo } = barData(t, runs, paperKind);
  const panelW = Math.max(140, Math.min(360, 30 * order.length));
  // as many panels to a row as fit, spread evenly over the rows (6 methods: two rows of three, not four and two)
  const fit = Math.max(1, Math.min(4, Math.floor(MAX_CHART_WIDTH / (panelW + 70))));
  const perRow = Math.ceil(t.columns.length / Math.ceil(t.columns.length / fit));
  const ds = datasetTitle(t);
  const bars = {
    title: `Test AUC per ${t.datasets.length > 1 ? 'dataset' : 'class'}${ds ? ` (${ds})` : ''}, one panel per method`,
    data: { values: data },
    facet: { field: 'column', type: 'nominal', sort: columnOrder, title: null, header: { labelFontSize: 12, labelFontWeight: 'bold' } },
    columns: perRow,
    spec: { width: panelW, height: 150, layer: barLayers(order, lo, paperKind, null) },
  };
  const spec = { $schema: SCHEMA, background: 'white', spacing: 30, vconcat: [heatmap, bars], config: { concat: { spacing: 30 } } } as unknown as ChartSpec;
  return { spec, lo };
}

/** The AUC chart's spec: the bars for one method, the heatmap and small multiples for several. */
export function aucChartSpec(t: ReportTable, runs: ReportRun[]): { spec: ChartSpec; lo: number } {
  return t.columns.length > 1 ? multiChartSpec(t, runs) : barChartSpec(t, runs);
}

/** The AUC chart as SVG and PNG. */
export async function aucChart(t: ReportTable, runs: ReportRun[]): Promise<{ svg: string; png: Buffer; lo: number }> {
  const { spec, lo } = aucChartSpec(t, runs);
  const svg = await chartSvg(spec);
  return { svg, png: svgToPng(svg), lo };
}

/** Loss per epoch of every seed of a class, one SVG chart per phase (null where no run has an epochs.csv). */
export async function lossCurves(rs: ReportRun[]): Promise<Record<'pretrain' | 'train', string | null>> {
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
