/**
 * `report DIR --out OUT`: the four files go to OUT (created if need be) and the sweep folder stays as it was; an --out
 * that is a file, an empty --out, or a link where one of the files belongs is refused in one line with nothing written.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { refused, runCli } from '../helpers/cli-run.js';
import { snapshot, assertUnchanged } from '../helpers/snapshot.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-report-out-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const FILES = ['summary.csv', 'summary.md', 'auc_chart.png', 'report.html'];

const sweep = path.join(tmp, 'sweep');
for (const seed of [1, 2]) {
  fs.mkdirSync(path.join(sweep, '0vsall', `seed_${seed}`), { recursive: true });
  fs.writeFileSync(path.join(sweep, '0vsall', `seed_${seed}`, 'results.json'), JSON.stringify({ status: 'finished', dataset: 'mnist', objective: 'one-class Deep SVDD', method: 'one-class', test_auc: 0.9 + 0.02 * seed }));
}

test('--out: the files in the new folder, the sweep folder unchanged', () => {
  const before = snapshot(sweep);
  const out = path.join(tmp, 'deep', 'out');
  const r = runCli(['report', sweep, '--out', out], tmp);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(FILES.filter((f) => fs.existsSync(path.join(out, f))), FILES);
  assertUnchanged(sweep, before);
  assert.match(fs.readFileSync(path.join(out, 'summary.md'), 'utf8'), /\| 0 \| 0 \| 2 \| 93\.0 ± 1\.0 \| 98\.0 ± 0\.7 \| −5\.0 \|/);
});

test('--out errors: a file, an empty value, a link where a file belongs', () => {
  const file = path.join(tmp, 'a-file');
  fs.writeFileSync(file, 'x');
  refused(['report', sweep, '--out', file], /--out .*a-file is not a folder: give a folder for the report's files/, sweep, { cwd: tmp });
  refused(['report', sweep, '--out', ' '], /--out is empty: give a folder for the report's files, or leave the option out/, sweep, { cwd: tmp });
  const out = path.join(tmp, 'linked');
  fs.mkdirSync(out);
  fs.symlinkSync(file, path.join(out, 'report.html'));
  refused(['report', sweep, '--out', out], /report\.html is a symbolic link where report writes a file: move or remove it/, out, { cwd: tmp });
  assert.equal(fs.readFileSync(file, 'utf8'), 'x');
});
