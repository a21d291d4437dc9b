// The report's pictures (report-charts.ts): one method's bars; several methods' heatmap of ours − paper above small
// multiples; every picture at most MAX_CHART_WIDTH wide however many classes and methods.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { aucChart, chartRange, MAX_CHART_WIDTH } from '../../src/experiments/report-charts.js';
import { reportTable } from '../../src/experiments/report-table.js';
import { run } from '../helpers/report-runs.js';

/** The text of every <text> element of an SVG, in order. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&#x2212;|&minus;/g, '−'));
const dark = (png: PNG) => { let n = 0; for (let p = 0; p < png.data.length; p += 4) if (png.data[p] < 128 && png.data[p + 1] < 128 && png.data[p + 2] < 128) n++; return n; };

test('the AUC axis floor: a multiple of 10 at least 2 below every value, at most 90, 50 without values', () => {
  assert.equal(chartRange([61.5, 80]), 50);
  assert.equal(chartRange([62, 99]), 60);
  assert.equal(chartRange([99.9]), 90);
  assert.equal(chartRange([1]), 0);
  assert.equal(chartRange([]), 40);
});

test('one method: bars per class with title, legend, axis in % from the floor, class names; SVG and PNG', async () => {
  const runs = [run({ cls: 0, seed: 1, auc: 0.62, dataset: 'cifar10', className: 'airplane' }), run({ cls: 1, seed: 1, auc: null, status: 'failed', dataset: 'cifar10', className: 'automobile' })];
  const { svg, png, lo } = await aucChart(reportTable(runs), runs);
  assert.equal(lo, 50);
  const t = texts(svg);
  for (const s of ['Test AUC per class (CIFAR-10)', 'airplane', 'automobile', 'normal class', 'test AUC (%)', 'ours (mean)', 'paper (Table 1)', '50%', '100%']) {
    assert.ok(t.includes(s), `"${s}" missing from ${t.join('|')}`);
  }
  assert.ok(!t.includes('40%'), 'the axis starts at the range floor');
  const img = PNG.sync.read(png);
  assert.ok(img.width > 100 && img.height > 200 && dark(img) > 200);
});

test('one method on 80 classes still fits the width', async () => {
  const runs = Array.from({ length: 80 }, (_, c) => run({ cls: c, seed: 1, auc: 0.9, dataset: 'table' }));
  const img = PNG.sync.read((await aucChart(reportTable(runs), runs)).png);
  assert.ok(img.width <= MAX_CHART_WIDTH + 100, `${img.width} px wide`);
});

test('six methods × ten classes: a heatmap of ours − paper and a panel per method, within the width', async () => {
  const methods = ['ocsvm', 'kde', 'if', 'dcae', 'soft-boundary', 'one-class'];
  // ours = 90.0 everywhere: MNIST one-class digit 0 (paper 98.0) is −8.0, OC-SVM digit 1 (paper 99.5) −9.5
  const runs = methods.flatMap((method) => Array.from({ length: 10 }, (_, cls) => [1, 2].map((seed) => run({ cls, seed, auc: 0.9, method, sweep: method }))).flat());
  const { svg, png } = await aucChart(reportTable(runs), runs);
  const t = texts(svg);
  assert.ok(t.includes('Ours − the paper (AUC points): blue above the paper, red below, grey without a paper value'), t.slice(0, 5).join('|'));
  for (const s of ['OC-SVM', 'KDE', 'Isolation Forest', 'DCAE', 'soft-boundary Deep SVDD', 'one-class Deep SVDD', 'Test AUC per class (MNIST), one panel per method']) {
    assert.ok(t.includes(s), `"${s}" missing`);
  }
  assert.ok(t.includes('−8.0'), 'one-class digit 0: 90.0 − 98.0');
  assert.ok(t.includes('−9.5'), 'OC-SVM digit 1: 90.0 − 99.5');
  const img = PNG.sync.read(png);
  assert.ok(img.width <= MAX_CHART_WIDTH + 100 && img.width > 600, `${img.width} px wide`);
  assert.ok(img.height < 1200, `${img.height} px high`);
  assert.ok(dark(img) > 1000);
});

test('variants of one method without paper values: a heatmap of our AUC', async () => {
  const runs = ['a', 'b'].flatMap((sweep) => [1, 2].map((seed) => run({ cls: 3, seed, auc: 0.8, method: 'deep-sad', gammaL: 0.1, sweep })));
  const t = texts((await aucChart(reportTable(runs), runs)).svg);
  assert.ok(t.includes('Our test AUC (%)'));
  assert.ok(t.includes('80.0'));
  assert.ok(t.includes('a') && t.includes('b'), 'the columns are the folders');
});
