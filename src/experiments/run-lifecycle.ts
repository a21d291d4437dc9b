/**
 * The life of a run folder, one for `train` (train-run.ts) and `baseline` (baseline-run.ts):
 *
 *  1. open and lock the folder (src/io/run-folder.ts), then read and check every input (`validate`): a failure
 *     abandons the folder exactly as it was; only then `commit()` clears a replaced run's files;
 *  2. open log.txt, record the options there and write config.json (a resumed run keeps its own), and start
 *     results.json's skeleton: results_version, status "running", started_at, deep_svdd_version, code_commit, seed,
 *     dataset, objective, method and timings_s (a resumed run's fields and timings first);
 *  3. the command's own work (`body`), which fills in results and writes them as it goes (`run.write()`);
 *  4. finish: status "finished", finished_at, total time (over all resumptions), peak RSS, the files to remove (train's
 *     checkpoint), the progress channel's "end" event, the last log line; or, when the work throws, status "failed"
 *     ("interrupted" after SIGINT / SIGTERM) with the error, the "end" event and the error in log.txt.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type RunMethod } from '../config/methods.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { RESULTS_FILE, RESULTS_VERSION, writeResults, type RunResults } from '../io/results.js';
import { openRunFolder, type RunFolderOptions } from '../io/run-folder.js';
import { openRunLog, type RunLog } from '../io/runlog.js';
import { PACKAGE_VERSION, sourceCommit } from '../util/version.js';
import { progressSender } from './progress-events.js';
import { stopRequest } from './stop-request.js';

export interface RunOutcome { results: RunResults; xpDir: string }

/** What results.json says the run is, besides the code that ran it. */
export interface RunIdentity { seed: number; dataset: string; objective: string; method: RunMethod }

/** How a run starts once its inputs are checked. */
export interface RunStart {
  identity: RunIdentity;
  /** the run's options: to config.json and log.txt */
  config: object;
  /** seconds spent reading the data (timings_s.data_s) */
  dataSeconds: number;
  /** what an interrupted run recorded (its checkpoint): the run goes on with these, and keeps its config.json */
  resumed?: { results: Partial<RunResults>; timings: Record<string, number>; elapsed_s: number };
  /** files in the run folder that go when the run finishes (train's checkpoint) */
  removeOnFinish?: readonly string[];
}

/** An open run, as its command's work sees it. */
export interface Run {
  xp: string;
  log: RunLog;
  results: RunResults;
  timings: Record<string, number>;
  /** the progress channel to a sweep (progress-events.ts) */
  progress: ReturnType<typeof progressSender>;
  /** writes results.json as it stands */
  write(): void;
  /** wall seconds of the run so far, over all its resumptions */
  elapsed(): number;
}

export interface RunSpec<I> {
  /** the folder and whether it may be replaced or resumed */
  folder: RunFolderOptions;
  /** reads and checks every input before the folder changes */
  validate(): Promise<I>;
  /** the run's identity and what it carries over, from its checked inputs */
  start(inputs: I): RunStart;
  /** the command's own work; it returns when the run is done */
  body(run: Run, inputs: I): Promise<void>;
  /** no console output (log.txt is still written) */
  quiet?: boolean;
}

/** Runs `spec` through the lifecycle (see the module comment). */
export async function runInFolder<I>(spec: RunSpec<I>): Promise<RunOutcome> {
  const folder = openRunFolder(spec.folder);
  try {
    let inputs: I;
    try {
      inputs = await spec.validate();
    } catch (e) {
      folder.abandon();
      throw e;
    }
    folder.commit();
    return await lifecycle(spec, spec.folder.xpDir, inputs);
  } finally {
    folder.release();
  }
}

async function lifecycle<I>(spec: RunSpec<I>, xp: string, inputs: I): Promise<RunOutcome> {
  const s = spec.start(inputs);
  const resultsFile = path.join(xp, RESULTS_FILE);
  const log = openRunLog(path.join(xp, 'log.txt'), spec.quiet);
  const progress = progressSender();
  const started = Date.now();
  const elapsedBefore = s.resumed?.elapsed_s ?? 0;
  const timings: Record<string, number> = { ...(s.resumed?.timings ?? {}), data_s: s.dataSeconds };
  const results: RunResults = {
    results_version: RESULTS_VERSION, ...(s.resumed?.results ?? {}),
    status: 'running', started_at: new Date(started).toISOString(), deep_svdd_version: PACKAGE_VERSION, code_commit: sourceCommit(), ...s.identity,
  };
  const run: Run = {
    xp, log, results, timings, progress,
    write: () => writeResults(resultsFile, { ...results, timings_s: timings }),
    elapsed: () => elapsedBefore + (Date.now() - started) / 1000,
  };
  try {
    log.record(`Options:\n${Object.entries(s.config).map(([k, v]) => `  ${k.padEnd(20)}: ${JSON.stringify(v)}`).join('\n')}`);
    if (!s.resumed) writeJsonAtomic(path.join(xp, 'config.json'), s.config);
    await spec.body(run, inputs);
    results.status = 'finished';
    results.finished_at = new Date().toISOString();
    timings.total_s = run.elapsed();
    results.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
    run.write();
    for (const f of s.removeOnFinish ?? []) fs.rmSync(path.join(xp, f), { force: true });
    progress({ event: 'end', status: 'finished' });
    log.info(`Results in ${resultsFile} (total ${timings.total_s.toFixed(1)} s, peak RSS ${String(results.peak_rss_mb)} MB)`);
    log.close();
    return { results, xpDir: xp };
  } catch (e) {
    results.status = stopRequest.requested ? 'interrupted' : 'failed';
    results.error = (e as Error).message;
    results.finished_at = new Date().toISOString();
    try { run.write(); } catch { /* keep the original error */ }
    progress({ event: 'end', status: results.status });
    log.record(`ERROR ${(e as Error).message}`);
    log.close();
    throw e;
  }
}
