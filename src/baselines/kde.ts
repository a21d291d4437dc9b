/**
 * Gaussian kernel density estimation as scikit-learn's KernelDensity(kernel='gaussian') computes it exactly
 * (no tree approximation):
 *
 *   log p(x) = logsumexp_j(−‖x − x_j‖² / (2h²)) − log n − (d/2)·log(2πh²)
 *
 * and the bandwidth h chosen by k-fold cross-validation on the held-out log-likelihood, as GridSearchCV does with
 * KernelDensity's own score (the sum of the log densities of a fold; the folds' sums are averaged).
 */
import { forEachDistanceRow, rowNorms, type Rows } from './distances.js';

/** numpy.logspace(start, stop, num, base): num values base^t, t evenly spaced from start to stop. */
export function logspace(start: number, stop: number, num: number, base = 10): number[] {
  if (num === 1) return [base ** start];
  return Array.from({ length: num }, (_, i) => base ** (start + ((stop - start) * i) / (num - 1)));
}

/** The original's bandwidth grid: logspace(−4.5, 5, 20, base 2). */
export const KDE_BANDWIDTHS = logspace(-4.5, 5, 20, 2);

/** log of the Gaussian kernel's normaliser for dimension d and bandwidth h: (d/2)·log(2πh²). */
export function gaussianLogNorm(d: number, h: number): number {
  return 0.5 * d * Math.log(2 * Math.PI * h * h);
}

/**
 * The bandwidths double precision can evaluate for rows of d values in [0, 1] (squared distances up to 4d with test
 * rows outside the training range): 1/(2h²) times them stays finite, and so does the normaliser's 2πh². Rounded
 * inwards to two digits.
 */
export function bandwidthRange(d: number): { min: number; max: number } {
  const digits = (x: number, round: (v: number) => number) => {
    const e = Math.floor(Math.log10(x)) - 1;
    return Number((round(x / 10 ** e) * 10 ** e).toPrecision(2));
  };
  return { min: digits(Math.sqrt((2 * d) / Number.MAX_VALUE), Math.ceil), max: digits(Math.sqrt(Number.MAX_VALUE / (2 * Math.PI)), Math.floor) };
}

/** logsumexp_j(−dist_j/(2h²)). */
function logSumExpNeg(dist: Float64Array, h: number): number {
  let m = Infinity;
  for (let j = 0; j < dist.length; j++) if (dist[j] < m) m = dist[j];
  if (m === Infinity) return -Infinity;
  const inv = 1 / (2 * h * h);
  let s = 0;
  for (let j = 0; j < dist.length; j++) s += Math.exp(-(dist[j] - m) * inv);
  return -m * inv + Math.log(s);
}

/** Log density of every row of `query` under the Gaussian KDE of `train` with bandwidth h. */
export function kdeLogDensity(train: Rows, query: Rows, h: number): Float64Array {
  const out = new Float64Array(query.n);
  const c = Math.log(train.n) + gaussianLogNorm(train.d, h);
  forEachDistanceRow(query, train, (i, dist) => { out[i] = logSumExpNeg(dist, h) - c; });
  return out;
}

/** Fold of each sample: folds of sizes as sklearn's KFold (the first n mod k folds one larger), over `order`. */
export function foldAssignment(n: number, k: number, order: ArrayLike<number>): Int32Array {
  if (!(k >= 2 && n >= k)) throw new Error(`k-fold: need at least k = ${k} ≥ 2 samples, got ${n}`);
  const fold = new Int32Array(n);
  let pos = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    for (let t = 0; t < size; t++) fold[order[pos++]] = f;
  }
  return fold;
}

export interface KdeCvResult {
  bandwidths: number[];
  /** per bandwidth: the mean over folds of the fold's summed held-out log density (GridSearchCV's mean_test_score) */
  meanScores: number[];
  best: number;
  bestIndex: number;
  /** held-out log density of every training sample at the chosen bandwidth */
  outOfFold: Float64Array;
}

/** k-fold cross-validation of the bandwidth; `fold[i]` is the fold of training sample i. One pass over the distances. */
export function kdeCrossValidate(train: Rows, bandwidths: readonly number[], fold: Int32Array, k: number): KdeCvResult {
  const sizes = new Float64Array(k);
  for (let i = 0; i < train.n; i++) sizes[fold[i]]++;
  const sums = Array.from({ length: bandwidths.length }, () => new Float64Array(k));
  const oof = bandwidths.map(() => new Float64Array(train.n));
  const norms = rowNorms(train);
  const logNorms = bandwidths.map((h) => gaussianLogNorm(train.d, h));
  const kept = new Float64Array(train.n);
  forEachDistanceRow(train, train, (i, dist) => {
    const f = fold[i];
    // the distances to the other folds' samples, minus their minimum (log-sum-exp), gathered once for all bandwidths
    let m = Infinity;
    let nk = 0;
    for (let j = 0; j < dist.length; j++) {
      if (fold[j] === f) continue;
      const v = dist[j];
      kept[nk++] = v;
      if (v < m) m = v;
    }
    for (let j = 0; j < nk; j++) kept[j] -= m;
    const logN = Math.log(nk);
    for (let b = 0; b < bandwidths.length; b++) {
      const inv = 1 / (2 * bandwidths[b] * bandwidths[b]);
      let acc = 0;
      for (let j = 0; j < nk; j++) acc += Math.exp(-kept[j] * inv);
      const v = -m * inv + Math.log(acc) - logN - logNorms[b];
      sums[b][f] += v;
      oof[b][i] = v;
    }
  }, norms, norms);
  const meanScores = sums.map((s) => s.reduce((a, v) => a + v, 0) / k);
  let bestIndex = 0;
  for (let b = 1; b < meanScores.length; b++) if (meanScores[b] > meanScores[bestIndex]) bestIndex = b;
  return { bandwidths: [...bandwidths], meanScores, best: bandwidths[bestIndex], bestIndex, outOfFold: oof[bestIndex] };
}
