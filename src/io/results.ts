/**
 * results.json: the one schema of what a run records (RESULTS_SCHEMA, zod; RunResults is its type), written by
 * `train` and `baseline` and read by `sweep`, `report` and the tests that check `score` against it.
 * `results_version` says which schema a file follows; a field is only ever added, and a change of meaning raises the
 * version. Files written before "method" existed still read: methodOf derives it from "objective". A reader keeps
 * top-level fields the schema does not know; nested objects are read as the schema has them.
 */
import { z } from 'zod';
import { RUN_METHODS, type RunMethod } from '../config/methods.js';
import { writeJsonAtomic } from './atomic.js';

import { UserError } from '../util/errors.js';
import { readRegularText } from '../util/files.js';

export const RESULTS_FILE = 'results.json';
export const RESULTS_VERSION = 1;

export const RUN_STATUSES = ['running', 'finished', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const RANGE_01 = { error: 'outside its range 0..1' };
/** an AUC: null with one class only in the test set */
const auc = z.number().min(0, RANGE_01).max(1, RANGE_01).nullable();
/** a number that may be NaN, which JSON writes as null (read back as NaN) */
const real = z.number().nullable().transform((v) => v ?? NaN);
const seconds = z.number().min(0, { error: 'outside its range, a number of seconds ≥ 0' });

/** One test image's score: its index in the test split (or sorted file list), 0/1 label, original class, score. */
export const TEST_SCORE_SCHEMA = z.object({ index: z.number(), label: z.number(), class: z.number(), score: real });
export type TestScore = z.infer<typeof TEST_SCORE_SCHEMA>;

/** How a baseline's hyperparameters were chosen. */
export const HYPERPARAMETER_SELECTION_SCHEMA = z.object({
  protocol: z.string(),
  uses_test_labels: z.boolean(),
  note: z.string().optional(),
  n_holdout: z.number().optional(),
  n_holdout_outliers: z.number().optional(),
  /** the test-slice protocol: indices (in the test split) of the test images γ was chosen on */
  holdout_test_indices: z.array(z.number()).optional(),
  grid: z.array(z.record(z.string(), real)).optional(),
});
export type HyperparameterSelection = z.infer<typeof HYPERPARAMETER_SELECTION_SCHEMA>;

const count = z.number().int().min(0);
/** Deep SAD's setting: the authors' ratios (or those of the users' own labels), the known classes, the counts. */
export const SEMI_SUPERVISED_SCHEMA = z.object({
  ratio_known_outlier: z.number(), ratio_known_normal: z.number(), ratio_pollution: z.number(),
  known_outlier_classes: z.array(z.number()), n_known_outlier_classes: z.number(),
  labels_from: z.string().optional(),
  counts: z.object({ labelled_normal: count, labelled_outlier: count, unlabelled_normal: count, unlabelled_outlier: count }),
});

const BACKEND_SCHEMA = z.object({
  name: z.string(), requested: z.string(), device: z.string(), package: z.string(), simd: z.boolean().optional(), threads: z.number().optional(),
  xnnpackThreads: z.number().optional(), fma: z.boolean().optional(), kernelFixes: z.array(z.string()), reason: z.string().optional(),
  versions: z.record(z.string(), z.string()), notes: z.array(z.string()),
});

/** How a run's threshold was chosen (src/experiments/threshold-choice.ts). */
export const THRESHOLD_CHOICE_SCHEMA = z.object({
  /** the mode asked for (--threshold) and the one that chose the cut (quantile after a fallback) */
  requested: z.enum(['quantile', 'fpr', 'f1']),
  mode: z.enum(['quantile', 'fpr', 'f1']),
  threshold: real,
  /** the quantile mode's cut, for comparison */
  quantile_threshold: real,
  target_fpr: z.number().optional(),
  /** why the requested mode could not choose (e.g. no anomalies in the validation split) */
  fallback: z.string().optional(),
  n_val_normal: z.number(),
  n_val_outlier: z.number(),
  /** where the validation split came from: held out from the training data, or --val-data */
  val_source: z.string().optional(),
  /** precision / recall / F1 / false-positive rate on the validation split at the cut (with a validation split) */
  val: z.object({ precision: real, recall: real, f1: real, fpr: real }).optional(),
});

/** Collapse diagnostics (src/eval/collapse.ts): `collapsed` and the figures it was decided on (loose: a reader keeps more). */
export const DIAGNOSTICS_SCHEMA = z.looseObject({
  collapsed: z.boolean().optional(),
  train_distance_spread: real.optional(),
  distance_to_c: real.optional(),
  distance_shrink: real.optional(),
  n_distinct_test_scores: z.number().optional(),
  distinct_test_score_fraction: real.optional(),
  reasons: z.array(z.string()).optional(),
});

export const RESULTS_SCHEMA = z.object({
  results_version: z.number().int(),
  status: z.enum(RUN_STATUSES),
  started_at: z.string(),
  finished_at: z.string().optional(),
  /** why the run failed or stopped */
  error: z.string().optional(),
  deep_svdd_version: z.string(),
  /** the git commit of the code that ran ("-dirty" with uncommitted changes); absent outside a git checkout */
  code_commit: z.string().optional(),
  seed: z.number(),
  dataset: z.string(),
  /** the method in words ("one-class Deep SVDD", "soft-boundary Deep SVDD, ν = …", "OC-SVM (RBF kernel, ν = 0.1)", …) */
  objective: z.string(),
  /** the method by name (RUN_METHODS); absent in files written before it existed: see methodOf */
  method: z.enum(RUN_METHODS),
  data_source: z.string().optional(),
  n_train: z.number().optional(),
  n_test: z.number().optional(),
  n_val: z.number().optional(),
  n_train_outliers: z.number().optional(),
  normal_classes: z.array(z.number()).optional(),
  outlier_classes: z.array(z.number()).optional(),
  normal_class_names: z.array(z.coerce.string()).optional(),
  outlier_class_names: z.array(z.coerce.string()).optional(),
  /** the training set's min–max constants, the contrast normalisation and (baselines) the PCA variance kept */
  preprocessing: z.object({ min: real, max: real, gcn: z.string().optional(), pca: z.number().nullable().optional() }).optional(),
  backend: BACKEND_SCHEMA.optional(),
  versions: z.record(z.string(), z.string()).optional(),
  /** the pretrained autoencoder's own test AUC (reconstruction error) */
  ae_test_auc: auc.optional(),
  test_auc: auc.optional(),
  test_auprc: auc.optional(),
  test_at_threshold: z.object({ precision: real, recall: real, f1: real, threshold: real, nPredictedOutliers: z.number() }).optional(),
  test_scores: z.array(TEST_SCORE_SCHEMA).optional(),
  /** the decision threshold on the scores (DCAE: the (1 − ν)-quantile of the training reconstruction errors) */
  threshold: real.optional(),
  R: real.optional(),
  R2: real.optional(),
  c: z.array(real).optional(),
  train_score_summary: z.object({ min: real, p5: real, median: real, p95: real, max: real }).optional(),
  train_time_s: real.optional(),
  test_time_s: real.optional(),
  val_loss: real.optional(),
  peak_rss_mb: z.number().optional(),
  timings_s: z.record(z.string(), seconds).optional(),
  /** per phase (pretrain, train), which training step ran: the fused MLP step or TF.js ops (src/train/fused-mlp-problem.ts) */
  training_step: z.record(z.string(), z.enum(['fused-mlp', 'tfjs'])).optional(),
  /** baselines: the test images reported on (the test-slice protocol leaves out those γ was chosen on) */
  n_test_reported: z.number().optional(),
  /** baselines with --pca 1 */
  pca: z.object({ components: z.number(), of: z.number(), variance_kept: real, variance_target: z.number() }).optional(),
  hyperparameters: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
  hyperparameter_selection: HYPERPARAMETER_SELECTION_SCHEMA.optional(),
  /** Deep SAD: the semi-supervised training set (src/data/semi-supervised.ts); report: a column per γ_l */
  semi_supervised: SEMI_SUPERVISED_SCHEMA.optional(),
  /** what the run's checks found; collapsed: the scores carry no ranking (report marks the run); the figures: DIAGNOSTICS_SCHEMA */
  diagnostics: DIAGNOSTICS_SCHEMA.optional(),
  /** how the decision threshold was chosen (test_at_threshold is at it): mode, the cut, the validation split's figures */
  threshold_choice: THRESHOLD_CHOICE_SCHEMA.optional(),
});

export type RunResults = z.infer<typeof RESULTS_SCHEMA>;

/** Objectives' first words in files written before "method" existed (frozen: every run now writes "method"). */
const LEGACY_OBJECTIVES: ReadonlyArray<readonly [string, RunMethod]> = [
  ['one-class', 'one-class'], ['soft-boundary', 'soft-boundary'], ['deep convolutional autoencoder', 'dcae'],
  ['OC-SVM', 'ocsvm'], ['KDE', 'kde'], ['Isolation Forest', 'if'],
];

/** A run's method: its "method", or for a file written before that field existed, derived from its "objective". */
export function methodOf(r: Partial<Pick<RunResults, 'method' | 'objective'>>): RunMethod | null {
  if (r.method !== undefined) return r.method;
  const objective = r.objective;
  if (typeof objective !== 'string') return null;
  return LEGACY_OBJECTIVES.find(([prefix]) => objective.startsWith(prefix))?.[1] ?? null;
}

export function writeResults(file: string, results: RunResults): void {
  writeJsonAtomic(file, results);
}

/** What a reader finds: no file, a file that is not a results object, or the results with every field type-checked. */
export type ResultsRead =
  | { state: 'missing' }
  | { state: 'corrupt'; why: string }
  | { state: 'ok'; results: Partial<RunResults>; problems: string[] };

/**
 * Reads a results.json. Every field is checked against RESULTS_SCHEMA: one that does not fit is dropped (a reader never
 * sees a string where a number belongs) and listed in `problems` (wrong type, value outside its range); a map
 * (timings_s) loses only its entries that do not fit. Fields the schema does not know are kept as they are.
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
  const out: Record<string, unknown> = { ...r };
  const problems: string[] = [];
  for (const [key, schema] of Object.entries(RESULTS_SCHEMA.shape) as Array<[string, z.ZodType]>) {
    const value = r[key];
    if (value === undefined) continue;
    const inner = schema instanceof z.ZodOptional ? schema.unwrap() as z.ZodType : schema;
    if (inner instanceof z.ZodRecord && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const kept: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const p = (inner.valueType as z.ZodType).safeParse(v);
        if (p.success) kept[k] = p.data;
        else problems.push(problem(`${key}.${k}`, v, p.error.issues[0]));
      }
      out[key] = kept;
      continue;
    }
    const p = schema.safeParse(value);
    if (p.success) out[key] = p.data;
    else {
      delete out[key];
      problems.push(problem(key, value, p.error.issues[0]));
    }
  }
  if (r.status === 'finished' && r.test_auc === undefined) problems.push('a finished run without test_auc');
  return { state: 'ok', results: out as Partial<RunResults>, problems };
}

/** "<field> <value> is <what is wrong>", for the first issue zod found in a field. */
function problem(key: string, value: unknown, issue: z.core.$ZodIssue): string {
  const at = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey], value);
  const where = [key, ...issue.path.map(String)].join('.');
  const shown = (JSON.stringify(at) ?? String(at)).slice(0, 60);
  const what = issue.code === 'invalid_type' ? `not ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}`
    : issue.code === 'invalid_value' ? `not one of ${issue.values.join(', ')}`
      : issue.message;
  return `${where} ${shown} is ${what}`;
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
