/**
 * Folder snapshots for "nothing changed" checks: every file below a folder (recursively) with the SHA-256 of its
 * content, and every folder. `assertUnchanged` fails when a file was changed, removed or added (temporary files
 * included) or a folder appeared or went.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type Snapshot = Map<string, string>;

/** Relative path → 'sha256:<hex>' for files, 'dir' for folders ('.' is `dir` itself); empty when `dir` does not exist. */
export function snapshot(dir: string): Snapshot {
  const out: Snapshot = new Map();
  if (!fs.existsSync(dir)) return out;
  out.set('.', 'dir');
  const walk = (rel: string) => {
    for (const ent of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) {
        out.set(r, 'dir');
        walk(r);
      } else {
        out.set(r, `sha256:${createHash('sha256').update(fs.readFileSync(path.join(dir, r))).digest('hex')}`);
      }
    }
  };
  walk('');
  return out;
}

/** Asserts that `dir` holds exactly what `before` recorded, byte for byte. */
export function assertUnchanged(dir: string, before: Snapshot, what = dir): void {
  const after = snapshot(dir);
  const changed = [...before].filter(([k, v]) => after.get(k) !== v).map(([k]) => (after.has(k) ? `changed ${k}` : `removed ${k}`));
  const added = [...after.keys()].filter((k) => !before.has(k)).map((k) => `added ${k}`);
  assert.deepEqual([...changed, ...added], [], `${what} changed`);
}
