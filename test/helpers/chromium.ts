/**
 * Headless Chromium for the browser tests (Debian's chromium; .ci/run installs it, and without it here the tests are
 * skipped, never in CI): a page opened from file://, with a probe script injected at the top of <head> that records
 * every console error and script error and, when the probe says so, writes its findings into <pre id="probe">.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumMissing = !fs.existsSync(CHROMIUM);
if (chromiumMissing && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for the browser tests`);

/** Records console errors and script errors into window.__errors; injected before the page's own scripts. */
export const ERROR_PROBE = `<script>
window.__errors = [];
const __origError = console.error;
console.error = (...a) => { window.__errors.push(a.map(String).join(' ')); __origError(...a); };
window.addEventListener('error', (e) => window.__errors.push(String(e.message || e.target?.src || 'error')), true);
window.addEventListener('unhandledrejection', (e) => window.__errors.push('unhandled rejection: ' + String(e.reason)));
window.__report = (value) => { const out = document.createElement('pre'); out.id = 'probe'; out.textContent = JSON.stringify({ errors: window.__errors, ...value }); document.body.appendChild(out); };
</script>`;

/**
 * Opens `page` with ERROR_PROBE and `script` (which must call window.__report(value) when done) in headless Chromium,
 * from a copy named probe.html next to it, and returns what it reported, with the errors.
 */
export function probePage<T>(page: string, script: string, profile: string, budgetMs = 20_000): T & { errors: string[] } {
  const html = fs.readFileSync(page, 'utf8');
  const probed = path.join(path.dirname(page), 'probe.html');
  fs.writeFileSync(probed, html.replace('<head>', `<head>${ERROR_PROBE}`).replace('</body>', `<script>${script}</script>\n</body>`));
  try {
    const r = spawnSync(CHROMIUM, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, `--virtual-time-budget=${budgetMs}`,
      '--dump-dom', pathToFileURL(probed).href,
    ], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    const m = /<pre id="probe">(.*?)<\/pre>/s.exec(r.stdout);
    assert.ok(m, `the probe ran (chromium exit ${r.status}): ${r.stderr.slice(-500)}`);
    return JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as T & { errors: string[] };
  } finally {
    fs.rmSync(probed, { force: true });
  }
}
