/**
 * Charts from Vega-Lite specifications: vega-lite compiles a spec, vega renders it to SVG without a browser, and
 * resvg rasterises the SVG where a PNG file is wanted (text in the system's sans-serif font: DejaVu Sans where it is
 * installed). report.html embeds the SVG itself.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from './atomic.js';

export type ChartSpec = TopLevelSpec;

// vega, vega-lite and resvg are loaded on first use: together they add about a second to every command's start
const require = createRequire(import.meta.url);

/** The chart as an SVG document. */
export async function chartSvg(spec: ChartSpec): Promise<string> {
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** An SVG document as PNG bytes, on a white background. */
export function svgToPng(svg: string): Buffer {
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  return new Resvg(svg, { background: 'white', font: fontOptions() }).render().asPng();
}

/** Debian's DejaVu Sans files: loading just these is ~3× faster than scanning every system font for each picture. */
const DEJAVU = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'];
let fonts: { loadSystemFonts: boolean; fontFiles?: string[]; defaultFontFamily: string; sansSerifFamily: string } | undefined;

function fontOptions(): NonNullable<typeof fonts> {
  fonts ??= DEJAVU.every((f) => fs.existsSync(f))
    ? { loadSystemFonts: false, fontFiles: DEJAVU, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' }
    : { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' };
  return fonts;
}

/** Renders the chart and writes it as a PNG file (atomically); returns the SVG. */
export async function writeChartPng(file: string, spec: ChartSpec): Promise<string> {
  const svg = await chartSvg(spec);
  writeFileAtomic(file, svgToPng(svg));
  return svg;
}

// ------------------------------------------------------------------------------------------------ loss per epoch

export interface LineSeries {
  values: number[];
  /** legend name (shown for two or more series) */
  name?: string;
}

export interface LineChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** log-scale y axis (default true); values ≤ 0 are then left out */
  logY?: boolean;
  /** plot size in pixels (default 420 × 200) */
  width?: number;
  height?: number;
  /** colour of a single series (CSS); several series take the tableau10 colours */
  color?: string;
}

/**
 * One or more series over epochs 1, 2, …: a line per series, log-scale y by default, a legend for two or more series.
 * Non-finite values (and values ≤ 0 on a log axis) are left out.
 */
export function lineChartSpec(series: LineSeries[], o: LineChartOptions = {}): ChartSpec {
  const logY = o.logY ?? true;
  const values = series.flatMap((s, k) => s.values.map((v, i) => ({ epoch: i + 1, value: v, series: s.name ?? `series ${k + 1}` })))
    .filter((p) => Number.isFinite(p.value) && (!logY || p.value > 0));
  const many = series.length > 1;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: o.width ?? 420,
    height: o.height ?? 200,
    background: 'white',
    ...(o.title ? { title: o.title } : {}),
    data: { values },
    mark: { type: 'line', point: values.length < 2, strokeWidth: 1.5, ...(many ? {} : { color: o.color ?? '#1f77b4' }) },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: o.xLabel ?? 'epoch', axis: { tickMinStep: 1, format: 'd' }, scale: { nice: false } },
      y: { field: 'value', type: 'quantitative', title: o.yLabel ?? null, scale: logY ? { type: 'log', nice: false } : { zero: false, nice: false } },
      ...(many ? { color: { field: 'series', type: 'nominal', title: null, scale: { scheme: 'tableau10' } } } : {}),
    },
  } as ChartSpec;
}

/** Writes a line chart PNG (see lineChartSpec); returns its SVG. */
export function writeLineChart(file: string, series: LineSeries[], o: LineChartOptions = {}): Promise<string> {
  return writeChartPng(file, lineChartSpec(series, o));
}

// ------------------------------------------------------------------------------------------------ score histogram

/**
 * Test scores by their label (normal / outlier) as two overlaid histograms on shared bins, with the decision
 * threshold as a rule: the picture of a table run, whose rows cannot be drawn as images.
 */
export function scoreHistogramSpec(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number, title: string): ChartSpec {
  const values = Array.from({ length: scores.length }, (_, i) => ({ score: scores[i], label: labels[i] === 1 ? 'outlier' : 'normal' }))
    .filter((p) => Number.isFinite(p.score));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 420, height: 200, background: 'white', title,
    layer: [
      {
        data: { values },
        mark: { type: 'bar', opacity: 0.6, binSpacing: 0 },
        encoding: {
          x: { field: 'score', bin: { maxbins: 40 }, type: 'quantitative', title: 'anomaly score' },
          y: { aggregate: 'count', type: 'quantitative', title: 'test rows', stack: null },
          color: { field: 'label', type: 'nominal', title: null, scale: { domain: ['normal', 'outlier'], range: ['#1f77b4', '#d62728'] } },
        },
      },
      { data: { values: [{ threshold }] }, mark: { type: 'rule', strokeDash: [4, 3], color: 'black' }, encoding: { x: { field: 'threshold', type: 'quantitative' } } },
    ],
  } as ChartSpec;
}
