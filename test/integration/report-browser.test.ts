/**
 * report.html in a real browser: Debian's Chromium, headless (.ci/run installs it; without it here the test is
 * skipped, never in CI). A sweep folder of finished runs is reported, the page is opened with a probe that records
 * every console error and script error, and the table and pictures are checked as the browser laid them out.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { runCli } from '../helpers/cli-run.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = !fs.existsSync(CHROMIUM);
if (missing && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for the browser tests`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-report-browser-'));
process.on('exit', () => { if (!process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true }); });

/** Runs the page in headless Chromium and returns what the probe wrote into it. */
function probe(page: string): { errors: string[]; rows: number; pictures: Array<{ w: number; h: number }> } {
  const html = fs.readFileSync(page, 'utf8');
  const script = `<script>
window.__errors = [];
const origError = console.error;
console.error = (...a) => { window.__errors.push(a.map(String).join(' ')); origError(...a); };
window.addEventListener('error', (e) => window.__errors.push(String(e.message || e.target?.src || 'error')), true);
window.addEventListener('load', () => {
  const pictures = [...document.querySelectorAll('svg, img')].filter((p) => !p.closest('svg svg'))
    .map((p) => { const r = p.getBoundingClientRect(); return { w: Math.round(r.width), h: Math.round(r.height), broken: p.tagName === 'IMG' && !p.naturalWidth }; });
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({ errors: window.__errors, rows: document.querySelector('table.summary')?.tBodies[0]?.rows.length ?? 0, pictures });
  document.body.appendChild(out);
});
</script>`;
  const probed = path.join(path.dirname(page), 'probe.html');
  fs.writeFileSync(probed, html.replace('<head>', `<head>${script}`));
  const r = spawnSync(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${path.join(tmp, 'profile')}`, '--virtual-time-budget=5000',
    '--dump-dom', pathToFileURL(probed).href,
  ], { encoding: 'utf8', timeout: 60_000 });
  const m = /<pre id="probe">(.*?)<\/pre>/s.exec(r.stdout);
  assert.ok(m, `the probe ran (chromium exit ${r.status}): ${r.stderr.slice(-500)}`);
  return JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')) as ReturnType<typeof probe>;
}

test('report.html opens in Chromium without errors: one row per class plus the mean, every picture laid out', { skip: missing && 'no /usr/bin/chromium' }, () => {
  const dir = path.join(tmp, 'sweeps');
  for (const method of ['one-class', 'soft-boundary']) {
    for (const c of [0, 1, 2]) {
      for (const seed of [1, 2]) {
        const run = path.join(dir, method, `${c}vsall`, `seed_${seed}`);
        fs.mkdirSync(run, { recursive: true });
        fs.writeFileSync(path.join(run, 'results.json'), JSON.stringify({
          results_version: 1, status: 'finished', started_at: '2026-12-06T00:00:00Z', finished_at: '2026-12-06T00:01:00Z', deep_svdd_version: '0.1.0',
          seed, dataset: 'mnist', objective: method === 'one-class' ? 'one-class Deep SVDD' : 'soft-boundary Deep SVDD, ν = 0.1', method,
          normal_classes: [c], outlier_classes: [-1], normal_class_names: [String(c)], outlier_class_names: ['-1'],
          test_auc: 0.9 + 0.01 * c + 0.001 * seed, ae_test_auc: 0.85, timings_s: { total_s: 60 },
        }));
        fs.writeFileSync(path.join(run, 'epochs.csv'), 'phase,epoch,lr,loss,seconds\npretrain,0,0.0001,2,1\npretrain,1,0.0001,1.5,1\ntrain,0,0.0001,0.5,1\ntrain,1,0.0001,0.4,1\n');
      }
    }
  }
  const r = runCli(['report', dir], tmp);
  assert.equal(r.code, 0, r.stderr);
  const page = probe(path.join(dir, 'report.html'));
  assert.deepEqual(page.errors, [], 'no console or script errors');
  // the first table: a row per (sweep folder, class), three classes in each of the two folders, and the mean row
  assert.equal(page.rows, 2 * 3 + 1);
  assert.ok(page.pictures.length > 0, 'the page has pictures');
  for (const p of page.pictures) assert.ok(p.w > 0 && p.h > 0, `a picture is laid out at ${p.w} × ${p.h}`);
});
