// Dependencies point one way: src/backend imports only itself, src/util and packages (never src/nn or above); and no
// file cites a document outside the repository.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every relative import of the TypeScript files under `dir`, resolved to a path relative to src/. */
function relativeImports(dir: string): Array<{ file: string; target: string }> {
  const out: Array<{ file: string; target: string }> = [];
  for (const f of fs.readdirSync(path.join(root, dir), { recursive: true }) as string[]) {
    if (!f.endsWith('.ts') || f.split(path.sep).includes('assembly')) continue;
    const file = path.join(dir, f);
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      out.push({ file, target: path.relative(path.join(root, 'src'), path.resolve(path.dirname(path.join(root, file)), m[1])) });
    }
  }
  return out;
}

test('src/backend imports nothing above it (only src/backend and src/util)', () => {
  const imports = relativeImports('src/backend');
  assert.ok(imports.length > 10, 'the scan finds the imports');
  const bad = imports.filter((i) => !/^(backend|util)\//.test(i.target));
  assert.deepEqual(bad, []);
});

test('no file cites a document outside the repository', () => {
  const bad: string[] = [];
  for (const dir of ['src', 'test', 'bench', 'scripts']) {
    for (const f of fs.readdirSync(path.join(root, dir), { recursive: true }) as string[]) {
      if (!/\.(ts|mjs|sh|md)$/.test(f)) continue;
      const text = fs.readFileSync(path.join(root, dir, f), 'utf8');
      if (/shared\/reference|\.\.\/shared\//.test(text)) bad.push(path.join(dir, f));
    }
  }
  assert.deepEqual(bad, []);
});
