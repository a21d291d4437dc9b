/**
 * Folder snapshots for "nothing changed" checks: every file below a folder (recursively) with the SHA-256 of its
 * content, and every folder; links as their target (and the content of a regular file they name), FIFOs, sockets and
 * devices by their kind alone (they are never read). `assertUnchanged` fails when a file was changed, removed or added (temporary files
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
      } else if (ent.isFile()) {
        out.set(r, hashOf(path.join(dir, r)));
      } else if (ent.isSymbolicLink()) {
        // the link itself (never followed into a device or a FIFO), and the content of a regular file it names
        const p = path.join(dir, r);
        let target = '';
        try { if (fs.statSync(p).isFile()) target = ` ${hashOf(p)}`; } catch { /* dangling */ }
        out.set(r, `link:${fs.readlinkSync(p)}${target}`);
      } else {
        out.set(r, ent.isFIFO() ? 'fifo' : ent.isSocket() ? 'socket' : 'device'); // never read: it could block or never end
      }
    }
  };
  walk('');
  return out;
}

function hashOf(file: string): string {
  return `sha256:${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
}

/** Asserts that `dir` holds exactly what `before` recorded, byte for byte. */
export function assertUnchanged(dir: string, before: Snapshot, what = dir): void {
  const after = snapshot(dir);
  const changed = [...before].filter(([k, v]) => after.get(k) !== v).map(([k]) => (after.has(k) ? `changed ${k}` : `removed ${k}`));
  const added = [...after.keys()].filter((k) => !before.has(k)).map((k) => `added ${k}`);
  assert.deepEqual([...changed, ...added], [], `${what} changed`);
}
