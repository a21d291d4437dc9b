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

export interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; wall: number; rss: number; cpu: number }

/** The preload that writes a child's usage; made once per process. */
function usageHook(): string {
  const file = path.join(os.tmpdir(), `deep-svdd-usage-hook-${process.pid}.mjs`);
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, `import fs from 'node:fs';
process.on('exit', () => {
  const u = process.resourceUsage();
  if (process.env.DEEP_SVDD_USAGE_FILE) fs.writeFileSync(process.env.DEEP_SVDD_USAGE_FILE, JSON.stringify({ rss: u.maxRSS * 1024, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6 }));
});
`);
    process.on('exit', () => fs.rmSync(file, { force: true }));
  }
  return file;
}

export interface RunOptions { cwd: string; timeout?: number; env?: Record<string, string> }

/** Runs the CLI with `args` (killed with SIGKILL after `timeout`, default 120 s), with its peak RSS and CPU time. */
export function runCli(args: string[], opts: RunOptions | string): Run {
  const o = typeof opts === 'string' ? { cwd: opts } : opts;
  const usage = path.join(os.tmpdir(), `deep-svdd-usage-${process.pid}.json`);
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', usageHook(), CLI, ...args], {
    cwd: o.cwd, encoding: 'utf8', timeout: o.timeout ?? 120_000, killSignal: 'SIGKILL',
    env: { ...process.env, DEEP_SVDD_DEBUG: '', DEEP_SVDD_USAGE_FILE: usage, ...o.env },
  });
  const wall = (performance.now() - t) / 1000;
  let u = { rss: NaN, cpu: NaN };
  try { u = JSON.parse(fs.readFileSync(usage, 'utf8')) as typeof u; fs.rmSync(usage); } catch { /* killed */ }
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, wall, ...u };
}

/** The command (run in `at.cwd`, default `watch`) fails with one line matching `pattern` and leaves `watch` as it was. */
export function refused(args: string[], pattern: RegExp, watch: string, at: { cwd?: string; timeout?: number } = {}): Run {
  const before = snapshot(watch);
  const r = runCli(args, { cwd: at.cwd ?? watch, timeout: at.timeout });
  const what = args.join(' ');
  assert.equal(r.signal, null, `${what} was killed after ${r.wall.toFixed(1)} s (a hang or a runaway)`);
  assert.notEqual(r.code, 0, `exit code of ${what}\n${r.stdout}${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected for ${what}, got:\n${r.stderr}`);
  assert.match(lines[0], /^deep-svdd: /);
  assert.match(lines[0], pattern);
  assert.equal(r.stdout, '', 'nothing on stdout');
  assertUnchanged(watch, before, `${watch} after ${what}`);
  return r;
}

/** Refused quickly and cheaply: at most 5 s of CPU time and 500 MB of memory (and no hang: killed after 30 s). */
export function refusedCheaply(args: string[], pattern: RegExp, watch: string, at: { cwd?: string } = {}): Run {
  const r = refused(args, pattern, watch, { ...at, timeout: 30_000 });
  const what = args.join(' ');
  if (process.env.DEEP_SVDD_TEST_USAGE) console.error(`usage ${args.slice(0, 5).join(' ')}: ${r.cpu.toFixed(2)} s CPU, ${r.wall.toFixed(2)} s wall, ${(r.rss / 1024 ** 2).toFixed(0)} MB`);
  assert.ok(r.cpu < 5, `${what}: ${r.cpu.toFixed(2)} s of CPU time`);
  assert.ok(r.rss < 500 * 1024 ** 2, `${what}: peak RSS ${(r.rss / 1024 ** 2).toFixed(0)} MB`);
  assert.ok(r.wall < 30, `${what}: ${r.wall.toFixed(1)} s wall time`);
  return r;
}
