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
 *
 * This module plans the sweep, holds its lock, runs it and is the command; the plan types, the run outcome and the
 * state (sweep-state.ts), the progress text (sweep-progress.ts) and the Slurm script (sweep-slurm.ts) are modules
 * of their own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { type Readable } from 'node:stream';
import type { Command } from 'commander';
import { availableCores, jobsWarning, sweepThreads, SWEEP_THREADS_PER_JOB } from '../backend/thread-policy.js';
import { BASELINE_OPTIONS, BASELINE_OWN_OPTIONS, buildBaselineConfig } from '../config/baseline-options.js';
import { buildTrainConfig, datasetAtConfigTime } from '../config/build.js';
import { TRAIN_OPTIONS, type OptSpec } from '../config/options.js';
import { parseClassList, resolveClasses } from '../data/select.js';
import { ensureDir } from '../io/atomic.js';
import { lockFolder } from '../io/run-folder.js';
import { CHECKPOINT_FILE } from '../io/checkpoint.js';
import { readResultsOrNull, RESULTS_FILE } from '../io/results.js';
import { UserError } from '../util/errors.js';
import { parseProgressLine, PROGRESS_FD_ENV } from './progress-events.js';
import { BarProgress, formatDuration, PlainProgress, type Progress } from './sweep-progress.js';
import { emitSlurm } from './sweep-slurm.js';
import {
  classArg, CLI_PATH, mtimeMs, planRuns, previousRun, runOutcome, shellQuote, SweepState, type SweepPlan, type SweepRun,
} from './sweep-state.js';

/** Train options the sweep sets itself for every run (not passed through from the command line). */
export const SWEEP_SET_KEYS = ['normal', 'seed', 'xpDir'] as const;

// ------------------------------------------------------------------------------------------------ planning

/** Parses `0-9`, `1,3,5`, `0-2,7` into distinct integers in the given order; throws a one-line UserError. */
/** The most values a list option (--seeds) may hold: a sweep of that many runs per class is already months of work. */
const MAX_LIST = 10_000;

export function parseIntList(raw: string, flag: string, min: number, max: number): number[] {
  const seen = new Set<number>();
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
    if (b - a >= MAX_LIST) throw bad(`the range is too large (at most ${MAX_LIST} values)`);
    for (let v = a; v <= b; v++) if (!seen.has(v)) { seen.add(v); out.push(v); }
    if (out.length > MAX_LIST) throw bad(`more than ${MAX_LIST} values`);
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

/** Parallel runs: at most this many (a sweep's children are processes, each with its own TF.js heap). */
export const MAX_JOBS = 1024;

function parsePositiveInt(raw: unknown, flag: string, max: number): number {
  const s = String(raw).trim();
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > max) throw new UserError(`${flag} ${String(raw)} is invalid: use a whole number ≥ 1 and ≤ ${max}`);
  return Number(s);
}

export { jobsWarning };

/** Run folder name of a normal class. */
export function runDirName(cls: number, outlier: number[]): string {
  return `${cls}vs${outlier[0] === -1 ? 'all' : outlier.join('+')}`;
}

/**
 * From the sweep command's parsed options to a validated plan. `given(key)` says whether a train option was typed on
 * the command line (only those are passed to the children, so that each child applies its own dataset defaults).
 */
export function planSweep(opts: Record<string, unknown>, given: (key: string) => boolean, argv: string[] = process.argv.slice(2)): SweepPlan {
  // --method ocsvm|kde|if: every run is a `deep-svdd baseline` run with the baseline options; otherwise `train`
  const baseline = opts.method !== undefined;
  const specs: readonly OptSpec[] = baseline ? BASELINE_OPTIONS : TRAIN_OPTIONS;
  const otherFlags = new Set(specs.map((s) => s.flag));
  for (const spec of [...TRAIN_OPTIONS, ...BASELINE_OWN_OPTIONS]) {
    if (otherFlags.has(spec.flag) || spec.key === 'threads' || !given(spec.key)) continue;
    throw new UserError(baseline
      ? `${spec.flag} only applies to network runs, not to --method ${String(opts.method)}: drop it`
      : `${spec.flag} only applies to the shallow baselines (--method ${BASELINE_OWN_OPTIONS[0].choices!.join(' | ')}), not to network runs: drop it or add --method`);
  }
  const raw: Record<string, string> = {};
  const trainArgs: string[] = [];
  for (const spec of specs) {
    if ((SWEEP_SET_KEYS as readonly string[]).includes(spec.key) || spec.key === 'threads' || spec.key === 'force') continue;
    if (!given(spec.key) || opts[spec.key] === undefined) continue;
    raw[spec.key] = String(opts[spec.key]);
    trainArgs.push(spec.flag, raw[spec.key]);
  }
  const buildConfig = (r: Record<string, string>) => (baseline ? buildBaselineConfig(r) : buildTrainConfig(r));
  // --threads as given, else the policy's threads per job (src/backend/thread-policy.ts)
  const threadsRaw = given('threads') ? String(opts.threads) : String(SWEEP_THREADS_PER_JOB);
  const forceRaw = opts.force === undefined ? '0' : String(opts.force).trim();
  if (!['0', '1', 'true', 'false'].includes(forceRaw)) throw new UserError(`--force ${forceRaw} is invalid: use 0 or 1`);
  const dataset = raw.dataset ?? String(opts.dataset ?? 'mnist');
  // the options every run shares, checked once (with class 0), then the class names for --classes
  const shared = buildConfig({ ...raw, threads: threadsRaw, normal: '0', seed: '1', xpDir: 'x' });
  const { classNames } = datasetAtConfigTime(dataset, raw);
  const nClasses = classNames.length;
  const classes = opts.classes === undefined ? classNames.map((_, i) => i) : parseClassSelection(String(opts.classes), classNames);
  // train's --normal reads an item equal to a class name as that class: "1" is the folder named 1, wherever it sorts
  const classArgs = new Map(classes.map((c) => [c, [-1, c].includes(classNames.indexOf(String(c))) ? String(c) : classNames[c]]));
  const seeds = parseIntList(opts.seeds === undefined ? '1-10' : String(opts.seeds), '--seeds', 0, 2 ** 31 - 1);
  // jobs × threads per job: the thread policy's (default: as many jobs as fill the cores)
  const share = sweepThreads({
    cores: availableCores(), threads: !given('threads') ? undefined : 'threads' in shared ? shared.threads : /^\d+$/.test(threadsRaw.trim()) ? Number(threadsRaw) : undefined,
    jobs: opts.jobs === undefined ? undefined : parsePositiveInt(opts.jobs, '--jobs', MAX_JOBS),
  });
  const jobs = share.jobs;
  if (opts.xpDir !== undefined && String(opts.xpDir).trim() === '') throw new UserError('--xp-dir is empty: give the sweep folder, e.g. --xp-dir log/mnist_table');
  const xpDir = path.resolve(opts.xpDir === undefined ? path.join('log', `sweep_${dataset}`) : String(opts.xpDir));

  // validate every run's options now, so that a typo fails once instead of in every child
  const runDirs = new Map<number, string>();
  let first: ReturnType<typeof buildConfig> | undefined;
  for (const c of classes) {
    let cfg: ReturnType<typeof buildConfig>;
    try {
      cfg = buildConfig({ ...raw, threads: threadsRaw, normal: classArgs.get(c)!, seed: String(seeds[0]), xpDir: path.join(xpDir, 'x') });
      resolveClasses(cfg.normal, cfg.outlier, nClasses);
    } catch (e) {
      if (first === undefined || !(e instanceof UserError)) throw e;
      throw new UserError(`--classes ${c}: ${e.message}`, e.exitCode);
    }
    first ??= cfg;
    runDirs.set(c, runDirName(c, cfg.outlier));
  }
  const cfg = first!;
  const force = forceRaw === '1' || forceRaw === 'true';
  if (!('loss' in cfg)) {
    return { dataset, xpDir, classes, seeds, jobs, threads: 1, force, trainArgs, runDirs, classArgs, epochs: { pretrain: 0, train: 0 }, argv, command: 'baseline' };
  }
  const auto = cfg.loss === 'autoencoder';
  return {
    dataset, xpDir, classes, seeds, jobs, threads: share.threadsPerJob, force, trainArgs, runDirs, classArgs,
    epochs: { pretrain: auto ? cfg.nEpochs : cfg.pretrain ? cfg.aeNEpochs : 0, train: auto ? 0 : cfg.nEpochs },
    argv,
  };
}

/** The arguments after `node <cli>` for one run. */
export function childArgs(plan: SweepPlan, run: SweepRun): string[] {
  const xp = path.join(plan.xpDir, run.dir);
  // a baseline run is short and has no checkpoint: it always starts again
  if (plan.command === 'baseline') return ['baseline', ...plan.trainArgs, '--normal', classArg(plan, run.class), '--seed', String(run.seed), '--xp-dir', xp, '--force', '1'];
  // an interrupted run with a checkpoint continues where it stopped; anything else starts again
  const resume = !plan.force && fs.existsSync(path.join(xp, CHECKPOINT_FILE));
  return ['train', ...plan.trainArgs, '--normal', classArg(plan, run.class), '--seed', String(run.seed), '--threads', String(plan.threads),
    '--xp-dir', xp, ...(resume ? ['--resume', '1'] : ['--force', '1'])];
}

// ------------------------------------------------------------------------------------------------ lock

/** One sweep at a time per folder: DIR/.sweep.lock holds the owner's pid (src/io/run-folder.ts). */
function acquireLock(dir: string): () => void {
  return lockFolder(dir, '.sweep.lock', (pid) => new UserError(`another sweep (pid ${pid}) is running in ${dir}: wait for it or stop it (kill -INT ${pid}) before starting this one`));
}

// ------------------------------------------------------------------------------------------------ running

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
        // detached: a terminal's Ctrl-C reaches the sweep only, which forwards it exactly once; progress arrives as
        // JSON lines on fd 3 (progress-events.ts), the console text is never parsed
        const child = spawn(process.execPath, [CLI_PATH, ...childArgs(plan, run)], {
          detached: true, stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: { ...process.env, [PROGRESS_FD_ENV]: '3' },
        });
        running.set(run, child);
        let lastStderr = '';
        let ended = false;
        readline.createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
          const e = parseProgressLine(line);
          if (e?.event !== 'epoch' && e?.event !== 'phase') return;
          run.phase = e.phase;
          run.epoch = e.event === 'epoch' ? e.epoch : 0;
          run.n_epochs = e.n_epochs;
          progress.progressed(run);
          state.save(5000);
        });
        readline.createInterface({ input: child.stderr! }).on('line', (line) => { if (line.trim()) lastStderr = line.trim(); });
        const end = (code: number | null, signal: string | null, spawnError?: Error) => {
          if (ended) return;
          ended = true;
          running.delete(run);
          const file = path.join(plan.xpDir, run.dir, RESULTS_FILE);
          const out = runOutcome(readResultsOrNull(file), {
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

// ------------------------------------------------------------------------------------------------ command

/** The `sweep` command's action. */
export async function sweepCommand(opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const given = (key: string) => { const s = cmd.getOptionValueSource(key); return s !== undefined && s !== 'default'; };
  const plan = planSweep(opts, given);
  if (opts.emit === 'slurm') {
    process.stdout.write(emitSlurm(plan, given('jobs') ? plan.jobs : undefined));
    return;
  }
  const warning = jobsWarning(plan.jobs, plan.threads);
  if (warning) process.stderr.write(`${warning}\n`);
  await runSweep(plan);
}
