/**
 * `deep-svdd sweep`: every (normal class, seed) pair as its own `deep-svdd train` child process, N at a time.
 *
 * - Resumable: a run whose results.json says "finished" is skipped; an interrupted run with a checkpoint continues
 *   with `--resume 1`; anything else is (re)started with `--force 1`.
 * - A failed run is recorded (results.json's error, else the child's last stderr line) and the others go on.
 * - SIGINT / SIGTERM are forwarded once to the children (each stops after its current batch and keeps its files);
 *   the sweep waits for them, writes its state and exits non-zero. A second signal is forwarded again (the children
 *   then exit at once).
 * - DIR/sweep.json (written atomically as runs start, progress and finish) holds the command line, the options and
 *   every run's status, AUC and seconds.
 * - `--emit slurm` writes DIR/sweep.sbatch (a job array, one task per run) instead of running anything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { buildTrainConfig } from '../config/build.js';
import { TRAIN_OPTIONS, type TrainConfig } from '../config/options.js';
import { DATASET_INFO } from '../data/datasets.js';
import { scanFolderClasses } from '../data/folder.js';
import { parseClassList, resolveClasses } from '../data/select.js';
import { ensureDir, ioError, writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { CHECKPOINT_FILE } from '../io/checkpoint.js';
import { UserError } from '../util/errors.js';
import { PACKAGE_VERSION } from '../util/version.js';

/** Train options the sweep sets itself for every run (not passed through from the command line). */
export const SWEEP_SET_KEYS = ['normal', 'seed', 'xpDir'] as const;

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
}

// ------------------------------------------------------------------------------------------------ planning

/** Parses `0-9`, `1,3,5`, `0-2,7` into distinct integers in the given order; throws a one-line UserError. */
export function parseIntList(raw: string, flag: string, min: number, max: number): number[] {
  const out: number[] = [];
  const bad = (why: string) => new UserError(`${flag} ${raw} is invalid: ${why}`);
  const items = String(raw).split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw bad('use comma-separated whole numbers or ranges such as 0-9');
  for (const item of items) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(item);
    if (!m) throw bad('use comma-separated whole numbers or ranges such as 0-9');
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw bad(`the range ${item} is backwards; write ${b}-${a}`);
    if (a < min || b > max) throw bad(`values must lie in ${min}..${max}`);
    if (b - a > 100_000) throw bad('the range is too large');
    for (let v = a; v <= b; v++) if (!out.includes(v)) out.push(v);
  }
  return out;
}

/**
 * `--classes`: indices, ranges (`0-9`) and, where the classes have names (CIFAR-10, folder datasets), names (`cat`),
 * comma-separated; distinct, in the given order.
 */
export function parseClassSelection(raw: string, classNames: readonly string[]): number[] {
  const n = classNames.length;
  const names = classNames.every((c, i) => c === String(i)) ? undefined : classNames;
  const items = String(raw).split(',').map((s) => s.trim());
  const out: number[] = [];
  const add = (v: number) => { if (!out.includes(v)) out.push(v); };
  for (const item of items) {
    const named = names && item ? names.indexOf(item) : -1;
    if (named >= 0) add(named);
    else if (item === '' || item === '-1' || /^\d+(\s*-\s*\d+)?$/.test(item) || !names) {
      if (item === '-1') throw new UserError(`--classes ${raw} is invalid: list the normal classes (each one is trained against all others), e.g. 0-${n - 1}`);
      for (const v of parseIntList(item === '' ? raw : item, '--classes', 0, n - 1)) add(v);
    } else {
      for (const v of parseClassList(item, n, '--classes', names)) add(v); // an unknown name: its one-line error
    }
  }
  return out;
}

function parsePositiveInt(raw: unknown, flag: string): number {
  const s = String(raw).trim();
  if (!/^\d+$/.test(s) || Number(s) < 1) throw new UserError(`${flag} ${String(raw)} is invalid: use a whole number ≥ 1`);
  return Number(s);
}

/** Run folder name of a normal class. */
export function runDirName(cls: number, outlier: number[]): string {
  return `${cls}vs${outlier[0] === -1 ? 'all' : outlier.join('+')}`;
}

/**
 * From the sweep command's parsed options to a validated plan. `given(key)` says whether a train option was typed on
 * the command line (only those are passed to the children, so that each child applies its own dataset defaults).
 */
export function planSweep(opts: Record<string, unknown>, given: (key: string) => boolean, argv: string[] = process.argv.slice(2)): SweepPlan {
  const raw: Record<string, string> = {};
  const trainArgs: string[] = [];
  for (const spec of TRAIN_OPTIONS) {
    if ((SWEEP_SET_KEYS as readonly string[]).includes(spec.key) || spec.key === 'threads' || spec.key === 'force') continue;
    if (!given(spec.key) || opts[spec.key] === undefined) continue;
    raw[spec.key] = String(opts[spec.key]);
    trainArgs.push(spec.flag, raw[spec.key]);
  }
  const threadsSpec = TRAIN_OPTIONS.find((s) => s.key === 'threads');
  const threadsRaw = opts.threads === undefined ? String(threadsSpec?.def ?? 1) : String(opts.threads);
  const forceRaw = opts.force === undefined ? '0' : String(opts.force).trim();
  if (!['0', '1', 'true', 'false'].includes(forceRaw)) throw new UserError(`--force ${forceRaw} is invalid: use 0 or 1`);
  const dataset = raw.dataset ?? String(opts.dataset ?? 'mnist');
  // the options every run shares, checked once (with class 0), then the class names for --classes
  buildTrainConfig({ ...raw, threads: threadsRaw, normal: '0', seed: '1', xpDir: 'x' });
  const classNames = dataset === 'folder' ? scanFolderClasses(String(raw.dataDir)) : DATASET_INFO[dataset]?.classNames;
  if (!classNames) throw new UserError(`--dataset ${dataset} is not known: use one of ${Object.keys(DATASET_INFO).join(', ')}`);
  const nClasses = classNames.length;
  const classes = opts.classes === undefined ? classNames.map((_, i) => i) : parseClassSelection(String(opts.classes), classNames);
  // train's --normal reads an item equal to a class name as that class: "1" is the folder named 1, wherever it sorts
  const classArgs = new Map(classes.map((c) => [c, [-1, c].includes(classNames.indexOf(String(c))) ? String(c) : classNames[c]]));
  const seeds = parseIntList(opts.seeds === undefined ? '1-10' : String(opts.seeds), '--seeds', 0, 2 ** 31 - 1);
  const threadsGuess = /^\d+$/.test(threadsRaw.trim()) ? Math.max(1, Number(threadsRaw)) : 1;
  // default: fill the cores, each run using --threads of them
  const jobs = opts.jobs === undefined ? Math.max(1, Math.floor(os.availableParallelism() / threadsGuess)) : parsePositiveInt(opts.jobs, '--jobs');
  const xpDir = path.resolve(opts.xpDir === undefined ? path.join('log', `sweep_${dataset}`) : String(opts.xpDir));

  // validate every run's options now, so that a typo fails once instead of in every child
  const runDirs = new Map<number, string>();
  let first: TrainConfig | undefined;
  for (const c of classes) {
    let cfg: TrainConfig;
    try {
      cfg = buildTrainConfig({ ...raw, threads: threadsRaw, normal: classArgs.get(c)!, seed: String(seeds[0]), xpDir: path.join(xpDir, 'x') });
      resolveClasses(cfg.normal, cfg.outlier, nClasses);
    } catch (e) {
      if (first === undefined || !(e instanceof UserError)) throw e;
      throw new UserError(`--classes ${c}: ${e.message}`, e.exitCode);
    }
    first ??= cfg;
    runDirs.set(c, runDirName(c, cfg.outlier));
  }
  const cfg = first!;
  const auto = cfg.loss === 'autoencoder';
  return {
    dataset, xpDir, classes, seeds, jobs, threads: cfg.threads, force: forceRaw === '1' || forceRaw === 'true', trainArgs, runDirs, classArgs,
    epochs: { pretrain: auto ? cfg.nEpochs : cfg.pretrain ? cfg.aeNEpochs : 0, train: auto ? 0 : cfg.nEpochs },
    argv,
  };
}

/** Every run of the plan, class-major (the order of sweep.json and of the Slurm array). */
export function planRuns(plan: SweepPlan): SweepRun[] {
  const runs: SweepRun[] = [];
  for (const c of plan.classes) {
    for (const s of plan.seeds) runs.push({ class: c, seed: s, dir: `${plan.runDirs.get(c)}/seed_${s}`, status: 'pending' });
  }
  return runs;
}

function classArg(plan: SweepPlan, cls: number): string {
  return plan.classArgs?.get(cls) ?? String(cls);
}

/** The arguments after `node <cli>` for one run. */
export function childArgs(plan: SweepPlan, run: SweepRun): string[] {
  const xp = path.join(plan.xpDir, run.dir);
  // an interrupted run with a checkpoint continues where it stopped; anything else starts again
  const resume = !plan.force && fs.existsSync(path.join(xp, CHECKPOINT_FILE));
  return ['train', ...plan.trainArgs, '--normal', classArg(plan, run.class), '--seed', String(run.seed), '--threads', String(plan.threads),
    '--xp-dir', xp, ...(resume ? ['--resume', '1'] : ['--force', '1'])];
}

// ------------------------------------------------------------------------------------------------ run outcome

export function readJsonFile(file: string): Record<string, unknown> | null {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>; } catch { return null; }
}

function mtimeMs(file: string): number | undefined {
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
export function runOutcome(results: Record<string, unknown> | null, exit: ChildExit): Pick<SweepRun, 'status' | 'test_auc' | 'ae_test_auc' | 'error'> {
  const fresh = results !== null && exit.resultsMtimeMs !== undefined && exit.resultsMtimeMs >= exit.launchedAt - 1000;
  const r = fresh ? results : null;
  if (r?.status === 'finished') return { status: 'finished', test_auc: num(r.test_auc), ae_test_auc: num(r.ae_test_auc) };
  const stderr = exit.lastStderr?.replace(/^deep-svdd:\s*/, '').trim();
  const why = (typeof r?.error === 'string' && r.error) || stderr
    || (exit.signal ? `killed by ${exit.signal}` : `exited with code ${String(exit.code)} without a finished results.json`);
  // interrupted by the sweep's own stop: redone by the next sweep; stopped by anything else: a failure like any other
  if (exit.stopping) return { status: 'interrupted', error: why, ae_test_auc: num(r?.ae_test_auc) };
  return { status: 'failed', error: why, ae_test_auc: num(r?.ae_test_auc) };
}

/** A run folder's previous result: finished (with its AUCs) or not. */
export function previousRun(xpDir: string, run: SweepRun): Partial<SweepRun> | null {
  const r = readJsonFile(path.join(xpDir, run.dir, 'results.json'));
  if (r?.status !== 'finished') return null;
  const t = r.timings_s as Record<string, unknown> | undefined;
  return { status: 'finished', skipped: true, test_auc: num(r.test_auc), ae_test_auc: num(r.ae_test_auc), seconds: num(t?.total_s) ?? undefined,
    finished_at: typeof r.finished_at === 'string' ? r.finished_at : undefined };
}

// ------------------------------------------------------------------------------------------------ state

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

// ------------------------------------------------------------------------------------------------ progress text

export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  s = Math.round(s);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  if (m < 60) return `${m}m`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The fraction of a running run's epochs that are done. */
export function runFraction(run: SweepRun, epochs: { pretrain: number; train: number }): number {
  const total = epochs.pretrain + epochs.train;
  if (!total || !run.phase || run.epoch === undefined) return 0;
  const done = run.phase === 'pretrain' ? run.epoch : epochs.pretrain + run.epoch;
  return Math.min(1, done / total);
}

/**
 * Seconds left, from this invocation's rate of work: a finished run counts 1, a running one the fraction of its epochs
 * done; runs finished before and failed runs are left out. Null until there is something to go on.
 */
export function estimateEta(runs: SweepRun[], epochs: { pretrain: number; train: number }, elapsedS: number): number | null {
  let done = 0;
  let todo = 0;
  for (const r of runs) {
    if (r.skipped || r.status === 'failed') continue;
    todo += 1;
    if (r.status === 'finished') done += 1;
    else if (r.status === 'running') done += runFraction(r, epochs);
  }
  if (done < 1e-3 || elapsedS < 1) return null;
  return ((todo - done) * elapsedS) / done;
}

export function runLabel(run: SweepRun): string {
  return `${run.dir.split('/')[0]} seed ${run.seed}`;
}

function runActivity(run: SweepRun): string {
  return run.phase ? `${run.phase} epoch ${run.epoch ?? 0}/${run.n_epochs ?? '?'}` : 'starting';
}

export function statusLine(state: SweepState, elapsedS: number): string {
  const c = state.counts();
  const eta = estimateEta(state.runs, state.plan.epochs, elapsedS);
  const running = state.runs.filter((r) => r.status === 'running');
  const shown = running.slice(0, 3).map((r) => `${runLabel(r)}: ${runActivity(r)}`);
  if (running.length > 3) shown.push(`+${running.length - 3} more`);
  const parts = [`[sweep] ${c.finished}/${c.total} done, ${c.running} running, ${c.failed} failed`];
  if (shown.length) parts.push(shown.join('; '));
  parts.push(`ETA ${eta === null ? '?' : formatDuration(eta)}`);
  return parts.join(' — ');
}

function pct(v: number | null | undefined): string {
  return typeof v === 'number' ? `${(100 * v).toFixed(2)}%` : 'n/a';
}

export function endLine(state: SweepState, run: SweepRun): string {
  const where = path.join(state.plan.xpDir, run.dir);
  const took = run.seconds !== undefined ? ` in ${formatDuration(run.seconds)}` : '';
  if (run.status === 'finished') {
    return `[sweep] finished ${runLabel(run)}: test AUC ${pct(run.test_auc)}${run.ae_test_auc != null ? ` (autoencoder ${pct(run.ae_test_auc)})` : ''}${took}`;
  }
  if (run.status === 'interrupted') return `[sweep] interrupted ${runLabel(run)}${took}: files kept in ${where}; rerun the sweep to redo it`;
  return `[sweep] FAILED ${runLabel(run)}${took}: ${run.error ?? 'unknown error'} (see ${path.join(where, 'log.txt')})`;
}

interface Progress {
  started(run: SweepRun): void;
  progressed(run: SweepRun): void;
  ended(run: SweepRun): void;
  note(line: string): void;
  stop(): void;
}

/** Plain lines for logs and CI: a status line at most every `everyMs`, one line per finished run. */
class PlainProgress implements Progress {
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly state: SweepState, private readonly t0: number, everyMs = 10_000) {
    this.timer = setInterval(() => {
      if (this.state.counts().running) this.note(statusLine(this.state, (Date.now() - this.t0) / 1000));
    }, everyMs);
    this.timer.unref();
  }
  started(): void { /* the periodic line shows it */ }
  progressed(): void { /* the periodic line shows it */ }
  ended(run: SweepRun): void { this.note(endLine(this.state, run)); }
  note(line: string): void { process.stderr.write(`${line}\n`); }
  stop(): void { clearInterval(this.timer); }
}

/** cli-progress bars on a terminal: the sweep overall, and one bar per running job. */
class BarProgress implements Progress {
  private readonly multi: cliProgress.MultiBar;
  private readonly overall: cliProgress.SingleBar;
  private readonly bars = new Map<SweepRun, cliProgress.SingleBar>();
  private readonly timer: NodeJS.Timeout;
  private readonly width: number;

  constructor(private readonly state: SweepState, private readonly t0: number) {
    this.multi = new cliProgress.MultiBar({
      stream: process.stderr, hideCursor: true, clearOnComplete: false, autopadding: true, barsize: 30, fps: 5,
      format: (options, params, payload: Record<string, string>) => {
        const size = options.barsize ?? 30;
        const filled = Math.round(Math.max(0, Math.min(1, params.progress)) * size);
        const bar = '█'.repeat(filled) + '░'.repeat(size - filled);
        return payload.kind === 'overall'
          ? `${'sweep'.padEnd(this.width)} ${bar} ${params.value}/${params.total} done | ${payload.running} running | ${payload.failed} failed | ETA ${payload.etaText}`
          : `${payload.name.padEnd(this.width)} ${bar} ${payload.activity}`;
      },
    }, cliProgress.Presets.shades_classic);
    this.width = Math.max(5, ...state.runs.map((r) => runLabel(r).length));
    const c = state.counts();
    this.overall = this.multi.create(c.total, c.finished, this.overallPayload());
    this.timer = setInterval(() => this.refresh(), 1000);
    this.timer.unref();
  }

  private overallPayload(): Record<string, string> {
    const c = this.state.counts();
    const eta = estimateEta(this.state.runs, this.state.plan.epochs, (Date.now() - this.t0) / 1000);
    return { kind: 'overall', running: String(c.running), failed: String(c.failed), etaText: eta === null ? '?' : formatDuration(eta) };
  }

  private refresh(): void { this.overall.update(this.state.counts().finished, this.overallPayload()); }

  started(run: SweepRun): void {
    const e = this.state.plan.epochs;
    this.bars.set(run, this.multi.create(Math.max(1, e.pretrain + e.train), 0, { kind: 'run', name: runLabel(run), activity: runActivity(run) }));
    this.refresh();
  }

  progressed(run: SweepRun): void {
    const e = this.state.plan.epochs;
    this.bars.get(run)?.update(Math.round(runFraction(run, e) * Math.max(1, e.pretrain + e.train)), { kind: 'run', name: runLabel(run), activity: runActivity(run) });
  }

  ended(run: SweepRun): void {
    const bar = this.bars.get(run);
    if (bar) { this.multi.remove(bar); this.bars.delete(run); }
    this.note(endLine(this.state, run));
    this.refresh();
  }

  note(line: string): void { this.multi.log(`${line}\n`); }

  stop(): void {
    clearInterval(this.timer);
    this.refresh();
    this.multi.stop();
  }
}

// ------------------------------------------------------------------------------------------------ lock

/** One sweep at a time per folder: DIR/.sweep.lock holds the owner's pid (created with link(2), so exclusively). */
function acquireLock(dir: string): () => void {
  const lock = path.join(dir, '.sweep.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    const tmp = path.join(dir, `.sweep.lock.${process.pid}.tmp`);
    try {
      fs.writeFileSync(tmp, `${process.pid}\n`);
      fs.linkSync(tmp, lock);
      fs.rmSync(tmp, { force: true });
      return () => { try { if (fs.readFileSync(lock, 'utf8').trim() === String(process.pid)) fs.rmSync(lock, { force: true }); } catch { /* gone */ } };
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(e, lock);
      const pid = Number(fs.readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new UserError(`another sweep (pid ${pid}) is running in ${dir}: wait for it or stop it (kill -INT ${pid}) before starting this one`);
      }
      fs.rmSync(lock, { force: true }); // stale: its owner is gone
    }
  }
  throw new UserError(`cannot lock ${lock}: remove it if no sweep is running in ${dir}`);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

// ------------------------------------------------------------------------------------------------ running

const EPOCH_LINE = /^\[(pretrain|train)\] epoch (\d+)\/(\d+)\b/;

/** Runs the sweep locally. Resolves when every run finished; throws a UserError when runs failed or on a signal. */
export async function runSweep(plan: SweepPlan, o: { progress?: 'auto' | 'bars' | 'plain'; statusEveryMs?: number } = {}): Promise<SweepState> {
  ensureDir(plan.xpDir);
  const release = acquireLock(plan.xpDir);
  try {
    return await runLocked(plan, o);
  } finally {
    release();
  }
}

async function runLocked(plan: SweepPlan, o: { progress?: 'auto' | 'bars' | 'plain'; statusEveryMs?: number }): Promise<SweepState> {
  const runs = planRuns(plan);
  for (const run of runs) {
    const prev = plan.force ? null : previousRun(plan.xpDir, run);
    if (prev) Object.assign(run, prev);
  }
  const state = new SweepState(plan, runs);
  state.save();
  const c0 = state.counts();
  const say = (line: string) => process.stderr.write(`${line}\n`);
  say(`[sweep] ${c0.total} run${c0.total === 1 ? '' : 's'} (classes ${plan.classes.join(',')} × seeds ${plan.seeds.join(',')}) in ${plan.xpDir}: `
    + `${c0.skipped} finished before (skipped)${c0.skipped < c0.total ? `, ${c0.total - c0.skipped} to run, ${Math.min(plan.jobs, c0.total - c0.skipped)} at a time` : ''}`);
  if (c0.skipped === c0.total) {
    state.status = 'finished';
    state.save();
    say(`[sweep] nothing to do: every run is finished (--force 1 reruns them); summary: deep-svdd report ${shellQuote(plan.xpDir)}`);
    return state;
  }

  // seed-major order, so that every class gets a first result early
  const queue = plan.seeds.flatMap((s) => runs.filter((r) => r.seed === s && !r.skipped));
  const running = new Map<SweepRun, ChildProcess>();
  const t0 = Date.now();
  const mode = o.progress ?? 'auto';
  const progress: Progress = mode === 'bars' || (mode === 'auto' && process.stderr.isTTY)
    ? new BarProgress(state, t0) : new PlainProgress(state, t0, o.statusEveryMs);
  let stopping: NodeJS.Signals | null = null;
  let signals = 0;

  const killAll = () => { for (const child of running.values()) { try { child.kill('SIGTERM'); } catch { /* gone */ } } };
  const onSignal = (sig: NodeJS.Signals) => {
    const forward: NodeJS.Signals = sig === 'SIGHUP' ? 'SIGTERM' : sig;
    signals++;
    stopping ??= forward;
    progress.note(signals === 1
      ? `[sweep] ${sig}: stopping ${running.size} running run(s) after their current batch, starting no more; finished runs are kept (send again to stop them at once)`
      : `[sweep] second ${sig}: stopping the running runs at once`);
    for (const child of running.values()) { try { child.kill(forward); } catch { /* gone */ } }
    state.save();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('exit', killAll);

  try {
    await new Promise<void>((resolve) => {
      const pump = () => {
        while (!stopping && running.size < plan.jobs && queue.length) start(queue.shift()!);
        if (running.size === 0) resolve();
      };
      const start = (run: SweepRun) => {
        const launchedAt = Date.now();
        Object.assign(run, { status: 'running', started_at: new Date(launchedAt).toISOString() });
        for (const k of ['error', 'exit_code', 'exit_signal', 'test_auc', 'ae_test_auc', 'seconds', 'phase', 'epoch', 'n_epochs', 'finished_at'] as const) delete run[k];
        // detached: a terminal's Ctrl-C reaches the sweep only, which forwards it exactly once
        const child = spawn(process.execPath, [CLI_PATH, ...childArgs(plan, run)], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        running.set(run, child);
        let lastStderr = '';
        let ended = false;
        readline.createInterface({ input: child.stdout! }).on('line', (line) => {
          const m = EPOCH_LINE.exec(line);
          if (!m) return;
          run.phase = m[1];
          run.epoch = Number(m[2]);
          run.n_epochs = Number(m[3]);
          progress.progressed(run);
          state.save(5000);
        });
        readline.createInterface({ input: child.stderr! }).on('line', (line) => { if (line.trim()) lastStderr = line.trim(); });
        const end = (code: number | null, signal: string | null, spawnError?: Error) => {
          if (ended) return;
          ended = true;
          running.delete(run);
          const file = path.join(plan.xpDir, run.dir, 'results.json');
          const out = runOutcome(readJsonFile(file), {
            code, signal, lastStderr: spawnError ? `cannot start ${process.execPath}: ${spawnError.message}` : lastStderr,
            launchedAt, resultsMtimeMs: mtimeMs(file), stopping: stopping !== null,
          });
          Object.assign(run, out, { exit_code: code, exit_signal: signal, seconds: Math.round((Date.now() - launchedAt) / 100) / 10, finished_at: new Date().toISOString() });
          if (out.status === 'finished') delete run.error;
          progress.ended(run);
          state.save();
          pump();
        };
        child.on('error', (e) => end(null, null, e));
        child.on('close', (code, signal) => end(code, signal));
        progress.started(run);
        state.save();
      };
      pump();
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('exit', killAll);
    progress.stop();
  }

  const c = state.counts();
  state.status = stopping ? 'interrupted' : c.failed ? 'failed' : 'finished';
  state.save();
  const aucs = runs.filter((r) => r.status === 'finished' && typeof r.test_auc === 'number').map((r) => r.test_auc as number);
  const mean = aucs.length ? ` mean test AUC ${(100 * aucs.reduce((a, b) => a + b, 0) / aucs.length).toFixed(2)}% over ${aucs.length} run(s);` : '';
  const where = shellQuote(plan.xpDir);
  if (stopping) {
    throw new UserError(`sweep interrupted by ${stopping}: ${c.finished} of ${c.total} runs finished and kept, ${c.total - c.finished} not; rerun the same command to finish them (state in ${path.join(plan.xpDir, 'sweep.json')})`,
      stopping === 'SIGTERM' ? 143 : 130);
  }
  if (c.failed) {
    throw new UserError(`${c.failed} of ${c.total} runs failed (errors in ${path.join(plan.xpDir, 'sweep.json')} and each run's log.txt);${mean} rerun the same command to retry them`, 1);
  }
  say(`[sweep] all ${c.total} runs finished in ${formatDuration((Date.now() - t0) / 1000)};${mean} summary: deep-svdd report ${where}`);
  return state;
}

// ------------------------------------------------------------------------------------------------ Slurm

/** Quotes a word for POSIX shells when it needs it. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A Slurm job-array script: task i runs run i of planRuns(plan), skipping it if its results.json says finished. */
export function slurmScript(plan: SweepPlan, throttle?: number): string {
  const runs = planRuns(plan);
  const q = shellQuote;
  const train = ['train', ...plan.trainArgs].map(q).join(' ');
  const skip = plan.force ? ['# --force 1: finished runs are rerun too'] : [
    `if ${q(process.execPath)} -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).status === "finished" ? 0 : 1)' "$xp/results.json" 2>/dev/null; then`,
    '  echo "deep-svdd: $xp is finished: skipped"',
    '  exit 0',
    'fi',
  ];
  return [
    '#!/bin/bash',
    '# deep-svdd sweep as a Slurm job array: task i trains run i (normal class, seed) in its own folder.',
    `# Written by: ${['deep-svdd', ...plan.argv].map(q).join(' ')}`,
    `# Submit:     sbatch ${q(path.join(plan.xpDir, 'sweep.sbatch'))}   (add #SBATCH lines for --partition, --time, --mem as your cluster needs)`,
    `# Summary:    deep-svdd report ${q(plan.xpDir)}   (when the tasks are done; resubmitting reruns only unfinished runs)`,
    '#SBATCH --job-name=deep-svdd-sweep',
    `#SBATCH --array=0-${runs.length - 1}${throttle ? `%${throttle}` : ''}`,
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${plan.threads}`,
    `#SBATCH --output=${path.join(plan.xpDir, 'slurm', '%A_%a.out')}`,
    'set -euo pipefail',
    `classes=(${runs.map((r) => q(classArg(plan, r.class))).join(' ')})`,
    `seeds=(${runs.map((r) => r.seed).join(' ')})`,
    `dirs=(${runs.map((r) => q(r.dir)).join(' ')})`,
    'i=${SLURM_ARRAY_TASK_ID:?submit this script with sbatch, or set SLURM_ARRAY_TASK_ID to a task index to run one task}',
    `if ! [[ "$i" =~ ^[0-9]+$ ]] || [ "$i" -ge ${runs.length} ]; then echo "deep-svdd: task $i is outside 0..${runs.length - 1}" >&2; exit 2; fi`,
    `xp=${q(plan.xpDir)}/"\${dirs[$i]}"`,
    ...skip,
    `cd ${q(process.cwd())}`,
    `mode="--force 1"; if [ -f "$xp/${CHECKPOINT_FILE}" ]; then mode="--resume 1"; fi  # an interrupted run continues from its checkpoint`,
    `exec ${q(process.execPath)} ${q(CLI_PATH)} ${train} --normal "\${classes[$i]}" --seed "\${seeds[$i]}" --threads ${plan.threads} --xp-dir "$xp" $mode`,
    '',
  ].join('\n');
}

/** Writes DIR/sweep.sbatch (and DIR/slurm/ for the task logs); returns what to tell the user. */
export function emitSlurm(plan: SweepPlan, throttle?: number): string {
  ensureDir(path.join(plan.xpDir, 'slurm'));
  const file = path.join(plan.xpDir, 'sweep.sbatch');
  writeFileAtomic(file, slurmScript(plan, throttle));
  fs.chmodSync(file, 0o755);
  const runs = planRuns(plan);
  const done = plan.force ? 0 : runs.filter((r) => previousRun(plan.xpDir, r)).length;
  return [
    `wrote ${file}: a Slurm job array of ${runs.length} task(s) (classes ${plan.classes.join(',')} × seeds ${plan.seeds.join(',')})`
      + `${done ? `; ${done} already finished (their tasks exit at once)` : ''}`,
    `submit it with:  sbatch ${shellQuote(file)}`,
    `watch it with:   squeue --me   (task logs in ${path.join(plan.xpDir, 'slurm')}/)`,
    `then summarise:  deep-svdd report ${shellQuote(plan.xpDir)}`,
    '',
  ].join('\n');
}

/** The `sweep` command's action. */
export async function sweepCommand(opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const given = (key: string) => { const s = cmd.getOptionValueSource(key); return s !== undefined && s !== 'default'; };
  const plan = planSweep(opts, given);
  if (opts.emit === 'slurm') {
    process.stdout.write(emitSlurm(plan, given('jobs') ? plan.jobs : undefined));
    return;
  }
  await runSweep(plan);
}
