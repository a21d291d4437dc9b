/**
 * A run's decision threshold (--threshold, --target-fpr; src/eval/thresholds.ts has the rules): the requested mode's
 * cut on the validation split (held-out normal training images plus held-out outlier-class training images, never the
 * test set), or the quantile mode's with a note when the split cannot choose (anomalib #2433: F1 on a split without
 * anomalies). Returns what the model folder keeps (so `score --threshold MODE` can choose again), the results field
 * and the log line.
 */
import { type TrainConfig } from '../config/options.js';
import { falsePositiveRate, pickThreshold, precisionRecallF1, type ThresholdMode } from '../eval/thresholds.js';
import { type ThresholdChoice } from '../io/model.js';
import { type RunResults } from '../io/results.js';

export interface ChosenThreshold {
  threshold: number;
  model: ThresholdChoice;
  results: NonNullable<RunResults['threshold_choice']>;
  /** one line for the log; `warn` when the requested mode fell back */
  line: string;
  warn: boolean;
}

export function chooseThreshold(cfg: Pick<TrainConfig, 'threshold' | 'targetFpr' | 'valData'>, quantileCut: number, valNormal: ArrayLike<number>, valOutlier: ArrayLike<number>): ChosenThreshold {
  const requested = cfg.threshold as ThresholdMode;
  const labels = [...Array.from(valNormal, () => 0), ...Array.from(valOutlier, () => 1)];
  const scores = [...Array.from(valNormal), ...Array.from(valOutlier)];
  const picked = pickThreshold(requested, { quantile: quantileCut, targetFpr: cfg.targetFpr, labels, scores });
  const fallback = 'missing' in picked ? `--threshold ${requested} cannot choose: ${picked.missing}; the quantile cut is used instead` : undefined;
  const mode: ThresholdMode = fallback ? 'quantile' : requested;
  const threshold = 'threshold' in picked ? picked.threshold : quantileCut;
  const hasVal = labels.length > 0;
  const val = hasVal
    ? { ...pickPrf(labels, scores, threshold), fpr: falsePositiveRate(labels, scores, threshold) }
    : undefined;
  const results: ChosenThreshold['results'] = {
    requested, mode, threshold, quantile_threshold: quantileCut,
    ...(requested === 'fpr' ? { target_fpr: cfg.targetFpr } : {}),
    ...(fallback ? { fallback } : {}),
    n_val_normal: valNormal.length, n_val_outlier: valOutlier.length,
    ...(hasVal ? { val_source: cfg.valData ? `--val-data ${cfg.valData}` : 'held out from the training data (--val-frac, --val-contamination)' } : {}),
    ...(val ? { val } : {}),
  };
  const model: ThresholdChoice = {
    mode, quantile: quantileCut, ...(requested === 'fpr' ? { targetFpr: cfg.targetFpr } : {}), ...(fallback ? { fallback } : {}),
    ...(hasVal ? { validation: { scores, labels } } : {}),
  };
  const how = mode === 'quantile' ? 'the quantile of the training scores (--threshold quantile)'
    : mode === 'fpr' ? `at most ${cfg.targetFpr} of the validation split's normal data flagged (--threshold fpr)` : 'the best F1 on the validation split (--threshold f1)';
  const figures = val ? `; on the validation split (${valNormal.length} normal, ${valOutlier.length} anomalies): precision ${val.precision.toFixed(3)}, recall ${val.recall.toFixed(3)}, F1 ${val.f1.toFixed(3)}, FPR ${Number.isNaN(val.fpr) ? 'n/a' : val.fpr.toFixed(3)}` : '';
  const line = fallback ? `${fallback} (cut ${Number(threshold.toPrecision(6))})${figures}` : `Threshold ${Number(threshold.toPrecision(6))}: ${how}${figures}`;
  return { threshold, model, results, line, warn: fallback !== undefined };
}

function pickPrf(labels: number[], scores: number[], threshold: number): { precision: number; recall: number; f1: number } {
  const { precision, recall, f1 } = precisionRecallF1(labels, scores, threshold);
  return { precision, recall, f1 };
}
