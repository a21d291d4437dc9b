/**
 * PNG pictures: image grids (most normal / most anomalous test images, in original pixel scale, framed green for
 * normal-class and red for outlier-class images) and line charts with a title, labelled axes and a legend (text drawn
 * with the built-in bitmap font of font.ts).
 */
import { PNG } from 'pngjs';
import { writeFileAtomic } from './atomic.js';
import { drawText, textHeight, textWidth } from './font.js';

export interface RawImages { pixels: Uint8Array; height: number; width: number; channels: number }

const FRAME = 2;
const GAP = 2;

/** Writes a grid of the images at `indices` (row-major, `cols` per row) with a frame coloured by label. */
export function writeImageGrid(file: string, imgs: RawImages, indices: ArrayLike<number>, labels: ArrayLike<number>, cols = 8, scale = 2): void {
  const n = indices.length;
  const rows = Math.max(1, Math.ceil(n / cols));
  const cell = (s: number) => s * scale + 2 * FRAME + GAP;
  const W = cols * cell(imgs.width) + GAP;
  const H = rows * cell(imgs.height) + GAP;
  const png = new PNG({ width: W, height: H });
  png.data.fill(255);
  const d = imgs.height * imgs.width * imgs.channels;
  for (let k = 0; k < n; k++) {
    const ox = GAP + (k % cols) * cell(imgs.width);
    const oy = GAP + Math.floor(k / cols) * cell(imgs.height);
    const frame = labels[k] ? [220, 40, 40] : [40, 160, 60];
    const fw = imgs.width * scale + 2 * FRAME;
    const fh = imgs.height * scale + 2 * FRAME;
    for (let y = 0; y < fh; y++) {
      for (let x = 0; x < fw; x++) {
        const p = ((oy + y) * W + ox + x) * 4;
        const inner = x >= FRAME && y >= FRAME && x < fw - FRAME && y < fh - FRAME;
        let rgb = frame;
        if (inner) {
          const iy = Math.floor((y - FRAME) / scale);
          const ix = Math.floor((x - FRAME) / scale);
          const base = indices[k] * d + (iy * imgs.width + ix) * imgs.channels;
          rgb = imgs.channels === 1 ? [imgs.pixels[base], imgs.pixels[base], imgs.pixels[base]]
            : [imgs.pixels[base], imgs.pixels[base + 1], imgs.pixels[base + 2]];
        }
        png.data[p] = rgb[0]; png.data[p + 1] = rgb[1]; png.data[p + 2] = rgb[2]; png.data[p + 3] = 255;
      }
    }
  }
  writeFileAtomic(file, PNG.sync.write(png));
}

// ------------------------------------------------------------------------------------------------ line charts

export interface LineSeries { values: number[]; color: readonly [number, number, number] | [number, number, number]; name?: string }

export interface LineChartOptions {
  /** canvas size in pixels (default 480 × 240) */
  width?: number;
  height?: number;
  /** log-scale y axis (default true); values ≤ 0 are then left out */
  logY?: boolean;
  /** drawn centred at the top */
  title?: string;
  /** caption under the x axis, e.g. "epoch" */
  xLabel?: string;
  /** caption along the y axis (reading upwards), e.g. "loss (log scale)" */
  yLabel?: string;
  /** legend names of the series (else each series' `name`, else "series k"); the legend is drawn for 2+ series */
  seriesNames?: string[];
  /** the x value of each series' first point (default 1: epochs counted from 1) */
  xStart?: number;
}

export interface RenderedChart {
  png: PNG;
  /** the plot area in pixels (inclusive) */
  plot: { x0: number; y0: number; x1: number; y1: number };
  /** y-axis ticks: value (data scale), label and pixel row of its grid line */
  yTicks: Array<{ value: number; label: string; y: number }>;
  /** x-axis ticks: value (epoch), label and pixel column */
  xTicks: Array<{ value: number; label: string; x: number }>;
}

export const CHART_TEXT = { title: [20, 20, 20], label: [70, 70, 70], axis: [120, 120, 120], grid: [228, 228, 228], gridX: [240, 240, 240] } as const;

const roundNice = (v: number) => Number(v.toPrecision(12));

/**
 * Compact tick label: the fewest significant digits that keep the value, plain decimals from 0.01 to below 100000
 * ("0.05", "1.5", "12", "300"), else mantissa-exponent ("1.2e-3", "1e-4", "2e5").
 */
export function formatTick(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return v === 0 ? '0' : String(v);
  const a = Math.abs(v);
  let p = 1;
  while (p < 8 && Math.abs(Number(v.toPrecision(p)) - v) > 1e-9 * a) p++;
  if (a < 0.01 || a >= 1e5) {
    const [m, e] = v.toExponential(p - 1).split('e');
    return `${m}e${Number(e)}`;
  }
  return v.toFixed(Math.max(0, p - 1 - Math.floor(Math.log10(a) + 1e-12)));
}

/** About `target` evenly spaced ticks at multiples of 1, 2 or 5 × 10^k within [lo, hi]. */
export function linearTicks(lo: number, hi: number, target = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (!(hi > lo)) return [roundNice(lo)];
  const raw = (hi - lo) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * mag;
  // a range too narrow or too wide for float64 steps (e.g. 1e-320 or 1e308) gets its two ends
  if (!(step > 0) || !Number.isFinite(step) || (hi - lo) / step > 100) return [roundNice(lo), roundNice(hi)];
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step && out.length <= 100; k++) out.push(roundNice(k * step));
  return out;
}

/**
 * Ticks of a log axis over [lo, hi] (both > 0): the powers of ten inside when there are at least 3 (every 2nd, 3rd, …
 * decade when more than `maxTicks`), else 1, 2, 5 × 10^k, else 1 … 9 × 10^k, else plain linear ticks.
 */
export function logTicks(lo: number, hi: number, maxTicks = 8): number[] {
  // within float64's range (a padded axis over 1e300 reaches past it), else no ticks at all
  const a = Math.max(-323, Math.log10(lo));
  const b = Math.min(308, Math.log10(hi));
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(b >= a)) return [];
  const eps = 1e-9;
  const inside = (v: number) => Math.log10(v) >= a - eps && Math.log10(v) <= b + eps;
  const e0 = Math.ceil(a - eps);
  const e1 = Math.floor(b + eps);
  if (e1 - e0 + 1 >= 3) {
    const every = Math.ceil((e1 - e0 + 1) / Math.max(1, maxTicks));
    const out: number[] = [];
    for (let e = e0; e <= e1; e++) if (e % every === 0) out.push(roundNice(10 ** e));
    return out;
  }
  for (const mants of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const out: number[] = [];
    for (let e = Math.floor(a) - 1; e <= Math.ceil(b); e++) for (const m of mants) { const v = roundNice(m * 10 ** e); if (inside(v)) out.push(v); }
    if (out.length >= 3 && out.length <= Math.max(3, maxTicks)) return out;
  }
  return linearTicks(10 ** a, 10 ** b, Math.min(5, maxTicks)).filter((v) => v > 0);
}

function canvas(width: number, height: number): PNG {
  const png = new PNG({ width, height });
  png.data.fill(255);
  return png;
}

/** Renders the line chart (see writeLineChart) without writing it. */
export function renderLineChart(series: LineSeries[], o: LineChartOptions = {}): RenderedChart {
  const width = Math.max(40, Math.round(o.width ?? 480));
  const height = Math.max(40, Math.round(o.height ?? 240));
  const logY = o.logY ?? true;
  const xStart = o.xStart ?? 1;
  const png = canvas(width, height);
  const set = (x: number, y: number, c: readonly number[]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const p = (y * width + x) * 4;
    png.data[p] = c[0]; png.data[p + 1] = c[1]; png.data[p + 2] = c[2]; png.data[p + 3] = 255;
  };
  const hline = (x0: number, x1: number, y: number, c: readonly number[]) => { for (let x = x0; x <= x1; x++) set(x, y, c); };
  const vline = (x: number, y0: number, y1: number, c: readonly number[]) => { for (let y = y0; y <= y1; y++) set(x, y, c); };
  const th = textHeight(1);

  // vertical layout: title band, plot, tick labels, x caption
  const titleScale = o.title && height >= 200 && textWidth(o.title, 2) <= width - 16 ? 2 : 1;
  const top = o.title ? 6 + textHeight(titleScale) + 9 : 8;
  const bottom = 4 + 4 + th + (o.xLabel ? 6 + th : 0) + 6;
  const y0 = top;
  const y1 = height - bottom;
  const plotH = Math.max(1, y1 - y0);

  const ok = (v: number) => Number.isFinite(v) && (!logY || v > 0);
  const all = series.flatMap((s) => s.values).filter(ok);
  const tr = (v: number) => (logY ? Math.log10(v) : v);
  let lo = 0;
  let hi = 1;
  let yTickValues: number[] = [];
  if (all.length) {
    lo = Math.min(...all.map(tr));
    hi = Math.max(...all.map(tr));
    if (hi - lo < 1e-12) { const d = logY ? 0.5 : Math.max(0.5, Math.abs(lo) * 0.1); lo -= d; hi += d; }
    const padY = 0.04 * (hi - lo);
    lo -= padY; hi += padY;
    const maxTicks = Math.max(2, Math.floor(plotH / 16));
    yTickValues = logY ? logTicks(10 ** lo, 10 ** hi, maxTicks) : linearTicks(lo, hi, Math.min(6, maxTicks));
  }
  const yLabels = yTickValues.map(formatTick);
  const labelW = Math.max(0, ...yLabels.map((l) => textWidth(l)));
  const x0 = 6 + (o.yLabel ? th + 6 : 0) + labelW + 4 + 3;
  const maxLen = Math.max(0, ...series.map((s) => s.values.length));
  const lastX = xStart + Math.max(0, maxLen - 1);
  const x1 = width - Math.max(10, Math.ceil(textWidth(String(lastX)) / 2) + 4);
  const plotW = Math.max(1, x1 - x0);
  const py = (v: number) => y1 - ((tr(v) - lo) * plotH) / (hi - lo);
  const px = (i: number) => x0 + (maxLen <= 1 ? plotW / 2 : (i * plotW) / (maxLen - 1));

  // x ticks: the first point, then multiples of a 1-2-5 step; labels that would touch the previous one are dropped
  const xTicks: RenderedChart['xTicks'] = [];
  if (maxLen > 0) {
    const cand: number[] = [xStart];
    if (maxLen > 1) {
      const room = Math.max(2, Math.floor(plotW / (textWidth(String(lastX)) + 16)));
      const raw = (lastX - xStart) / room;
      const mag = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
      const step = Math.max(1, [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
      for (let v = Math.ceil((xStart + 1e-9) / step) * step; v <= lastX; v += step) if (v > xStart) cand.push(v);
    }
    let right = -Infinity;
    for (const v of cand) {
      const label = String(v);
      const x = Math.round(px(v - xStart));
      const w = textWidth(label);
      if (x - w / 2 < right + 6) continue;
      xTicks.push({ value: v, label, x });
      right = x + w / 2;
    }
  }
  const yTicks = yTickValues.map((value, k) => ({ value, label: yLabels[k], y: Math.round(py(value)) }));

  // grid, axes, ticks
  for (const t of xTicks) vline(t.x, y0, y1 - 1, CHART_TEXT.gridX);
  for (const t of yTicks) hline(x0 + 1, x1, t.y, CHART_TEXT.grid);
  vline(x0, y0, y1, CHART_TEXT.axis);
  hline(x0, x1, y1, CHART_TEXT.axis);
  for (const t of yTicks) {
    hline(x0 - 3, x0 - 1, t.y, CHART_TEXT.axis);
    drawText(png, t.label, x0 - 4 - 3 - textWidth(t.label), t.y - Math.floor(th / 2), CHART_TEXT.label);
  }
  for (const t of xTicks) {
    vline(t.x, y1 + 1, y1 + 3, CHART_TEXT.axis);
    drawText(png, t.label, t.x - Math.floor(textWidth(t.label) / 2), y1 + 4 + 4, CHART_TEXT.label);
  }

  // the series (2 pixels thick; an isolated point as a 3 × 3 dot), remembering where they went for the legend
  const used = new Uint8Array(width * height);
  const mark = (x: number, y: number, c: readonly number[]) => { set(x, y, c); if (x >= 0 && y >= 0 && x < width && y < height) used[y * width + x] = 1; };
  for (const s of series) {
    let prev: [number, number] | null = null;
    s.values.forEach((v, i) => {
      const nextOk = i + 1 < s.values.length && ok(s.values[i + 1]);
      if (!ok(v)) { prev = null; return; }
      const cur: [number, number] = [px(i), py(v)];
      if (prev) {
        const steps = Math.max(1, Math.ceil(Math.hypot(cur[0] - prev[0], cur[1] - prev[1])));
        for (let t = 0; t <= steps; t++) {
          const x = Math.round(prev[0] + ((cur[0] - prev[0]) * t) / steps);
          const y = Math.round(prev[1] + ((cur[1] - prev[1]) * t) / steps);
          mark(x, y, s.color); mark(x, y + 1, s.color);
        }
      } else if (!nextOk) {
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) mark(Math.round(cur[0]) + dx, Math.round(cur[1]) + dy, s.color);
      }
      prev = cur;
    });
  }
  if (!all.length) {
    const msg = series.some((s) => s.values.some(Number.isFinite)) && logY ? 'no positive values to plot' : 'no data';
    drawText(png, msg, Math.round((x0 + x1 - textWidth(msg)) / 2), Math.round((y0 + y1 - th) / 2), CHART_TEXT.label);
  }

  // legend (2+ series) in the plot corner its box covers the fewest line pixels in
  if (series.length > 1) {
    const maxRows = Math.max(1, Math.floor((plotH - 12) / 10));
    const names = series.map((s, k) => o.seriesNames?.[k] ?? s.name ?? `series ${k + 1}`);
    const rows = names.length > maxRows ? [...names.slice(0, maxRows - 1).map((n, k) => ({ n, c: series[k].color as readonly number[] | null })), { n: `+${names.length - maxRows + 1} more`, c: null }]
      : names.map((n, k) => ({ n, c: series[k].color as readonly number[] | null }));
    const bw = 4 + 14 + 4 + Math.max(...rows.map((r) => textWidth(r.n))) + 5;
    const bh = 4 + rows.length * 10 + 1;
    const corners: Array<[number, number]> = [[x1 - 4 - bw, y0 + 4], [x0 + 5, y0 + 4], [x1 - 4 - bw, y1 - 4 - bh], [x0 + 5, y1 - 4 - bh]];
    let best = corners[0];
    let bestN = Infinity;
    for (const [bx, by] of corners) {
      let n = 0;
      for (let y = Math.max(0, by); y < Math.min(height, by + bh); y++) for (let x = Math.max(0, bx); x < Math.min(width, bx + bw); x++) n += used[y * width + x];
      if (n < bestN) { bestN = n; best = [bx, by]; }
    }
    const [bx, by] = best;
    for (let y = by; y < by + bh; y++) hline(bx, bx + bw - 1, y, [255, 255, 255]);
    hline(bx, bx + bw - 1, by, CHART_TEXT.grid); hline(bx, bx + bw - 1, by + bh - 1, CHART_TEXT.grid);
    vline(bx, by, by + bh - 1, CHART_TEXT.grid); vline(bx + bw - 1, by, by + bh - 1, CHART_TEXT.grid);
    rows.forEach((r, k) => {
      const ty = by + 4 + k * 10;
      if (r.c) { hline(bx + 4, bx + 17, ty + 3, r.c); hline(bx + 4, bx + 17, ty + 4, r.c); }
      drawText(png, r.n, bx + 22, ty, CHART_TEXT.label);
    });
  }

  // title and captions
  if (o.title) drawText(png, o.title, Math.round((width - textWidth(o.title, titleScale)) / 2), 6, CHART_TEXT.title, titleScale);
  if (o.xLabel) drawText(png, o.xLabel, Math.round((x0 + x1 - textWidth(o.xLabel)) / 2), height - 6 - th, CHART_TEXT.label);
  if (o.yLabel) drawText(png, o.yLabel, 6, Math.round((y0 + y1 + textWidth(o.yLabel)) / 2), CHART_TEXT.label, 1, true);

  return { png, plot: { x0, y0, x1, y1 }, yTicks, xTicks };
}

/**
 * A line chart of one or more series over epochs (x = 1, 2, … by default), log-scale y by default: light grid lines at
 * the y ticks (labelled in the data's scale) and at the x ticks (labelled with the epoch), optional title, axis
 * captions, and a legend for two or more series. Call as writeLineChart(file, series, options) or, as before,
 * writeLineChart(file, series, width, height, logY, options?).
 */
export function writeLineChart(file: string, series: LineSeries[], options?: LineChartOptions): void;
export function writeLineChart(file: string, series: LineSeries[], width?: number, height?: number, logY?: boolean, options?: LineChartOptions): void;
export function writeLineChart(file: string, series: LineSeries[], widthOrOptions?: number | LineChartOptions, height?: number, logY?: boolean, options: LineChartOptions = {}): void {
  const o: LineChartOptions = typeof widthOrOptions === 'object'
    ? widthOrOptions
    : { ...options, width: widthOrOptions ?? options.width, height: height ?? options.height, logY: logY ?? options.logY };
  writeFileAtomic(file, PNG.sync.write(renderLineChart(series, o).png));
}
