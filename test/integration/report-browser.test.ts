/**
 * report.html in a real browser: Debian's Chromium, headless (.ci/run installs it; without it here the test is
 * skipped, never in CI). A folder of two small sweeps (two methods) is reported, the page is opened at 1280 px with a
 * probe that records every console error and script error, and the table and pictures are checked as the browser
 * laid them out: the paper's layout (a row per class, a column per method), every image decoded, nothing wider than
 * the window.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { runCli } from '../helpers/cli-run.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = !fs.existsSync(CHROMIUM);
if (missing && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for the browser tests`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-report-browser-'));
process.on('exit', () => { if (!process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true }); });

interface Probe {
  errors: string[];
  head: string[];
  rows: string[][];
  images: Array<{ natural: number; w: number; h: number }>;
  svgs: Array<{ w: number; h: number }>;
  scrollWidth: number;
  innerWidth: number;
}

/** Runs the page in headless Chromium and returns what the probe wrote into it. */
function probe(page: string): Probe {
  const html = fs.readFileSync(page, 'utf8');
  const script = `<script>
window.__errors = [];
const origError = console.error;
console.error = (...a) => { window.__errors.push(a.map(String).join(' ')); origError(...a); };
window.addEventListener('error', (e) => window.__errors.push(String(e.message || e.target?.src || 'error')), true);
window.addEventListener('load', () => {
  const box = (p) => { const r = p.getBoundingClientRect(); return { w: Math.round(r.width), h: Math.round(r.height) }; };
  const table = document.querySelector('table.summary');
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({
    errors: window.__errors,
    head: [...(table?.tHead?.rows[0]?.cells ?? [])].map((c) => c.textContent),
    rows: [...(table?.tBodies[0]?.rows ?? [])].map((r) => [...r.cells].map((c) => c.innerText.replace(/\\s*\\n\\s*/g, ' | '))),
    images: [...document.querySelectorAll('img')].map((p) => ({ natural: p.naturalWidth, ...box(p) })),
    svgs: [...document.querySelectorAll('svg')].filter((p) => !p.parentElement.closest('svg')).map(box),
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
  });
  document.body.appendChild(out);
});
</script>`;
  const probed = path.join(path.dirname(page), 'probe.html');
  fs.writeFileSync(probed, html.replace('<head>', `<head>${script}`));
  const r = spawnSync(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${path.join(tmp, 'profile')}`, '--virtual-time-budget=5000',
    '--window-size=1280,1000', '--dump-dom', pathToFileURL(probed).href,
  ], { encoding: 'utf8', timeout: 60_000 });
  const m = /<pre id="probe">(.*?)<\/pre>/s.exec(r.stdout);
  assert.ok(m, `the probe ran (chromium exit ${r.status}): ${r.stderr.slice(-500)}`);
  return JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as Probe;
}

test('report.html opens in Chromium without errors: the paper\'s layout (a row per class and the mean, a column per method), every image decoded, nothing wider than the window', { skip: missing && 'no /usr/bin/chromium' }, () => {
  const dir = path.join(tmp, 'sweeps');
  const picture = new PNG({ width: 6, height: 4 });
  picture.data.fill(200);
  for (const method of ['one-class', 'soft-boundary']) {
    for (const c of [0, 1, 2]) {
      for (const seed of [1, 2]) {
        const run = path.join(dir, method, `${c}vsall`, `seed_${seed}`);
        fs.mkdirSync(run, { recursive: true });
        fs.writeFileSync(path.join(run, 'results.json'), JSON.stringify({
          results_version: 1, status: 'finished', started_at: '2026-12-06T00:00:00Z', finished_at: '2026-12-06T00:01:00Z', deep_svdd_version: '0.1.0',
          seed, dataset: 'mnist', objective: method === 'one-class' ? 'one-class Deep SVDD' : 'soft-boundary Deep SVDD, ν = 0.1', method,
          normal_classes: [c], outlier_classes: [-1], normal_class_names: [String(c)], outlier_class_names: ['-1'],
          test_auc: 0.9 + 0.01 * c + 0.002 * seed, ae_test_auc: 0.85, timings_s: { total_s: 60 },
          ...(method === 'soft-boundary' && c === 2 && seed === 1 ? { diagnostics: { collapsed: true } } : {}),
        }));
        fs.writeFileSync(path.join(run, 'epochs.csv'), 'phase,epoch,lr,loss,seconds\npretrain,0,0.0001,2,1\npretrain,1,0.0001,1.5,1\ntrain,0,0.0001,0.5,1\ntrain,1,0.0001,0.4,1\n');
        for (const name of ['most_anomalous', 'most_normal']) fs.writeFileSync(path.join(run, `${name}.png`), PNG.sync.write(picture));
      }
    }
  }
  const r = runCli(['report', dir], tmp);
  assert.equal(r.code, 0, r.stderr);
  const page = probe(path.join(dir, 'report.html'));
  assert.deepEqual(page.errors, [], 'no console or script errors');
  assert.deepEqual(page.head, ['class', 'name', 'soft-boundary Deep SVDD (%)', 'one-class Deep SVDD (%)']);
  // classes 0, 1, 2 and the mean row; each cell ours over the paper's (MNIST Table 1)
  assert.deepEqual(page.rows.map((row) => row.slice(0, 2)), [['0', '0'], ['1', '1'], ['2', '2'], ['mean', 'all classes']]);
  assert.deepEqual(page.rows[0].slice(2), ['90.3 ± 0.1 | 97.8 ± 0.7', '90.3 ± 0.1 | 98.0 ± 0.7']);
  assert.equal(page.rows[2][2], '92.3 ± 0.1 † | 89.5 ± 1.2', 'the collapsed run\'s cell is marked');
  assert.equal(page.rows[3][3], '91.3 ± 0.1 | 96.5 ± 0.5');
  // every class and method: two picture grids
  assert.equal(page.images.length, 2 * 3 * 2);
  for (const img of page.images) assert.ok(img.natural > 0 && img.w > 0 && img.h > 0, `an image loads and is laid out: ${JSON.stringify(img)}`);
  assert.ok(page.svgs.length >= 1 + 2 * 3 * 2, 'the AUC chart and the loss curves');
  for (const p of page.svgs) assert.ok(p.w > 0 && p.h > 0 && p.w <= page.innerWidth, `a chart is laid out within the window: ${p.w} × ${p.h}`);
  assert.ok(page.scrollWidth <= page.innerWidth, `the page fits the window's width (${page.scrollWidth} > ${page.innerWidth})`);
});
