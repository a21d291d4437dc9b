// report.html's template (report-html.ts): self-contained; the summary table in the layout the methods call for; a
// section only for a class whose runs kept pictures or loss curves; names escaped; collapsed runs marked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { PNG } from 'pngjs';
import { html } from '../../src/experiments/report-html.js';
import { reportTable } from '../../src/experiments/report-table.js';
import { COLLAPSED_MARK } from '../../src/experiments/report-text.js';
import { run } from '../helpers/report-runs.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'report-html-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const chart = { svg: '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>', lo: 60 };

/** The cells of the first table.summary, row by row (tags stripped, <br> as " | "). */
function summaryCells(page: string): string[][] {
  const table = /<table class="summary[^"]*">(.*?)<\/table>/s.exec(page)![1];
  return [...table.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].map((m) => [...m[1].matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((c) => c[1].replace(/<br>/g, ' | ').replace(/<[^>]+>/g, '')));
}

test('several methods: a row per class and the mean row, a column per method with ours above the paper\'s; a section for the class with pictures', async () => {
  const withPictures = run({ cls: 0, seed: 1, auc: 0.98, sweep: 'one-class' });
  withPictures.dir = path.join(tmp, 'one-class/0vsall/seed_1');
  fs.mkdirSync(withPictures.dir, { recursive: true });
  const png = new PNG({ width: 4, height: 4 });
  fs.writeFileSync(path.join(withPictures.dir, 'most_anomalous.png'), PNG.sync.write(png));
  fs.writeFileSync(path.join(withPictures.dir, 'epochs.csv'), 'phase,epoch,lr,loss,seconds\ntrain,0,0.0001,0.5,1\ntrain,1,0.0001,0.4,1\n');
  const runs = [withPictures, run({ cls: 1, seed: 1, auc: 0.99, sweep: 'one-class', className: '<b>1</b>', collapsed: true }), run({ cls: 0, seed: 1, auc: 0.9, method: 'kde', sweep: 'kde' })];
  const page = await html({ dir: '/x/table', table: reportTable(runs), runs, chart, comparison: null });
  assert.deepEqual(summaryCells(page), [
    ['class', 'name', 'KDE (%)', 'one-class Deep SVDD (%)'],
    ['0', '0', '90.0 ± 0.0 | 97.1 ± 0.0', '98.0 ± 0.0 | 98.0 ± 0.7'],
    ['1', '&lt;b&gt;1&lt;/b&gt;', '–', `99.0 ± 0.0 ${COLLAPSED_MARK} | 99.7 ± 0.1`],
    ['mean', 'all classes', '90.0 ± 0.0 | 97.1 ± 0.0', `98.5 ± 0.0 ${COLLAPSED_MARK} | 98.8 ± 0.4`],
  ]);
  assert.doesNotMatch(page, /<script|<link|src="(?!data:)/, 'self-contained');
  assert.doesNotMatch(page, /<\?xml/, 'the SVG inlined without its declaration');
  const sections = [...page.matchAll(/<section><h3>(.*?)<\/h3>/g)].map((m) => m[1].replace(/<[^>]+>/g, ''));
  assert.deepEqual(sections, ['one-class Deep SVDD, class 0: 98.0 ± 0.0 % over 1 seed(s) (one-class/0vsall)'], 'classes without pictures get no section');
  assert.equal((page.match(/data:image\/png;base64,/g) ?? []).length, 1);
  assert.match(page, /<figcaption>one-class Deep SVDD<\/figcaption>/, 'the loss curve');
  assert.match(page, new RegExp(`<td class="ok">finished ${COLLAPSED_MARK}</td>`), 'the collapsed run in the run list');
});

test('one method: the detailed table with the "all" row; no section when no run kept pictures', async () => {
  const runs = [run({ cls: 2, seed: 1, auc: 0.9, ae: 0.8 }), run({ cls: 2, seed: 2, auc: 0.92, ae: 0.82 })];
  const page = await html({ dir: '/x/sweep', table: reportTable(runs), runs, chart, comparison: null });
  assert.deepEqual(summaryCells(page), [
    ['class', 'name', 'seeds', 'test AUC (%)', 'paper (%)', 'Δ (points)', 'AE pretraining AUC (%)'],
    ['2', '2', '2', '91.0 ± 1.0', '91.7 ± 0.8', '−0.7', '81.0'],
    ['all', 'all classes', '2', '91.0 ± 1.0', '91.7 ± 0.8', '−0.7', '81.0'],
  ]);
  assert.match(page, /<h2>Test AUC per class<\/h2>/);
  assert.doesNotMatch(page, /<h2>Classes<\/h2>/);
  assert.match(page, /<details open><summary>2 run folder\(s\)<\/summary>/);
});
