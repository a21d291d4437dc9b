import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_VERSION, sourceCommit } from '../../src/util/version.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test('sourceCommit names the checkout\'s HEAD (results.json code_commit), undefined outside git', () => {
  assert.match(PACKAGE_VERSION, /^\d+\.\d+\.\d+/);
  const c = sourceCommit();
  if (!existsSync(path.join(root, '.git'))) {
    assert.equal(c, undefined);
    return;
  }
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  assert.ok(c === head || c === `${head}-dirty`, `${c} is not ${head}`);
});

test('sourceCommit runs git without its optional locks: no .git/index.lock, no collision with the user\'s git', () => {
  if (!existsSync(path.join(root, '.git'))) return;
  // a git on PATH that records how it is called, then runs the real one
  const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(path.join(tmpdir(), 'deep-svdd-git-'));
  const log = path.join(dir, 'calls.log');
  writeFileSync(path.join(dir, 'git'), `#!/bin/sh\necho "GIT_OPTIONAL_LOCKS=$GIT_OPTIONAL_LOCKS $*" >> "${log}"\nexec "${real}" "$@"\n`);
  chmodSync(path.join(dir, 'git'), 0o755);
  const saved = process.env.PATH;
  process.env.PATH = `${dir}${path.delimiter}${saved ?? ''}`;
  try {
    const c = sourceCommit();
    assert.ok(c !== undefined, 'the commit is still found');
  } finally {
    process.env.PATH = saved;
  }
  const calls = readFileSync(log, 'utf8').trim().split('\n');
  assert.ok(calls.some((l) => / status /.test(l)), `git status ran: ${calls.join(' | ')}`);
  for (const l of calls) {
    assert.match(l, /^GIT_OPTIONAL_LOCKS=0 --no-optional-locks /, `git called with optional locks: ${l}`);
  }
  rmSync(dir, { recursive: true, force: true });
});
