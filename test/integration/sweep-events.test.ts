/**
 * A sweep learns its runs' progress from the progress channel (JSON lines on fd 3), never from their console text:
 * with the epoch line of a copy of the CLI reworded, a sweep still records each run's phase and epochs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseProgressLine, progressSender, PROGRESS_FD_ENV } from '../../src/experiments/progress-events.js';
import { type SweepRun } from '../../src/experiments/sweep-state.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-events-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

test('progress lines: what a run sends is what a sweep reads; anything else is ignored', () => {
  const file = path.join(tmp, 'events.jsonl');
  const fd = fs.openSync(file, 'w');
  const send = progressSender({ [PROGRESS_FD_ENV]: String(fd) });
  send({ event: 'phase', phase: 'pretrain', n_epochs: 3 });
  send({ event: 'epoch', phase: 'pretrain', epoch: 1, n_epochs: 3, loss: 1.5 });
  send({ event: 'end', status: 'finished' });
  fs.closeSync(fd);
  const events = fs.readFileSync(file, 'utf8').trim().split('\n').map(parseProgressLine);
  assert.deepEqual(events, [
    { v: 1, event: 'phase', phase: 'pretrain', n_epochs: 3 },
    { v: 1, event: 'epoch', phase: 'pretrain', epoch: 1, n_epochs: 3, loss: 1.5 },
    { v: 1, event: 'end', status: 'finished' },
  ]);
  for (const bad of ['[train] epoch 1/3', '{"v":2,"event":"epoch","phase":"train","epoch":1,"n_epochs":2}', '{"v":1,"event":"epoch","phase":"x","epoch":1,"n_epochs":2}', 'null']) {
    assert.equal(parseProgressLine(bad), null, bad);
  }
  progressSender({})({ event: 'end', status: 'failed' }); // no channel: nothing happens
});

test('rewording the epoch line does not break a sweep\'s progress', () => {
  // a copy of the built CLI whose epoch line reads "[train] EPOCH#2 of 2 ..." instead of "[train] epoch 2/2 ..."
  const copy = path.join(tmp, 'copy');
  fs.cpSync(path.join(root, 'dist/src'), path.join(copy, 'dist/src'), { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(copy, 'package.json'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  const line = '] epoch ${row.epoch + 1}/${s.nEpochs}';
  const hits = (fs.readdirSync(path.join(copy, 'dist/src'), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.js') && fs.readFileSync(path.join(copy, 'dist/src', f), 'utf8').includes(line));
  assert.equal(hits.length, 1, `the epoch line is formatted in exactly one file (found ${hits.join(', ') || 'none'})`);
  const file = path.join(copy, 'dist/src', hits[0]);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(line, '] EPOCH#${row.epoch + 1} of ${s.nEpochs}'));

  const dir = path.join(tmp, 'sweep');
  const r = spawnSync(process.execPath, [path.join(copy, 'dist/src/cli/main.js'), 'sweep', '--classes', '0', '--seeds', '1', '--jobs', '1',
    '--xp-dir', dir, '--n-train', '200', '--n-test', '100', '--n-epochs', '2', '--ae-n-epochs', '1', '--batch-size', '100', '--backend', 'wasm'],
  { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const log = fs.readFileSync(path.join(dir, '0vsall/seed_1/log.txt'), 'utf8');
  assert.match(log, /\[train\] EPOCH#2 of 2/, 'the copy\'s reworded line ran');
  assert.doesNotMatch(log, /\[train\] epoch \d/);
  const run = (JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8')).runs as SweepRun[])[0];
  assert.equal(run.status, 'finished');
  assert.deepEqual([run.phase, run.epoch, run.n_epochs], ['train', 2, 2], 'the sweep saw the last epoch');
});
