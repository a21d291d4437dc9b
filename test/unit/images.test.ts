import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { drawText, FONT_CHARS, GLYPH_DESCENT, GLYPH_HEIGHT, hasGlyph, textWidth, type Canvas } from '../../src/io/font.js';
import { formatTick, linearTicks, logTicks, renderLineChart, writeLineChart, type LineSeries } from '../../src/io/images.js';
import { aucChart, type ClassSummary, type ReportRun } from '../../src/experiments/report.js';

const blank = (width: number, height: number): Canvas => { const c = new PNG({ width, height }); c.data.fill(255); return c; };

/** Pixels (x, y) darker than `limit` in every channel, within the optional box [x0, x1) × [y0, y1). */
function dark(c: Canvas, limit = 128, box = { x0: 0, y0: 0, x1: c.width, y1: c.height }): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const p = (y * c.width + x) * 4;
      if (c.data[p] < limit && c.data[p + 1] < limit && c.data[p + 2] < limit) out.push([x, y]);
    }
  }
  return out;
}

const bbox = (px: Array<[number, number]>) => ({
  x0: Math.min(...px.map((p) => p[0])), x1: Math.max(...px.map((p) => p[0])),
  y0: Math.min(...px.map((p) => p[1])), y1: Math.max(...px.map((p) => p[1])),
});

/** The glyph of `ch` drawn at scale 1, as text rows of '#' and '.'. */
function render(ch: string, scale = 1): { key: string; n: number; box: ReturnType<typeof bbox> | null } {
  const c = blank(30, 30);
  drawText(c, ch, 2, 2, [0, 0, 0], scale);
  const px = dark(c);
  return { key: px.map(([x, y]) => `${x},${y}`).join(' '), n: px.length, box: px.length ? bbox(px) : null };
}

describe('bitmap font', () => {
  test('covers digits, letters, space and the chart punctuation', () => {
    const needed = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz .,:-+%()/×±_=';
    for (const ch of needed) assert.ok(hasGlyph(ch), `no glyph for ${JSON.stringify(ch)}`);
    assert.ok([...needed].every((ch) => FONT_CHARS.includes(ch)));
  });

  test('every glyph but the space sets pixels, inside its advance width and the 7 + 2 descent rows, at scale 1 and 2', () => {
    for (const ch of FONT_CHARS) {
      if (ch === ' ') continue;
      for (const s of [1, 2]) {
        const r = render(ch, s);
        assert.ok(r.n > 0, `${JSON.stringify(ch)} at scale ${s} draws nothing`);
        assert.ok(r.box!.x0 >= 2 && r.box!.x1 < 2 + textWidth(ch, s), `${JSON.stringify(ch)} spills out of its width`);
        assert.ok(r.box!.y0 >= 2 && r.box!.y1 < 2 + (GLYPH_HEIGHT + GLYPH_DESCENT) * s, `${JSON.stringify(ch)} spills below its line`);
      }
    }
  });

  test('digits differ from each other, letters differ from each other', () => {
    for (const set of ['0123456789', 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz']) {
      const keys = [...set].map((ch) => render(ch).key);
      assert.equal(new Set(keys).size, set.length);
    }
  });

  test('a space draws nothing and advances 3 pixels (× scale); glyphs are separated by one blank column', () => {
    assert.equal(render(' ').n, 0);
    assert.equal(textWidth(' '), 3);
    assert.equal(textWidth('  ', 2), 14);
    assert.equal(textWidth('E'), 5);
    assert.equal(textWidth('EE'), 11);
    assert.equal(textWidth(''), 0);
  });

  test('a character without a glyph is drawn as a hollow 5×7 box', () => {
    for (const ch of ['é', '€', '\u0001', '漢']) {
      assert.ok(!hasGlyph(ch));
      const r = render(ch);
      assert.equal(textWidth(ch), 5);
      assert.equal(r.n, 2 * 5 + 2 * 5);
      assert.deepEqual(r.box, { x0: 2, x1: 6, y0: 2, y1: 8 });
    }
  });

  test('rotated text runs upwards from its bottom-left corner; off-canvas pixels are skipped', () => {
    const c = blank(20, 30);
    const w = drawText(c, 'EE', 3, 25, [0, 0, 0], 1, true);
    assert.equal(w, 11);
    assert.deepEqual(bbox(dark(c)), { x0: 3, x1: 3 + GLYPH_HEIGHT - 1, y0: 25 - 10, y1: 25 });
    const d = blank(8, 8);
    drawText(d, 'Wide text far outside', -50, -3, [0, 0, 0], 3);
    drawText(d, 'x', 100, 100, [0, 0, 0]);
    assert.equal(d.data.length, 8 * 8 * 4);
  });
});

describe('tick values and labels', () => {
  test('compact labels', () => {
    const cases: Array<[number, string]> = [[0.0012, '1.2e-3'], [0.001, '1e-3'], [0.05, '0.05'], [0.01, '0.01'], [12, '12'], [1.5, '1.5'],
      [100, '100'], [0.1 + 0.2, '0.3'], [250000, '2.5e5'], [0, '0'], [-0.5, '-0.5'], [-0.002, '-2e-3']];
    for (const [v, s] of cases) assert.equal(formatTick(v), s, String(v));
  });

  test('log ticks: powers of ten over several decades, 1-2-5 over about one, 1…9 over less', () => {
    assert.deepEqual(logTicks(1e-3, 10), [1e-3, 1e-2, 0.1, 1, 10]);
    assert.deepEqual(logTicks(0.8e-3, 12), [1e-3, 1e-2, 0.1, 1, 10]);
    assert.deepEqual(logTicks(1e-9, 1e3, 4), [1e-8, 1e-4, 1]); // 13 decades, at most 4 ticks: every 4th power
    assert.deepEqual(logTicks(0.037, 0.2), [0.05, 0.1, 0.2]);
    assert.deepEqual(logTicks(2.5, 130), [5, 10, 20, 50, 100]);
    assert.deepEqual(logTicks(0.031, 0.061), [0.04, 0.05, 0.06]);
  });

  test('linear ticks at multiples of 1, 2 or 5 × 10^k', () => {
    assert.deepEqual(linearTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(linearTicks(-3, 12, 5), [0, 5, 10]); // 15 / 5 = 3, rounded up to step 5
    assert.deepEqual(linearTicks(0.044, 0.0471, 4), [0.044, 0.045, 0.046, 0.047]);
  });
});

describe('line chart', () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'images-test-')); });
  after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  // 41 epochs from 10 down to 1e-3 (exactly one decade per 10 epochs)
  const decay: LineSeries = { values: Array.from({ length: 41 }, (_, i) => 10 * 10 ** (-i / 10)), color: [30, 90, 200] };

  test('writes a PNG of the requested size with the title dark in the top band and nowhere else', () => {
    const file = path.join(dir, 'loss.png');
    const title = 'TRAINING LOSS';
    writeLineChart(file, [decay], { width: 320, height: 210, title, xLabel: 'epoch', yLabel: 'loss (log scale)' });
    const png = PNG.sync.read(fs.readFileSync(file));
    assert.equal(png.width, 320);
    assert.equal(png.height, 210);
    const { plot } = renderLineChart([decay], { width: 320, height: 210, title, xLabel: 'epoch', yLabel: 'loss (log scale)' });
    const band = dark(png, 100, { x0: 0, y0: 0, x1: 320, y1: plot.y0 });
    assert.ok(band.length > 100, `only ${band.length} dark pixels above the plot`);
    // centred, scale 2 (the canvas is at least 200 high and wide enough), 6 pixels from the top, no descenders
    const tw = textWidth(title, 2);
    assert.deepEqual(bbox(band), { x0: Math.round((320 - tw) / 2), x1: Math.round((320 - tw) / 2) + tw - 1, y0: 6, y1: 6 + 2 * GLYPH_HEIGHT - 1 });
  });

  test('log scale: ticks at the powers of ten for data spanning 1e-3..10, grid lines evenly spaced, labels left of the axis', () => {
    const r = renderLineChart([decay], { width: 400, height: 260, title: 'loss', xLabel: 'epoch', yLabel: 'loss' });
    assert.deepEqual(r.yTicks.map((t) => t.value), [1e-3, 1e-2, 0.1, 1, 10]);
    assert.deepEqual(r.yTicks.map((t) => t.label), ['1e-3', '0.01', '0.1', '1', '10']);
    const gaps = r.yTicks.slice(1).map((t, k) => r.yTicks[k].y - t.y);
    assert.ok(gaps.every((g) => g > 20 && Math.abs(g - gaps[0]) <= 1), `uneven gaps ${gaps}`);
    for (const t of r.yTicks) {
      assert.ok(t.y > r.plot.y0 && t.y < r.plot.y1);
      let grid = 0; // light grey pixels along the row (the curve crosses some rows)
      for (let x = r.plot.x0 + 1; x <= r.plot.x1; x++) { const v = r.png.data[(t.y * r.png.width + x) * 4]; if (v > 200 && v < 255) grid++; }
      assert.ok(grid > 0.9 * (r.plot.x1 - r.plot.x0), `no grid line at y ${t.y}`);
      const label = dark(r.png, 128, { x0: 0, y0: t.y - 4, x1: r.plot.x0 - 3, y1: t.y + 5 });
      assert.ok(label.length > 5, `no label left of tick ${t.label}`);
    }
    // the curve's first point (10) and last point (1e-3) sit on the first and last tick rows
    assert.deepEqual([r.xTicks[0].value, r.xTicks[0].x], [1, r.plot.x0]);
    assert.ok(r.xTicks.at(-1)!.value <= 41 && r.xTicks.length >= 3);
    const colAt = (x: number) => { for (let y = r.plot.y0; y <= r.plot.y1; y++) { const p = (y * r.png.width + x) * 4; if (r.png.data[p] === 30 && r.png.data[p + 2] === 200) return y; } return -1; };
    assert.ok(Math.abs(colAt(r.plot.x0 + 1) - r.yTicks[4].y) <= 2);
    assert.ok(Math.abs(colAt(r.plot.x1) - r.yTicks[0].y) <= 2);
  });

  test('x ticks are 1-based epochs', () => {
    const r = renderLineChart([{ values: Array.from({ length: 150 }, (_, i) => 1 / (i + 1)), color: [0, 0, 0] }], { width: 480, height: 240 });
    assert.equal(r.xTicks[0].value, 1);
    assert.ok(r.xTicks.slice(1).every((t) => t.value % 10 === 0 && t.value <= 150), r.xTicks.map((t) => t.value).join());
    assert.equal(r.xTicks.at(-1)!.x, r.plot.x1 - Math.round((r.plot.x1 - r.plot.x0) * (150 - r.xTicks.at(-1)!.value) / 149));
  });

  test('legend only for several series', () => {
    const textInPlot = (n: number) => {
      const series = Array.from({ length: n }, (_, k) => ({ ...decay, name: `seed ${k + 1}`, values: decay.values.map((v) => v * (k + 1)) }));
      const r = renderLineChart(series, { width: 400, height: 240 });
      const p = r.plot;
      let count = 0;
      for (let y = p.y0; y < p.y1; y++) for (let x = p.x0 + 1; x < p.x1; x++) { const q = (y * 400 + x) * 4; if (r.png.data[q] === 70 && r.png.data[q + 1] === 70) count++; }
      return count;
    };
    assert.equal(textInPlot(1), 0);
    assert.ok(textInPlot(3) > 30);
  });

  test('the positional form still works; no data gives an empty plot with a note', () => {
    const file = path.join(dir, 'old.png');
    writeLineChart(file, [{ values: [3, 2, 1], color: [200, 60, 30] }], 200, 100, false);
    const png = PNG.sync.read(fs.readFileSync(file));
    assert.deepEqual([png.width, png.height], [200, 100]);
    const r = renderLineChart([{ values: [0, -1, NaN], color: [0, 0, 0] }], { width: 200, height: 120 });
    assert.equal(r.yTicks.length, 0);
    assert.ok(dark(r.png, 128, { x0: r.plot.x0 + 2, y0: r.plot.y0, x1: r.plot.x1, y1: r.plot.y1 }).length > 0);
  });
});

describe('AUC chart of the report', () => {
  test('title, legend, y axis in % and class names are drawn', () => {
    const cls = (i: number, name: string, mean: number | null): ClassSummary => ({
      key: `${i}vsall`, cls: i, name, dataset: 'cifar10', objective: 'one-class Deep SVDD', column: 'one-class', nRuns: 1, n: mean === null ? 0 : 1,
      mean, std: mean === null ? null : 0, min: mean, max: mean, aeMean: null, paper: { mean: 61.7, std: 4.1 },
    });
    const classes = [cls(0, 'airplane', 62), cls(1, 'automobile', null)];
    const runs: ReportRun[] = [{ cls: 0, seed: 1, dir: '', rel: '0vsall/seed_1', group: '0vsall', status: 'finished', testAuc: 0.62, aeTestAuc: null, objective: 'one-class', dataset: 'cifar10', className: 'airplane', seconds: 1, error: null }];
    const { png, lo } = aucChart(classes, runs);
    assert.equal(lo, 50);
    const img = PNG.sync.read(png);
    const top = dark(img, 100, { x0: 0, y0: 0, x1: img.width, y1: 22 });
    assert.ok(top.length > 100, 'no title');
    // class names below the plot, y labels left of it: some grey text pixels in each band
    const grey = (box: { x0: number; y0: number; x1: number; y1: number }) => {
      let n = 0;
      for (let y = box.y0; y < box.y1; y++) for (let x = box.x0; x < box.x1; x++) { const q = (y * img.width + x) * 4; if (img.data[q] < 180 && Math.abs(img.data[q] - img.data[q + 2]) < 5) n++; }
      return n;
    };
    assert.ok(grey({ x0: 0, y0: img.height - 40, x1: img.width, y1: img.height }) > 40, 'no class names');
    assert.ok(grey({ x0: 0, y0: 40, x1: 25, y1: img.height - 40 }) > 40, 'no y labels');
  });
});
