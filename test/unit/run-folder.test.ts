/** src/io/run-folder.ts in-process: names inside a folder, locks, and what openRunFolder allows. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { insideFolder, lockFolder, openRunFolder, RUN_LOCK } from '../../src/io/run-folder.js';
import { UserError } from '../../src/util/errors.js';
import { assertUnchanged, snapshot } from '../helpers/snapshot.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-rf-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const user = (f: () => unknown, pattern: RegExp) => assert.throws(f, (e: unknown) => e instanceof UserError && pattern.test(e.message));

test('insideFolder: one name inside the folder, nothing that leaves it', () => {
  assert.equal(insideFolder('log/run', 'model', '--out-name'), path.join('log/run', 'model'));
  assert.equal(insideFolder('log/run', 'model.v2_x-y', '--out-name'), path.join('log/run', 'model.v2_x-y'));
  for (const bad of ['', '.', '..', '../x', 'a/b', '/abs', 'a/..', './m']) user(() => insideFolder('log/run', bad, '--out-name'), /--out-name .* is invalid/);
});

test('lockFolder: exclusive, names the live holder, replaces a dead one, released once', () => {
  const dir = path.join(tmp, 'lock');
  fs.mkdirSync(dir);
  const busy = (pid: number) => new UserError(`busy ${pid}`);
  const release = lockFolder(dir, 'x.lock', busy);
  assert.equal(fs.readFileSync(path.join(dir, 'x.lock'), 'utf8').trim(), String(process.pid));
  // another live process holds it
  const other = spawnSync(process.execPath, ['-e', 'setTimeout(() => {}, 0)']); // finished: its pid is dead
  fs.writeFileSync(path.join(dir, 'y.lock'), `${process.ppid}\n`);
  user(() => lockFolder(dir, 'y.lock', busy), new RegExp(`busy ${process.ppid}`));
  fs.writeFileSync(path.join(dir, 'z.lock'), `${other.pid}\n`);
  const r2 = lockFolder(dir, 'z.lock', busy);
  assert.equal(fs.readFileSync(path.join(dir, 'z.lock'), 'utf8').trim(), String(process.pid));
  release();
  release();
  r2();
  assert.deepEqual(fs.readdirSync(dir).sort(), ['y.lock'], 'released locks and no temporary files are left');
});

test('openRunFolder: new folders run; runs are replaced only with --force, continued only with --resume; abandon leaves no trace', () => {
  const o = (xpDir: string, extra: Partial<{ resume: boolean; force: boolean; outName: string }> = {}) => ({ xpDir, outName: 'model', resume: false, force: false, ...extra });
  const fresh = path.join(tmp, 'a', 'b');
  const f = openRunFolder(o(fresh));
  assert.equal(f.state, 'new');
  assert.ok(fs.existsSync(path.join(fresh, RUN_LOCK)));
  f.abandon();
  assert.equal(fs.existsSync(path.join(tmp, 'a')), false, 'the folders it created are gone');

  const run = path.join(tmp, 'run');
  fs.mkdirSync(path.join(run, 'model'), { recursive: true });
  fs.mkdirSync(path.join(run, 'model_epoch5'));
  for (const f2 of ['model/model.json', 'model/weights.bin', 'model_epoch5/model.json', 'log.txt', 'epochs.csv', 'checkpoint.bin']) fs.writeFileSync(path.join(run, f2), 'old');
  fs.writeFileSync(path.join(run, 'results.json'), JSON.stringify({ status: 'interrupted' }));
  fs.writeFileSync(path.join(run, 'notes.txt'), 'mine');
  const before = snapshot(run);
  user(() => openRunFolder(o(run)), /interrupted run .*--resume 1.*--force 1/);
  assertUnchanged(run, before);
  const resumed = openRunFolder(o(run, { resume: true }));
  assert.equal(resumed.state, 'interrupted');
  resumed.commit();
  resumed.release();
  assertUnchanged(run, before, 'a resumed run keeps its files');
  const forced = openRunFolder(o(run, { force: true }));
  forced.abandon();
  assertUnchanged(run, before, 'a forced run that failed its checks');
  const replaced = openRunFolder(o(run, { force: true }));
  replaced.commit();
  replaced.release();
  assert.deepEqual(fs.readdirSync(run).sort(), [], 'nothing of the old run stays, not even a file no run of this version writes');

  // a model folder that links elsewhere: the link goes, what it points to stays
  const outside = path.join(tmp, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'model.json'), 'not yours');
  fs.symlinkSync(outside, path.join(run, 'model'));
  const kept = snapshot(outside);
  user(() => openRunFolder(o(run)), /already holds files a run writes \(model\/\)/);
  const again = openRunFolder(o(run, { force: true }));
  again.commit();
  again.release();
  assertUnchanged(outside, kept);
  assert.deepEqual(fs.readdirSync(run).sort(), []);

  // --force never deletes a folder that no run writes (--xp-dir . in a checkout): refused before anything changes
  fs.writeFileSync(path.join(run, 'config.json'), '{}');
  fs.mkdirSync(path.join(run, 'src'));
  fs.writeFileSync(path.join(run, 'src', 'main.ts'), 'code');
  fs.mkdirSync(path.join(run, 'model'));
  fs.writeFileSync(path.join(run, 'model', 'zca.bin'), 'z');
  const mine = snapshot(run);
  user(() => openRunFolder(o(run, { force: true })), /holds src\/, which no run writes: --force 1 replaces everything in the run folder, so move it out of it first/);
  assertUnchanged(run, mine);
  fs.rmSync(path.join(run, 'src'), { recursive: true });
  const last = openRunFolder(o(run, { force: true }));
  last.commit();
  assert.deepEqual(fs.readdirSync(run), [RUN_LOCK], 'only the new run\'s lock');
  last.release();
});
