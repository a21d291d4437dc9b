/**
 * A shallow baseline as a detector: it fits on the training rows (choosing its hyperparameters its own way), scores
 * rows (higher = more anomalous) and has a threshold rule. One file per detector (detector-*.ts), one table of them
 * (detectors.ts); `deep-svdd baseline` (src/experiments/baseline-run.ts) does the rest the same for every detector:
 * data, PCA, the run folder, metrics, pictures.
 */
import { type BaselineConfig, type SHARED_KEYS } from '../config/baseline-options.js';
import { type HyperparameterSelection } from '../io/results.js';
import { type Rows } from './distances.js';

/** What a detector may use besides its training rows while it fits and chooses its hyperparameters. */
export interface FitContext {
  cfg: BaselineConfig;
  /** the test images as features, their 0/1 labels and their indices in the test split: only a protocol that says
   * `uses_test_labels: true` may read them */
  test: Rows;
  testLabels: Uint8Array;
  testIndex: Int32Array;
  /** indices (in the training split) of the training images of the outlier classes */
  outlierPool: Int32Array;
  /** training images of the outlier classes (indices in the training split) as features, preprocessed as the training set */
  outlierRows(idx: Int32Array): Rows;
  log(line: string): void;
  /** seconds of the fit's parts, as results.json "timings_s": fit_s (the reported model), selection_s, kernel_s */
  timings: Record<string, number>;
}

/** A fitted detector, the hyperparameters it chose and how. */
export interface Fitted<M> {
  model: M;
  /** results.json "hyperparameters" */
  hyperparameters: Record<string, number | string>;
  /** results.json "hyperparameter_selection" */
  selection: HyperparameterSelection;
  /** positions (ascending) of the test images it reports on, when it chose on the others (the paper's test slice) */
  reported?: Int32Array;
}

/** The facts about the inputs a detector checks before the run folder changes. */
export interface InputFacts {
  nTrain: number;
  /** values per image (before PCA) */
  d: number;
  testLabels: Uint8Array;
  /** training images of the outlier classes */
  nOutlierPool: number;
}

/** The baseline's own options every detector has; the others belong to one or more detectors (Detector.options). */
export const COMMON_BASELINE_KEYS = ['method', 'gcn', 'pca', 'pcaVariance'] as const;
/** A baseline option only some detectors read (not one of train's data options, nor a common one). */
export type DetectorOptionKey = Exclude<keyof BaselineConfig, (typeof COMMON_BASELINE_KEYS)[number] | (typeof SHARED_KEYS)[number]>;

export interface Detector<M = unknown> {
  /** `--method` value and results.json "method" */
  readonly name: string;
  /** what it is, in a few words (the --method help) */
  readonly title: string;
  /** the baseline options it reads (the others of the detectors are refused with it) */
  readonly options: readonly DetectorOptionKey[];
  /** the method and its settings in words: the log's first line and results.json "objective" */
  describe(cfg: BaselineConfig): string;
  /** refuses settings that cannot give a result (a one-line UserError), before anything is read */
  checkConfig(cfg: BaselineConfig): void;
  /** refuses inputs it cannot fit or select on (a one-line UserError), before the run folder changes */
  checkInputs(cfg: BaselineConfig, inputs: InputFacts): void;
  /** fits on the training rows, choosing the hyperparameters */
  fit(train: Rows, ctx: FitContext): Promise<Fitted<M>>;
  /** anomaly scores of `rows`, higher = more anomalous (float64 as computed) */
  score(model: M, rows: Rows): Float64Array;
  /** the decision threshold on the scores (a score above it is predicted an outlier) */
  threshold(model: M, train: Rows, cfg: BaselineConfig): number;
}

/** A detector with its name as a literal type (the table derives the --method choices from the names). */
export function defineDetector<const N extends string, M>(d: Detector<M> & { name: N }): Detector<M> & { name: N } {
  return d;
}

export function negate(v: Float64Array): Float64Array {
  return v.map((x) => -x);
}

export function seconds(t: number): number {
  return (performance.now() - t) / 1000;
}
