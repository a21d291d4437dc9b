/**
 * A dead process's lock is taken over atomically: many processes that find the same stale lock at the same moment
 * (two `train --resume` started together after a crash, in the field) end with exactly one holder.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const runFolder = pathToFileURL(path.join(root, 'dist/src/io/run-folder.js')).href;
const errors = pathToFileURL(path.join(root, 'dist/src/util/errors.js')).href;

/** Each child takes part in every trial: it spins until the trial's start time, then tries to lock that trial's folder. */
const CHILD = `
import { lockFolder } from ${JSON.stringify(runFolder)};
import { UserError } from ${JSON.stringify(errors)};
import fs from 'node:fs';
const [base, trials, period] = process.argv.slice(2);
// the start time comes once every child has started (under load a start can take seconds)
process.stdout.write('ready\\n');
let t0 = NaN;
while (!(t0 > 0)) { try { t0 = Number(fs.readFileSync(base + '/go', 'utf8')); } catch { /* not yet */ } }
for (let t = 0; t < Number(trials); t++) {
  const start = t0 + t * Number(period);
  while (Date.now() < start) { /* spin: every child tries at the same moment */ }
  // a child descheduled past the moment would only find the lock released: it did not contend, and says so
  if (Date.now() > start + 0.3 * Number(period)) { process.stdout.write(t + ' late\\n'); continue; }
  let outcome;
  try {
    const release = lockFolder(base + '/t' + t, '.train.lock', (pid) => new UserError('busy ' + pid));
    outcome = 'won';
    while (Date.now() < start + 0.7 * Number(period)) { /* hold it while the others try */ }
    release();
  } catch (e) {
    outcome = /^busy \\d+$/.test(e.message) ? 'busy' : 'error ' + e.message;
  }
  process.stdout.write(t + ' ' + outcome + '\\n');
}
`;

test('a stale lock found by many processes at once is taken over by exactly one of them, in every trial', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-lock-'));
  try {
    const trials = 40;
    const children = 6;
    const period = 200;
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    for (let t = 0; t < trials; t++) {
      fs.mkdirSync(path.join(tmp, `t${t}`));
      fs.writeFileSync(path.join(tmp, `t${t}`, '.train.lock'), `${dead}\n`);
    }
    const script = path.join(tmp, 'child.mjs');
    fs.writeFileSync(script, CHILD);
    let ready = 0;
    const outs = await Promise.all(Array.from({ length: children }, () => new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, [script, tmp, String(trials), String(period)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const timer = setTimeout(() => c.kill('SIGKILL'), 120_000);
      c.stdout.on('data', (d: Buffer) => {
        if (!out.includes('ready') && (out + d.toString()).includes('ready') && ++ready === children) {
          fs.writeFileSync(path.join(tmp, 'go'), String(Date.now() + 500));
        }
        out += d.toString();
      });
      c.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      c.on('exit', (code) => { clearTimeout(timer); if (code === 0) resolve(out); else reject(new Error(`child exited ${code}: ${err}`)); });
    })));
    const winners = new Array<number>(trials).fill(0);
    const contenders = new Array<number>(trials).fill(0);
    const other: string[] = [];
    for (const out of outs) {
      for (const line of out.trim().split('\n').filter((l) => l !== 'ready')) {
        const [t, outcome] = [Number(line.slice(0, line.indexOf(' '))), line.slice(line.indexOf(' ') + 1)];
        if (outcome === 'late') continue;
        contenders[t]++;
        if (outcome === 'won') winners[t]++;
        else if (outcome !== 'busy') other.push(line);
      }
    }
    assert.deepEqual(other, [], 'every loser finds the winner holding the lock');
    const contested = contenders.filter((n) => n >= 2).length;
    assert.ok(contested >= trials / 2, `only ${contested} of ${trials} trials had two or more processes trying at once`);
    const wrong = winners.map((w, t) => [t, w]).filter(([, w]) => w !== 1);
    assert.deepEqual(wrong, [], `trials (index, holders) without exactly one holder, of ${trials}`);
    for (let t = 0; t < trials; t++) {
      assert.deepEqual(fs.readdirSync(path.join(tmp, `t${t}`)), [], 'the lock goes with its holder, no temporary file is left');
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
