/** src/util/files.ts: only regular files are read, their size known first (a FIFO or a device never blocks a reader). */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NotReadable, notAFile, readRegular, readRegularFile, readWholeFile } from '../../src/util/files.js';
import { UserError } from '../../src/util/errors.js';
import { openRunLog } from '../../src/io/runlog.js';
import { throwsUser } from '../helpers/assert.js';

test('readRegular reads regular files (through links), refuses FIFOs and devices at once, and folders and missing files by errno', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-files-'));
  try {
    const f = path.join(dir, 'f');
    fs.writeFileSync(f, 'hello');
    fs.symlinkSync(f, path.join(dir, 'link'));
    assert.equal(readRegular(f).toString(), 'hello');
    assert.equal(readRegular(path.join(dir, 'link')).toString(), 'hello');
    const fifo = path.join(dir, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const t = performance.now();
    assert.throws(() => readRegular(fifo), (e: unknown) => e instanceof NotReadable && /^is a FIFO \(named pipe\), not a regular file$/.test(e.message));
    assert.throws(() => readRegular('/dev/zero'), (e: unknown) => e instanceof NotReadable && /character device/.test(e.message));
    fs.symlinkSync('/dev/urandom', path.join(dir, 'random'));
    assert.throws(() => readWholeFile(path.join(dir, 'random'), 'an image'), (e: unknown) => e instanceof UserError
      && e.message === `${path.join(dir, 'random')}: cannot read an image (is a character device, not a regular file); give a regular file`);
    assert.ok(performance.now() - t < 1000, 'no wait for a writer');
    assert.throws(() => readRegular(f, 4), (e: unknown) => e instanceof NotReadable && /is 5 bytes, more than the 4/.test(e.message));
    assert.throws(() => readRegular(dir), { code: 'EISDIR' });
    assert.throws(() => readWholeFile(path.join(dir, 'none'), 'a file'), /none: cannot read a file \(file not found\); check the path/);
    assert.equal(notAFile(fifo), 'a FIFO (named pipe)');
    assert.equal(notAFile(dir), 'a folder');
    assert.equal(notAFile(f), undefined);
    assert.equal(notAFile(path.join(dir, 'none')), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the run log is appended to a regular file only: a FIFO, a device or a link named log.txt is refused at once', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-log-'));
  try {
    const fifo = path.join(dir, 'log.txt');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    assert.throws(() => openRunLog(fifo, true), (e: unknown) => e instanceof UserError && /log\.txt is a FIFO \(named pipe\), not the run's log: remove it/.test(e.message));
    fs.rmSync(fifo);
    fs.symlinkSync('/dev/null', fifo);
    assert.throws(() => openRunLog(fifo, true), /log\.txt is a symbolic link, not the run's log/);
    fs.rmSync(fifo);
    const log = openRunLog(fifo, true);
    log.record('one line');
    log.close();
    assert.match(fs.readFileSync(fifo, 'utf8'), /one line\n$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
let dir: string;
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-test-')); });
after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

describe('readRegularFile', () => {
  test('reads a regular file whole', () => {
    const p = path.join(dir, 'a.bin');
    fs.writeFileSync(p, Buffer.from([1, 2, 3, 250]));
    assert.deepEqual([...readRegularFile(p, 'a table', 100)], [1, 2, 3, 250]);
  });

  test('missing file and folder are one-line errors', () => {
    const missing = path.join(dir, 'nope.csv');
    throwsUser(() => readRegularFile(missing, 'a table', 100), missing, 'cannot read a table', 'file not found');
    throwsUser(() => readRegularFile(dir, 'a table', 100), dir, 'is a folder');
  });

  test('a file over the limit is refused, naming the limit', () => {
    const p = path.join(dir, 'big.bin');
    fs.writeFileSync(p, Buffer.alloc(101));
    throwsUser(() => readRegularFile(p, 'a table', 100), p, 'is 101 bytes', 'more than the 100 this file may have');
  });

  test('a FIFO is refused at once, not read (no hang)', { skip: process.platform === 'win32' }, () => {
    const p = path.join(dir, 'fifo');
    execFileSync('mkfifo', [p]);
    throwsUser(() => readRegularFile(p, 'a table', 100), p, 'not a regular file');
  });

  test('a device is refused', { skip: !fs.existsSync('/dev/zero') }, () => {
    throwsUser(() => readRegularFile('/dev/zero', 'a table', 100), '/dev/zero', 'not a regular file');
  });
});
