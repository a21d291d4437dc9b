/**
 * PCA keeping a fraction of the variance, as scikit-learn's PCA(n_components=0.95) does: centre with the training
 * mean, keep the fewest leading components whose explained-variance ratios sum to more than the fraction, project
 * (no whitening). The eigen-decomposition of the covariance matrix is ml-pca's (ml-matrix's symmetric EVD); the
 * covariance and the projection are computed here on typed arrays, which is much faster than ml-matrix's generic
 * matrix views for thousands of rows.
 */
import { PCA } from 'ml-pca';
import { type Rows } from './distances.js';

export interface PcaModel {
  mean: Float64Array;
  /** d × k, column c = the c-th principal axis (row-major) */
  components: Float64Array;
  d: number;
  k: number;
  /** explained-variance ratio of every component (all d) */
  explained: number[];
}

/** sklearn's rule for a fractional n_components: the first k with cumulative explained-variance ratio > fraction. */
export function componentsFor(explained: readonly number[], fraction: number): number {
  let cum = 0;
  for (let k = 0; k < explained.length; k++) {
    cum += explained[k];
    if (cum > fraction) return k + 1;
  }
  return explained.length;
}

/** Fits the PCA on the rows of `train`, keeping `fraction` (0 < fraction < 1) of the variance. */
export function fitPca(train: Rows, fraction: number): PcaModel {
  const { n, d, x } = train;
  if (n < 2) throw new Error('PCA: need at least 2 training samples');
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += x[i * d + k];
  for (let k = 0; k < d; k++) mean[k] /= n;
  // covariance (upper triangle, mirrored), unbiased as numpy/sklearn
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) row[k] = x[i * d + k] - mean[k];
    for (let a = 0; a < d; a++) {
      const va = row[a];
      if (va === 0) continue;
      const off = a * d;
      for (let b = a; b < d; b++) cov[off + b] += va * row[b];
    }
  }
  const cm: number[][] = [];
  for (let a = 0; a < d; a++) {
    const r = new Array<number>(d);
    for (let b = 0; b < d; b++) r[b] = (a <= b ? cov[a * d + b] : cov[b * d + a]) / (n - 1);
    cm.push(r);
  }
  const pca = new PCA(cm, { isCovarianceMatrix: true });
  const explained = pca.getExplainedVariance();
  const k = componentsFor(explained, fraction);
  const U = pca.getEigenvectors();
  const components = new Float64Array(d * k);
  for (let a = 0; a < d; a++) for (let c = 0; c < k; c++) components[a * k + c] = U.get(a, c);
  return { mean, components, d, k, explained };
}

/** Projects the rows of `m` onto the model's k components. */
export function pcaTransform(model: PcaModel, m: Rows): Rows {
  if (m.d !== model.d) throw new Error(`PCA: fitted on ${model.d} features, given ${m.d}`);
  const { d, k, mean, components } = model;
  const out = new Float32Array(m.n * k);
  const acc = new Float64Array(k);
  for (let i = 0; i < m.n; i++) {
    acc.fill(0);
    for (let a = 0; a < d; a++) {
      const v = m.x[i * d + a] - mean[a];
      if (v === 0) continue;
      const off = a * k;
      for (let c = 0; c < k; c++) acc[c] += v * components[off + c];
    }
    out.set(acc, i * k);
  }
  return { x: out, n: m.n, d: k };
}
