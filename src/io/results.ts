/**
 * results.json: the one schema of what a run records, written by `train` and read by `sweep`, `report` and the
 * tests that check `score` against it. `results_version` says which schema a file follows; a field is only ever
 * added, and a change of meaning raises the version.
 */
import { type BackendInfo } from '../backend/select.js';
import { type FiveNumber, type PrecisionRecallF1 } from '../eval/metrics.js';
import { writeJsonAtomic } from './atomic.js';

import { UserError } from '../util/errors.js';
import { readRegularText } from '../util/files.js';

export const RESULTS_FILE = 'results.json';
export const RESULTS_VERSION = 1;

export type RunStatus = 'running' | 'finished' | 'failed' | 'interrupted';

/** One test image's score: its index in the test split (or sorted file list), 0/1 label, original class, score. */
export interface TestScore { index: number; label: number; class: number; score: number }

export interface RunResults {
  results_version: number;
  status: RunStatus;
  started_at: string;
  finished_at?: string;
  /** why the run failed or stopped */
  error?: string;
  deep_svdd_version: string;
  /** the git commit of the code that ran ("-dirty" with uncommitted changes); absent outside a git checkout */
  code_commit?: string;
  seed: number;
  dataset: string;
  /** the objective in words ("one-class Deep SVDD", "soft-boundary Deep SVDD, ν = …", "deep convolutional autoencoder (…)") */
  objective: string;
  data_source?: string;
  n_train?: number;
  n_test?: number;
  n_val?: number;
  n_train_outliers?: number;
  normal_classes?: number[];
  outlier_classes?: number[];
  normal_class_names?: string[];
  outlier_class_names?: string[];
  preprocessing?: { min: number; max: number };
  backend?: BackendInfo;
  versions?: Record<string, string>;
  /** the pretrained autoencoder's own test AUC (reconstruction error); null with one class only in the test set */
  ae_test_auc?: number | null;
  test_auc?: number | null;
  test_auprc?: number | null;
  test_at_threshold?: PrecisionRecallF1;
  test_scores?: TestScore[];
  /** the DCAE baseline's threshold: the (1 − ν)-quantile of the training reconstruction errors */
  threshold?: number;
  R?: number;
  R2?: number;
  c?: number[];
  train_score_summary?: FiveNumber;
  train_time_s?: number;
  test_time_s?: number;
  val_loss?: number;
  peak_rss_mb?: number;
  timings_s?: Record<string, number>;
}

export function writeResults(file: string, results: RunResults): void {
  writeJsonAtomic(file, results);
}

/** What a reader finds: no file, a file that is not a results object, or the results with every field type-checked. */
export type ResultsRead =
  | { state: 'missing' }
  | { state: 'corrupt'; why: string }
  | { state: 'ok'; results: Partial<RunResults>; problems: string[] };

const STATUSES: readonly RunStatus[] = ['running', 'finished', 'failed', 'interrupted'];
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Reads a results.json. Fields of the wrong type are dropped (a reader never sees a string where a number belongs);
 * an AUC outside [0, 1] is dropped too, and values outside their range are listed in `problems`.
 */
export function readResults(file: string): ResultsRead {
  let text: string;
  try {
    text = readRegularText(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { state: 'missing' } : { state: 'corrupt', why: `cannot be read: ${code === 'EISDIR' ? 'a folder where a file is expected' : code ?? (e as Error).message}` };
  }
  let raw: unknown;
  try { raw = JSON.parse(text); } catch { return { state: 'corrupt', why: 'not valid JSON' }; }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { state: 'corrupt', why: 'not a JSON object' };
  const r = raw as Record<string, unknown>;
  const out: Partial<RunResults> = { ...(r as Partial<RunResults>) };
  const problems: string[] = [];
  const auc = (k: string, v: unknown) => {
    if (v === undefined || v === null || (finite(v) && v >= 0 && v <= 1)) return v;
    problems.push(finite(v) ? `${k} ${JSON.stringify(v)} is outside its range 0..1` : `${k} ${JSON.stringify(v)} is not a number (an AUC in 0..1)`);
    return undefined;
  };
  if (r.status !== undefined && typeof r.status !== 'string') problems.push(`status is ${JSON.stringify(r.status)}, not a word`);
  if (r.status === 'finished' && r.test_auc === undefined) problems.push('a finished run without test_auc');
  const t = r.timings_s as Record<string, unknown> | undefined;
  if (t !== undefined && (typeof t !== 'object' || t === null || (t.total_s !== undefined && !(finite(t.total_s) && t.total_s >= 0)))) {
    problems.push(`timings_s.total_s ${JSON.stringify(t?.total_s)} is not a number of seconds ≥ 0`);
  }
  out.status = STATUSES.includes(r.status as RunStatus) ? r.status as RunStatus : undefined;
  out.test_auc = auc('test_auc', r.test_auc) as number | null | undefined;
  out.ae_test_auc = auc('ae_test_auc', r.ae_test_auc) as number | null | undefined;
  for (const k of ['objective', 'dataset', 'error', 'finished_at', 'started_at', 'code_commit'] as const) if (typeof r[k] !== 'string') delete out[k];
  if (!Array.isArray(r.normal_class_names)) delete out.normal_class_names;
  else out.normal_class_names = r.normal_class_names.map(String);
  if (r.timings_s === null || typeof r.timings_s !== 'object') delete out.timings_s;
  else out.timings_s = Object.fromEntries(Object.entries(r.timings_s).filter(([, v]) => finite(v))) as Record<string, number>;
  for (const k of Object.keys(out) as Array<keyof RunResults>) if (out[k] === undefined) delete out[k];
  return { state: 'ok', results: out, problems };
}

/** The results of a run folder's results.json, or null when there are none that can be read. */
export function readResultsOrNull(file: string): Partial<RunResults> | null {
  const r = readResults(file);
  return r.state === 'ok' ? r.results : null;
}

/**
 * A run folder's results.json for a reader that must not guess (report): null when there is none; a one-line
 * UserError naming the file when it cannot be read, is not a results object, or holds a value outside its range.
 */
export function readResultsChecked(file: string, fix: string): Partial<RunResults> | null {
  const r = readResults(file);
  if (r.state === 'missing') return null;
  if (r.state === 'corrupt') throw new UserError(`${file} is corrupted (${r.why}): ${fix}`);
  if (r.problems.length) throw new UserError(`${file} is corrupted: ${r.problems[0]}: ${fix}`);
  return r.results;
}
