/**
 * Decision thresholds as pure functions: from anomaly scores (higher = more anomalous) to the cut t of the rule
 * "anomaly iff score > t". Three ways to choose t:
 *   quantile  the (1 − ν)-quantile of the training scores (NumPy's linear quantile): about a share ν of the training
 *             data lies above it (Deep SVDD's one-class radius, the DCAE's and IF's contamination rule)
 *   fpr       the smallest cut at which at most a share α of labelled-normal validation scores lies above it
 *   f1        the cut that maximises F1 on a labelled validation split (outlier = positive)
 * and the precision / recall / F1 of a cut (metrics.ts's precisionRecallF1, the one definition, re-exported here).
 */
import { precisionRecallF1, quantile, type PrecisionRecallF1 } from './metrics.js';

export { precisionRecallF1, type PrecisionRecallF1 };

export const THRESHOLD_MODES = ['quantile', 'fpr', 'f1'] as const;
export type ThresholdMode = (typeof THRESHOLD_MODES)[number];

export function isThresholdMode(v: unknown): v is ThresholdMode {
  return typeof v === 'string' && (THRESHOLD_MODES as readonly string[]).includes(v);
}

/** The (1 − ν)-quantile of the training scores (NumPy 'linear'); ν in (0, 1]. */
export function quantileThreshold(trainScores: ArrayLike<number>, nu: number): number {
  if (!(nu > 0 && nu <= 1)) throw new RangeError(`quantileThreshold: nu must lie in (0, 1], got ${nu}`);
  return quantile(trainScores, 1 - nu);
}

/** ⌊α·n⌋, robust to α·n rounding to just below a whole number (0.29·100 = 28.999999999999996). */
function floorShare(alpha: number, n: number): number {
  const an = alpha * n;
  return Math.min(n, Math.floor(an + an * 1e-12));
}

/**
 * The smallest cut t among the normal scores with #{s > t} ≤ ⌊α·n⌋: t is the (⌊α·n⌋ + 1)-th largest normal score.
 * Every smaller score value would flag those ⌊α·n⌋ + 1 scores (all ≥ t), so t is the lowest cut within the target;
 * with ties at t the achieved false-positive rate is below α. α in [0, 1).
 */
export function fprThreshold(normalScores: ArrayLike<number>, alpha: number): number {
  if (!(alpha >= 0 && alpha < 1)) throw new RangeError(`fprThreshold: the target false-positive rate must lie in [0, 1), got ${alpha}`);
  const n = normalScores.length;
  if (n === 0) throw new Error('fprThreshold: no normal scores');
  const sorted = Float64Array.from(normalScores as ArrayLike<number>);
  if (sorted.some(Number.isNaN)) throw new Error('fprThreshold: a score is NaN');
  sorted.sort();
  return sorted[n - 1 - floorShare(alpha, n)];
}

/** The share of normal scores (label 0) above the cut. */
export function falsePositiveRate(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): number {
  let neg = 0;
  let fp = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0) continue;
    neg++;
    if (scores[i] > threshold) fp++;
  }
  return neg ? fp / neg : NaN;
}

/** The next float64 below a finite x (a cut that flags a score equal to x). */
function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const buf = new Float64Array([x]);
  const bits = new BigInt64Array(buf.buffer);
  bits[0] += x > 0 ? -1n : 1n;
  return buf[0];
}

/**
 * The F1-optimal cut on a labelled validation split: the candidates are "flag every score above v" for each distinct
 * score v, and "flag all" (the cut just below the lowest score). Ties of F1 go to the higher cut (fewer flags). Tied
 * scores are never split: each candidate flags all of a tie or none of it. Returns null when the split holds no
 * outlier (label 1): F1 is then 0 at every cut and says nothing (anomalib #2433); the caller falls back.
 */
export function f1OptimalThreshold(labels: ArrayLike<number>, scores: ArrayLike<number>): (PrecisionRecallF1 & { threshold: number }) | null {
  const n = labels.length;
  if (n !== scores.length) throw new Error(`f1OptimalThreshold: labels (${n}) and scores (${scores.length}) differ in length`);
  let nPos = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === 1) nPos++;
    else if (labels[i] !== 0) throw new Error(`f1OptimalThreshold: label at index ${i} is ${labels[i]}; expected 0 or 1`);
    if (Number.isNaN(scores[i])) throw new Error(`f1OptimalThreshold: score at index ${i} is NaN`);
  }
  if (nPos === 0) return null;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]); // descending
  // walking down the scores: after a whole tie group, everything at or above it is flagged (cut = next lower score)
  let tp = 0;
  let fp = 0;
  let best = { f1: 0, tp: 0, fp: 0, threshold: scores[idx[0]] }; // flag nothing: cut at the highest score
  let i = 0;
  while (i < n) {
    const s = scores[idx[i]];
    while (i < n && scores[idx[i]] === s) {
      if (labels[idx[i]] === 1) tp++; else fp++;
      i++;
    }
    const f1 = (2 * tp) / (2 * tp + fp + (nPos - tp));
    const cut = i < n ? scores[idx[i]] : nextDown(s);
    if (f1 > best.f1) best = { f1, tp, fp, threshold: cut };
  }
  return precisionRecallF1(labels, scores, best.threshold);
}

/** What a mode needs: the quantile mode's cut, and for fpr / f1 a labelled validation split (0 normal, 1 anomaly). */
export interface ThresholdInputs {
  quantile: number;
  targetFpr: number;
  labels: ArrayLike<number>;
  scores: ArrayLike<number>;
}

/**
 * The cut a mode chooses, or what it lacks (in words, to finish "…: <missing>"): fpr needs normal validation scores,
 * f1 anomalies among them too.
 */
export function pickThreshold(mode: ThresholdMode, o: ThresholdInputs): { threshold: number } | { missing: string } {
  if (mode === 'quantile') return { threshold: o.quantile };
  const normals: number[] = [];
  for (let i = 0; i < o.labels.length; i++) if (o.labels[i] === 0) normals.push(o.scores[i]);
  if (mode === 'fpr') {
    return normals.length ? { threshold: fprThreshold(normals, o.targetFpr) } : { missing: 'there is no validation split of normal data' };
  }
  if (o.labels.length === 0) return { missing: 'there is no validation split' };
  const best = f1OptimalThreshold(o.labels, o.scores);
  return best ? { threshold: best.threshold } : { missing: 'the validation split holds no anomalies, so F1 is 0 at every cut' };
}
