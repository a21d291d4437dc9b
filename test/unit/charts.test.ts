// Charts: Vega-Lite specs rendered to SVG by vega, rasterised to PNG by resvg (the loss curves; the report's AUC chart: report-charts.test.ts).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { chartSvg, lineChartSpec, writeLineChart, type LineSeries } from '../../src/io/charts.js';

/** The text of every <text> element of an SVG, in order. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

/** Pixels darker than `limit` in every channel, within [x0, x1) × [y0, y1). */
function dark(png: PNG, limit = 128, box = { x0: 0, y0: 0, x1: png.width, y1: png.height }): number {
  let n = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const p = (y * png.width + x) * 4;
      if (png.data[p] < limit && png.data[p + 1] < limit && png.data[p + 2] < limit) n++;
    }
  }
  return n;
}

describe('loss chart', () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charts-test-')); });
  after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  // 41 epochs from 10 down to 1e-3 (exactly one decade per 10 epochs)
  const decay: LineSeries = { values: Array.from({ length: 41 }, (_, i) => 10 * 10 ** (-i / 10)) };

  test('a PNG with the title, axis captions, log-scale ticks at the powers of ten and whole epochs', async () => {
    const file = path.join(dir, 'loss.png');
    const svg = await writeLineChart(file, [decay], { title: 'training loss', xLabel: 'epoch', yLabel: 'loss (log scale)', width: 320, height: 160 });
    const t = texts(svg);
    for (const s of ['training loss', 'epoch', 'loss (log scale)', '0.001', '0.01', '0.1', '1', '10']) assert.ok(t.includes(s), `"${s}" missing from ${t.join('|')}`);
    const xLabels = t.filter((s) => /^\d+$/.test(s) && Number(s) > 10);
    assert.ok(xLabels.length >= 2, t.join('|'));
    assert.ok(!t.some((s) => /^\d+\.\d+$/.test(s) && Number(s) > 1), 'no fractional epochs');
    assert.doesNotMatch(svg, /role-legend/, 'no legend for one series');
    const png = PNG.sync.read(fs.readFileSync(file));
    assert.ok(png.width > 320 && png.height > 160, `${png.width}×${png.height}: plot plus axes and title`);
    assert.ok(dark(png) > 200, 'axes, line and text are drawn');
  });

  test('a legend for several series; non-finite and (on a log axis) non-positive values are left out', async () => {
    const two = [{ values: [3, 2, 1], name: 'seed 1' }, { values: [4, 3, 2], name: 'seed 2' }];
    const svg = await chartSvg(lineChartSpec(two));
    assert.match(svg, /role-legend/);
    assert.ok(texts(svg).includes('seed 2'));
    const spec = lineChartSpec([{ values: [0, -1, NaN, 5, Infinity, 2] }]) as { data: { values: Array<{ epoch: number; value: number }> } };
    assert.deepEqual(spec.data.values.map((p) => [p.epoch, p.value]), [[4, 5], [6, 2]]);
    const linear = lineChartSpec([{ values: [0, -1, NaN] }], { logY: false }) as { data: { values: unknown[] } };
    assert.equal(linear.data.values.length, 2);
    assert.ok((await chartSvg(lineChartSpec([{ values: [] }]))).startsWith('<svg'), 'no data: an empty chart');
  });
});
