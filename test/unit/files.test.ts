import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRegularFile } from '../../src/util/files.js';
import { throwsUser } from '../helpers/assert.js';

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
    throwsUser(() => readRegularFile(p, 'a table', 100), p, '101 bytes', 'limit of 100 bytes');
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
