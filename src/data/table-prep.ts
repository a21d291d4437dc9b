/**
 * The table protocol's pure parts (src/data/tables.ts): the seeded train/test split drawn separately within the
 * normal and the outlier rows, and the per-feature scaling fitted on the training split — standardisation (as
 * scikit-learn's StandardScaler: mean, population std, a zero std taken as 1), then min–max of the standardised
 * training values (as MinMaxScaler: a zero range taken as 1) — as the Deep SAD code's ODDS datasets do.
 */
import { permutation, type Rng } from '../util/rng.js';

export interface TableScaler { mean: number[]; std: number[]; min: number[]; max: number[] }

/** Within each group (0 = normal, 1 = outlier) a seeded permutation; ceil(testFrac·n) of each to the test split. Sorted. */
export function stratifiedSplit(isOutlier: Uint8Array, testFrac: number, rng: Rng): { train: Int32Array; test: Int32Array } {
  const train: number[] = [];
  const test: number[] = [];
  for (const group of [0, 1]) {
    const idx: number[] = [];
    isOutlier.forEach((v, i) => { if ((v ? 1 : 0) === group) idx.push(i); });
    const perm = permutation(idx.length, rng);
    const nTest = Math.ceil(testFrac * idx.length);
    perm.forEach((p, k) => (k < nTest ? test : train).push(idx[p]));
  }
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}

/** The scaling constants of n rows of d features (module header). */
export function fitTableScaler(x: Float64Array, n: number, d: number): TableScaler {
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j] += (x[i * d + j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j] / n) || 1;
  const min = new Array<number>(d).fill(Infinity);
  const max = new Array<number>(d).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const z = (x[i * d + j] - mean[j]) / std[j];
      if (z < min[j]) min[j] = z;
      if (z > max[j]) max[j] = z;
    }
  }
  return { mean, std, min, max };
}

/** ((x − mean)/std − min)/(max − min) per feature, as float32 (values outside the training range fall outside [0, 1]). */
export function applyTableScaler(x: Float64Array, n: number, d: number, s: TableScaler): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const range = s.max[j] - s.min[j] || 1;
      out[i * d + j] = ((x[i * d + j] - s.mean[j]) / s.std[j] - s.min[j]) / range;
    }
  }
  return out;
}
