/**
 * Running the built CLI as a hostile user would, for the hardening tests: each child reports its peak RSS and CPU
 * time; `refused` checks one line on stderr, a non-zero exit, nothing on stdout and every file of `watch` unchanged;
 * `refusedCheaply` adds the bounds (5 s of CPU, 500 MB, 30 s of wall time).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertUnchanged, snapshot } from './snapshot.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = path.join(root, 'dist/src/cli/main.js');

export interface Run { code: number | null; stdout: string; stderr: string; wall: number; rss: number; cpu: number }

/** The preload that writes a child's usage; made once per test folder. */
function usageHook(dir: string): string {
  const file = path.join(dir, 'usage-hook.mjs');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, `import fs from 'node:fs';
process.on('exit', () => {
  const u = process.resourceUsage();
  if (process.env.DEEP_SVDD_USAGE_FILE) fs.writeFileSync(process.env.DEEP_SVDD_USAGE_FILE, JSON.stringify({ rss: u.maxRSS * 1024, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6 }));
});
`);
  }
  return file;
}

export function runCli(args: string[], cwd: string): Run {
  const usage = path.join(os.tmpdir(), `deep-svdd-usage-${process.pid}.json`);
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', usageHook(os.tmpdir()), CLI, ...args], {
    cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, DEEP_SVDD_DEBUG: '', DEEP_SVDD_USAGE_FILE: usage },
  });
  const wall = (performance.now() - t) / 1000;
  let u = { rss: NaN, cpu: NaN };
  try { u = JSON.parse(fs.readFileSync(usage, 'utf8')) as typeof u; fs.rmSync(usage); } catch { /* killed */ }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, wall, ...u };
}

/** The command fails with one line matching `pattern` and leaves `watch` as it was. */
export function refused(args: string[], pattern: RegExp, watch: string): Run {
  const before = snapshot(watch);
  const r = runCli(args, watch);
  assert.notEqual(r.code, 0, `exit code of ${args.join(' ')}\n${r.stdout}${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected for ${args.join(' ')}, got:\n${r.stderr}`);
  assert.match(lines[0], /^deep-svdd: /);
  assert.match(lines[0], pattern);
  assert.equal(r.stdout, '', 'nothing on stdout');
  assertUnchanged(watch, before, `${watch} after ${args.join(' ')}`);
  return r;
}

/** Refused quickly and cheaply: at most 5 s of CPU time and 500 MB of memory (and no hang: 30 s wall). */
export function refusedCheaply(args: string[], pattern: RegExp, watch: string): void {
  const r = refused(args, pattern, watch);
  assert.ok(r.cpu < 5, `${args.join(' ')}: ${r.cpu.toFixed(2)} s of CPU time`);
  assert.ok(r.rss < 500 * 1024 ** 2, `${args.join(' ')}: peak RSS ${(r.rss / 1024 ** 2).toFixed(0)} MB`);
  assert.ok(r.wall < 30, `${args.join(' ')}: ${r.wall.toFixed(1)} s wall time`);
}
