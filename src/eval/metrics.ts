/**
 * Evaluation metrics as pure functions on plain number arrays / typed arrays.
 *
 * Conventions: labels are 0 (normal) or 1 (outlier); higher score = more anomalous; the outlier class is
 * the positive class. The functions reproduce the values of the scikit-learn / NumPy routines named in
 * each doc comment.
 */

/** Validates a binary label vector against a score vector of the same length; returns the positive count. */
function checkBinary(labels: ArrayLike<number>, scores: ArrayLike<number>, fn: string): number {
  const n = labels.length;
  if (n !== scores.length) {
    throw new Error(`${fn}: labels (${n}) and scores (${scores.length}) differ in length`);
  }
  if (n === 0) throw new Error(`${fn}: empty input`);
  let nPos = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y === 1) nPos++;
    else if (y !== 0) throw new Error(`${fn}: label at index ${i} is ${y}; expected 0 or 1`);
    if (Number.isNaN(scores[i])) throw new Error(`${fn}: score at index ${i} is NaN`);
  }
  return nPos;
}

/** Indices 0..n-1 ordered by ascending score (stable). */
function argsortAscending(scores: ArrayLike<number>): Uint32Array {
  const n = scores.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  // Ties are grouped explicitly by the callers, so the order within a tie does not matter. The comparator
  // avoids subtraction so that ±Infinity scores sort correctly.
  idx.sort((a, b) => {
    const sa = scores[a];
    const sb = scores[b];
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  });
  return idx;
}

/**
 * Area under the ROC curve, equal to sklearn.metrics.roc_auc_score(labels, scores): the Mann–Whitney U
 * statistic with average ranks for tied scores, divided by n_pos·n_neg. O(n log n).
 * Throws an Error when only one class is present (the AUC is undefined).
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  const nPos = checkBinary(labels, scores, 'rocAuc');
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new Error(
      'rocAuc: only one class present in the labels; ROC AUC is not defined in that case',
    );
  }
  const idx = argsortAscending(scores);
  // Sum of (1-based, tie-averaged) ranks of the positives.
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    const s = scores[idx[i]];
    while (j < n && scores[idx[j]] === s) j++;
    // Group idx[i..j-1] shares ranks i+1..j; average rank = (i+1+j)/2.
    let posInGroup = 0;
    for (let k = i; k < j; k++) if (labels[idx[k]] === 1) posInGroup++;
    rankSumPos += posInGroup * ((i + 1 + j) / 2);
    i = j;
  }
  const u = rankSumPos - (nPos * (nPos + 1)) / 2;
  return u / (nPos * nNeg);
}

/**
 * Average precision (area under the precision–recall curve, outlier = positive class), equal to
 * sklearn.metrics.average_precision_score(labels, scores): AP = Σ_k (R_k − R_{k−1})·P_k over the distinct
 * score thresholds in decreasing order (tied scores form one step), with R_0 = 0.
 * Like scikit-learn, returns 0 when there are no positive labels (recall is then undefined).
 */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  const nPos = checkBinary(labels, scores, 'averagePrecision');
  if (nPos === 0) return 0;
  const idx = argsortAscending(scores);
  let tp = 0;
  let fp = 0;
  let prevRecall = 0;
  let ap = 0;
  let i = n - 1;
  while (i >= 0) {
    const s = scores[idx[i]];
    let j = i;
    while (j >= 0 && scores[idx[j]] === s) {
      if (labels[idx[j]] === 1) tp++;
      else fp++;
      j--;
    }
    const recall = tp / nPos;
    const precision = tp / (tp + fp);
    ap += (recall - prevRecall) * precision;
    prevRecall = recall;
    i = j;
  }
  return ap;
}

/** NumPy's _lerp: a + (b−a)·t, computed from the b end when t ≥ 0.5 (bit-for-bit like numpy). */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Linear-interpolation quantile of an ascending-sorted array (no validation). */
function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return lerp(sorted[lo], sorted[hi], h - lo);
}

function checkQ(q: number, fn: string): void {
  if (!(q >= 0 && q <= 1)) throw new Error(`${fn}: quantile q must lie in [0, 1], got ${q}`);
}

/** Sorted float64 copy of `values`; throws on empty input. Returns null if any value is NaN. */
function sortedCopy(values: ArrayLike<number>, fn: string): Float64Array | null {
  const n = values.length;
  if (n === 0) throw new Error(`${fn}: empty input`);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Number.isNaN(v)) return null;
    a[i] = v;
  }
  a.sort(); // Float64Array sorts numerically
  return a;
}

/**
 * numpy.quantile(values, q) with the default method 'linear': with the values sorted ascending and
 * h = (n−1)·q, returns x[⌊h⌋] + (h−⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). Returns NaN if any value is NaN (as NumPy does).
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  checkQ(q, 'quantile');
  const sorted = sortedCopy(values, 'quantile');
  if (sorted === null) return NaN;
  return quantileSorted(sorted, q);
}

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
  threshold: number;
  nPredictedOutliers: number;
}

/**
 * Precision, recall and F1 of the rule "predicted outlier iff score > threshold" (outlier = positive).
 * Each ratio is defined as 0 where its denominator is 0. f1 = 2·TP / (2·TP + FP + FN).
 */
export function precisionRecallF1(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold: number,
): PrecisionRecallF1 {
  checkBinary(labels, scores, 'precisionRecallF1');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const predOut = scores[i] > threshold;
    const isOut = labels[i] === 1;
    if (predOut && isOut) tp++;
    else if (predOut) fp++;
    else if (isOut) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = 2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0;
  return { precision, recall, f1, threshold, nPredictedOutliers: tp + fp };
}

export interface FiveNumber {
  min: number;
  p5: number;
  median: number;
  p95: number;
  max: number;
}

/** {min, 5th percentile, median, 95th percentile, max} with NumPy linear quantiles (NaN if any NaN). */
export function fiveNumber(values: ArrayLike<number>): FiveNumber {
  const sorted = sortedCopy(values, 'fiveNumber');
  if (sorted === null) return { min: NaN, p5: NaN, median: NaN, p95: NaN, max: NaN };
  return {
    min: sorted[0],
    p5: quantileSorted(sorted, 0.05),
    median: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    max: sorted[sorted.length - 1],
  };
}

/** Population standard deviation (numpy.std, ddof = 0), two-pass; used to detect collapsed scores. */
export function scoreSpread(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) throw new Error('scoreSpread: empty input');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / n);
}
