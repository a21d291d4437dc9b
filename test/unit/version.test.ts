import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
