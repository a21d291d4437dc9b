/**
 * The sweep's runs and what is known of them: the plan and run types, the runs of a plan, what a finished child
 * process means for its run (kept pure for tests), a run folder's previous result, and the sweep's state with its
 * atomically written DIR/sweep.json. The bottom of the sweep modules: it imports none of them (sweep-progress.ts,
 * sweep-slurm.ts and sweep.ts import it), so it also holds what they all share: the CLI that the children run and
 * POSIX shell quoting.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '../io/atomic.js';
import { readResultsOrNull, RESULTS_FILE, type RunResults } from '../io/results.js';
import { readRegularText } from '../util/files.js';
import { PACKAGE_VERSION } from '../util/version.js';

/** sweep.json and the other JSON files a sweep reads are small: anything larger is not one. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** The compiled CLI that the children run. */
export const CLI_PATH = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export type RunStatus = 'pending' | 'running' | 'finished' | 'failed' | 'interrupted';

export interface SweepRun {
  class: number;
  seed: number;
  /** run folder relative to the sweep folder, e.g. `0vsall/seed_1` */
  dir: string;
  status: RunStatus;
  /** finished before this invocation of the sweep (not rerun) */
  skipped?: boolean;
  test_auc?: number | null;
  ae_test_auc?: number | null;
  seconds?: number;
  error?: string;
  exit_code?: number | null;
  exit_signal?: string | null;
  phase?: string;
  epoch?: number;
  n_epochs?: number;
  started_at?: string;
  finished_at?: string;
}

export interface SweepPlan {
  dataset: string;
  /** absolute sweep folder */
  xpDir: string;
  classes: number[];
  seeds: number[];
  jobs: number;
  threads: number;
  /** rerun finished runs too */
  force: boolean;
  /** the train options given on the command line, passed through to every child (flag, value, flag, value, ...) */
  trainArgs: string[];
  /** run folder name for a normal class: `<c>vsall` (or `<c>vs<outliers>` with an explicit --outlier) */
  runDirs: Map<number, string>;
  /** the child's --normal for a class: its index, or its name where a folder dataset has a class named like another's index */
  classArgs?: Map<number, string>;
  /** epochs per run, for progress and ETA */
  epochs: { pretrain: number; train: number };
  /** the command line as typed */
  argv: string[];
  /** 'baseline' where every run is a `deep-svdd baseline` run (sweep --method); else `train` */
  command?: 'baseline';
}

// ------------------------------------------------------------------------------------------------ runs of a plan

/** Every run of the plan, class-major (the order of sweep.json and of the Slurm array). */
export function planRuns(plan: SweepPlan): SweepRun[] {
  const runs: SweepRun[] = [];
  for (const c of plan.classes) {
    for (const s of plan.seeds) runs.push({ class: c, seed: s, dir: `${plan.runDirs.get(c)}/seed_${s}`, status: 'pending' });
  }
  return runs;
}

export function classArg(plan: SweepPlan, cls: number): string {
  return plan.classArgs?.get(cls) ?? String(cls);
}

// ------------------------------------------------------------------------------------------------ run outcome

export function readJsonFile(file: string): Record<string, unknown> | null {
  try { return JSON.parse(readRegularText(file, MAX_JSON_BYTES)) as Record<string, unknown>; } catch { return null; }
}

export function mtimeMs(file: string): number | undefined {
  try { return fs.statSync(file).mtimeMs; } catch { return undefined; }
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export interface ChildExit {
  code: number | null;
  signal: string | null;
  /** the child's last non-empty stderr line */
  lastStderr?: string;
  /** ms since the epoch when the child was started: a results.json written before belongs to an earlier attempt */
  launchedAt: number;
  /** modification time of results.json (ms since the epoch), if it exists */
  resultsMtimeMs?: number;
  /** the sweep was asked to stop */
  stopping: boolean;
}

/** What a finished child process means for its run: the state logic of the sweep, kept pure for tests. */
export function runOutcome(results: Partial<RunResults> | null, exit: ChildExit): Pick<SweepRun, 'status' | 'test_auc' | 'ae_test_auc' | 'error'> {
  const fresh = results !== null && exit.resultsMtimeMs !== undefined && exit.resultsMtimeMs >= exit.launchedAt - 1000;
  const r = fresh ? results : null;
  if (r?.status === 'finished') return { status: 'finished', test_auc: num(r.test_auc), ae_test_auc: num(r.ae_test_auc) };
  const stderr = exit.lastStderr?.replace(/^deep-svdd:\s*/, '').trim();
  const why = r?.error || stderr
    || (exit.signal ? `killed by ${exit.signal}` : `exited with code ${String(exit.code)} without a finished results.json`);
  // interrupted by the sweep's own stop: redone by the next sweep; stopped by anything else: a failure like any other
  if (exit.stopping) return { status: 'interrupted', error: why, ae_test_auc: num(r?.ae_test_auc) };
  return { status: 'failed', error: why, ae_test_auc: num(r?.ae_test_auc) };
}

/** A run folder's previous result: finished (with its AUCs) or not. */
export function previousRun(xpDir: string, run: SweepRun): Partial<SweepRun> | null {
  const r = readResultsOrNull(path.join(xpDir, run.dir, RESULTS_FILE));
  if (r?.status !== 'finished') return null;
  return { status: 'finished', skipped: true, test_auc: num(r.test_auc), ae_test_auc: num(r.ae_test_auc), seconds: num(r.timings_s?.total_s) ?? undefined,
    finished_at: r.finished_at };
}

// ------------------------------------------------------------------------------------------------ state

/** Quotes a word for POSIX shells when it needs it. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface Counts { total: number; finished: number; skipped: number; running: number; failed: number; interrupted: number; pending: number }

export function countRuns(runs: SweepRun[]): Counts {
  const c: Counts = { total: runs.length, finished: 0, skipped: 0, running: 0, failed: 0, interrupted: 0, pending: 0 };
  for (const r of runs) {
    c[r.status]++;
    if (r.skipped) c.skipped++;
  }
  return c;
}

/** The sweep's state and DIR/sweep.json. */
export class SweepState {
  readonly runs: SweepRun[];
  status: 'running' | 'finished' | 'failed' | 'interrupted' = 'running';
  readonly startedAt = new Date();
  private readonly history: unknown[];
  private lastSave = 0;

  constructor(readonly plan: SweepPlan, runs: SweepRun[]) {
    this.runs = runs;
    const prev = readJsonFile(this.file);
    const h = Array.isArray(prev?.history) ? (prev!.history as unknown[]) : [];
    if (prev && typeof prev.started_at === 'string') {
      h.push({ started_at: prev.started_at, finished_at: prev.finished_at ?? null, status: prev.status, command: prev.command, counts: prev.counts });
    }
    this.history = h.slice(-50);
  }

  get file(): string { return path.join(this.plan.xpDir, 'sweep.json'); }

  counts(): Counts { return countRuns(this.runs); }

  toJSON(): Record<string, unknown> {
    const counts = this.counts();
    const aucs = this.runs.map((r) => (r.status === 'finished' ? r.test_auc : null)).filter((v): v is number => typeof v === 'number');
    return {
      status: this.status,
      command: ['deep-svdd', ...this.plan.argv].map(shellQuote).join(' '),
      argv: this.plan.argv,
      cwd: process.cwd(),
      pid: process.pid,
      deep_svdd_version: PACKAGE_VERSION,
      started_at: this.startedAt.toISOString(),
      updated_at: new Date().toISOString(),
      finished_at: this.status === 'running' ? null : new Date().toISOString(),
      options: {
        dataset: this.plan.dataset, classes: this.plan.classes, seeds: this.plan.seeds, jobs: this.plan.jobs, threads: this.plan.threads,
        force: this.plan.force, xp_dir: this.plan.xpDir, train_args: this.plan.trainArgs, epochs_per_run: this.plan.epochs,
      },
      counts,
      mean_test_auc: aucs.length ? aucs.reduce((a, b) => a + b, 0) / aucs.length : null,
      runs: this.runs,
      history: this.history,
    };
  }

  /** Writes sweep.json atomically; with `throttleMs`, skips the write if the last one was more recent. */
  save(throttleMs = 0): void {
    const now = Date.now();
    if (throttleMs && now - this.lastSave < throttleMs) return;
    this.lastSave = now;
    writeJsonAtomic(this.file, this.toJSON());
  }
}
