/** src/io/output-path.ts: the one rule for files a command writes at a path the user named. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { checkOutputPath } from '../../src/io/output-path.js';
import { UserError } from '../../src/util/errors.js';

test('checkOutputPath: new files pass; links, folders, inputs (any spelling), input folders and unforced replacements are refused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-out-'));
  const refused = (file: string, force: boolean, pattern: RegExp, inputs: string[] = []) =>
    assert.throws(() => checkOutputPath(file, { option: '--out', force, inputs }), (e: unknown) => e instanceof UserError && pattern.test(e.message));
  try {
    const input = path.join(dir, 'in.png');
    const models = path.join(dir, 'model');
    fs.writeFileSync(input, 'png');
    fs.mkdirSync(models);
    const inputs = [input, models];
    assert.equal(checkOutputPath(path.join(dir, 'new', 'a.csv'), { option: '--out', force: false, inputs }), path.join(dir, 'new', 'a.csv'));
    refused('', true, /--out is empty/);
    refused(dir, true, /is a folder/);
    refused(input, true, /which this command reads: it is never replaced/, inputs);
    refused(path.join(dir, '.', 'sub', '..', 'in.png'), true, /which this command reads/, inputs); // another spelling
    refused(path.join(models, 'x', 'y.csv'), true, /is inside .*model, which this command reads/, inputs);
    fs.symlinkSync(dir, path.join(dir, 'alias'));
    refused(path.join(dir, 'alias', 'model', 'weights.bin'), true, /is inside/, inputs); // through a linked folder
    fs.symlinkSync(input, path.join(dir, 'link.csv'));
    refused(path.join(dir, 'link.csv'), true, /is a symbolic link/);
    fs.writeFileSync(path.join(dir, 'old.csv'), 'x');
    refused(path.join(dir, 'old.csv'), false, /already exists: pass --force 1/);
    assert.equal(checkOutputPath(path.join(dir, 'old.csv'), { option: '--out', force: true, inputs }), path.join(dir, 'old.csv'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
