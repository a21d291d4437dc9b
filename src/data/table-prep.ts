/**
 * The preparation of a labelled table for one-class training, as the Deep SAD code (Ruff et al., ICLR 2020) does for
 * the ODDS benchmarks: a train/test split drawn separately within the normals and within the outliers (sklearn's
 * train_test_split rule, test share rounded up), then per-feature standardisation followed by min–max scaling, both
 * fitted on the training rows (sklearn's StandardScaler then MinMaxScaler). Pure functions.
 */
import type { Rng } from '../util/rng.js';
import { permutation } from '../util/rng.js';

/** Per-feature scaling fitted on training rows: x ↦ ((x − mean) / std − min) / (max − min). */
export interface TableScaler {
  /** the training mean */
  mean: number[];
  /** the training population standard deviation (ddof = 0); 1 for a constant feature */
  std: number[];
  /** the least and greatest standardised training value */
  min: number[];
  max: number[];
}

/**
 * Splits rows into train and test within each group (isOutlier 0 = normal, else outlier): a seeded permutation of
 * the group (normals first, then outliers, drawing from `rng` in that order), its first ceil(testFrac · size) rows to
 * test and the rest to train. Both lists are sorted ascending.
 */
export function stratifiedSplit(isOutlier: Uint8Array, testFrac: number, rng: Rng): { train: Int32Array; test: Int32Array } {
  if (!(testFrac > 0 && testFrac < 1)) throw new RangeError(`testFrac must lie strictly between 0 and 1, got ${testFrac}`);
  const train: number[] = [];
  const test: number[] = [];
  for (const outlier of [false, true]) {
    const group: number[] = [];
    isOutlier.forEach((v, i) => { if ((v !== 0) === outlier) group.push(i); });
    const order = permutation(group.length, rng);
    const nTest = Math.ceil(testFrac * group.length);
    order.forEach((k, rank) => (rank < nTest ? test : train).push(group[k]));
  }
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}

/**
 * Whether a variance of `v` over n values of mean `mean` is zero up to rounding (sklearn's _is_constant_feature):
 * a constant column's computed variance is often a tiny positive number rather than 0.
 */
function isConstant(v: number, mean: number, n: number): boolean {
  const eps = Number.EPSILON;
  return v <= n * eps * v + (n * mean * eps) ** 2;
}

/** Mean and population standard deviation of column j of x (n × d), as StandardScaler computes them. */
function meanStd(x: Float64Array, n: number, d: number, j: number): [number, number] {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i * d + j];
  const mean = sum / n;
  let sq = 0;
  let dev = 0;
  for (let i = 0; i < n; i++) {
    const e = x[i * d + j] - mean;
    sq += e * e;
    dev += e;
  }
  const variance = (sq - (dev * dev) / n) / n; // two-pass, with the rounding of the mean corrected
  return [mean, isConstant(variance, mean, n) ? 1 : Math.sqrt(variance)];
}

/** Fits a TableScaler on the rows of x (n × d, row-major): standardisation, then the standardised range. */
export function fitTableScaler(x: Float64Array, n: number, d: number): TableScaler {
  if (n < 1 || x.length !== n * d) throw new RangeError(`fitTableScaler needs n ≥ 1 rows of ${d} values, got ${x.length} values for n = ${n}`);
  const s: TableScaler = { mean: [], std: [], min: [], max: [] };
  for (let j = 0; j < d; j++) {
    const [mean, std] = meanStd(x, n, d, j);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const z = (x[i * d + j] - mean) / std;
      if (z < min) min = z;
      if (z > max) max = z;
    }
    s.mean.push(mean); s.std.push(std); s.min.push(min); s.max.push(max);
  }
  return s;
}

/**
 * Scales the rows of x (n × d) with `s`: ((x − mean) / std − min) / (max − min), a range under 10·ε counting as 1
 * (sklearn's MinMaxScaler). Values of rows the scaler was not fitted on may fall outside [0, 1].
 */
export function applyTableScaler(x: Float64Array, n: number, d: number, s: TableScaler): Float32Array {
  if (x.length !== n * d || s.mean.length !== d) throw new RangeError(`applyTableScaler: ${x.length} values for ${n} × ${d}, scaler of ${s.mean.length} features`);
  const range = s.min.map((min, j) => (s.max[j] - min < 10 * Number.EPSILON ? 1 : s.max[j] - min));
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) out[i * d + j] = ((x[i * d + j] - s.mean[j]) / s.std[j] - s.min[j]) / range[j];
  }
  return out;
}
