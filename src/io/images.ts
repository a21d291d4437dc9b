/**
 * PNG pictures: image grids (most normal / most anomalous test images, in original pixel scale, framed green for
 * normal-class and red for outlier-class images) and simple line charts.
 */
import { PNG } from 'pngjs';
import { writeFileAtomic } from './atomic.js';

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

/** A minimal line chart (one or more series over epochs), with a light grid; no text. */
export function writeLineChart(file: string, series: Array<{ values: number[]; color: [number, number, number] }>, width = 480, height = 240, logY = true): void {
  const png = new PNG({ width, height });
  png.data.fill(255);
  const pad = 10;
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && (!logY || v > 0));
  if (all.length === 0) { writeFileAtomic(file, PNG.sync.write(png)); return; }
  const tr = (v: number) => (logY ? Math.log10(v) : v);
  let lo = Math.min(...all.map(tr));
  let hi = Math.max(...all.map(tr));
  if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
  const maxLen = Math.max(...series.map((s) => s.values.length));
  const set = (x: number, y: number, c: number[]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const p = (y * width + x) * 4;
    png.data[p] = c[0]; png.data[p + 1] = c[1]; png.data[p + 2] = c[2]; png.data[p + 3] = 255;
  };
  for (let g = 0; g <= 4; g++) {
    const y = Math.round(pad + (g * (height - 2 * pad)) / 4);
    for (let x = pad; x < width - pad; x++) set(x, y, [225, 225, 225]);
  }
  const px = (i: number) => pad + (maxLen <= 1 ? 0 : (i * (width - 2 * pad)) / (maxLen - 1));
  const py = (v: number) => height - pad - ((tr(v) - lo) * (height - 2 * pad)) / (hi - lo);
  for (const s of series) {
    let prev: [number, number] | null = null;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v) || (logY && v <= 0)) { prev = null; return; }
      const cur: [number, number] = [px(i), py(v)];
      if (prev) {
        const steps = Math.max(1, Math.ceil(Math.hypot(cur[0] - prev[0], cur[1] - prev[1])));
        for (let t = 0; t <= steps; t++) {
          const x = Math.round(prev[0] + ((cur[0] - prev[0]) * t) / steps);
          const y = Math.round(prev[1] + ((cur[1] - prev[1]) * t) / steps);
          set(x, y, s.color); set(x, y + 1, s.color);
        }
      } else set(Math.round(cur[0]), Math.round(cur[1]), s.color);
      prev = cur;
    });
  }
  writeFileAtomic(file, PNG.sync.write(png));
}
