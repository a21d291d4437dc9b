/**
 * ZCA whitening (the original's `--zca_whitening 1`): flatten, subtract the training mean, Σ = XᵀX/n over the
 * training set, W = U·diag(1/√(S + ε))·Uᵀ from Σ = U·diag(S)·Uᵀ, ε = 0.1, and x ← W·(x − mean) for every set.
 *
 * The eigen-decomposition is ml-matrix's (symmetric: Householder tridiagonalisation + QL). With fewer training
 * images n than dimensions D it works on the n × n Gram matrix instead (exactly the same W: the directions outside
 * the data's span have S = 0 and get 1/√ε), which is what makes whitening a 680-image GTSRB set cheap. Its cost
 * grows as min(n, D)³.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { check } from '../util/errors.js';

export const ZCA_EPS = 0.1;

export interface ZcaTransform {
  d: number;
  /** training mean, D values */
  mean: Float32Array;
  /** W, D × D row-major (symmetric) */
  W: Float32Array;
}

/** Fits W on n training rows of d values (x is not modified). `via` forces a path (tests). */
export function fitZca(x: Float32Array, n: number, d: number, eps = ZCA_EPS, via?: 'covariance' | 'gram'): ZcaTransform {
  check(n >= 1 && x.length === n * d, `ZCA whitening: ${x.length} values are not ${n} rows of ${d}`);
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j] += x[r * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const xc = new Float64Array(n * d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) xc[r * d + j] = x[r * d + j] - mean[j];
  const Xc = Matrix.from1DArray(n, d, xc);
  const W = new Float64Array(d * d);
  if ((via ?? (n >= d ? 'covariance' : 'gram')) === 'covariance') {
    const cov = Xc.transpose().mmul(Xc).div(n);
    const e = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
    const U = e.eigenvectorMatrix;
    const s = e.realEigenvalues.map((v) => 1 / Math.sqrt(Math.max(0, v) + eps));
    for (let k = 0; k < d; k++) {
      const sk = s[k];
      for (let i = 0; i < d; i++) {
        const uik = U.get(i, k) * sk;
        if (uik === 0) continue;
        for (let j = 0; j < d; j++) W[i * d + j] += uik * U.get(j, k);
      }
    }
  } else {
    // Σ = XcᵀXc/n has the nonzero eigenpairs (S_j, u_j = Xcᵀv_j/√(n·S_j)) of G = Xc·Xcᵀ/n; elsewhere S = 0
    const G = Xc.mmul(Xc.transpose()).div(n);
    const e = new EigenvalueDecomposition(G, { assumeSymmetric: true });
    const V = e.eigenvectorMatrix;
    const base = 1 / Math.sqrt(eps);
    for (let i = 0; i < d; i++) W[i * d + i] = base;
    const top = Math.max(...e.realEigenvalues);
    const u = new Float64Array(d);
    e.realEigenvalues.forEach((S, k) => {
      if (!(S > 1e-12 * top)) return;
      u.fill(0);
      for (let r = 0; r < n; r++) {
        const v = V.get(r, k);
        for (let j = 0; j < d; j++) u[j] += xc[r * d + j] * v;
      }
      const scale = 1 / Math.sqrt(n * S);
      const coef = 1 / Math.sqrt(S + eps) - base;
      for (let i = 0; i < d; i++) {
        const ui = u[i] * scale * coef;
        for (let j = 0; j < d; j++) W[i * d + j] += ui * u[j] * scale;
      }
    });
  }
  return { d, mean: Float32Array.from(mean), W: Float32Array.from(W) };
}

/** x ← W·(x − mean) for each of the rows of x, in place. */
export function applyZca(x: Float32Array, t: ZcaTransform): void {
  const { d, mean, W } = t;
  check(x.length % d === 0, `ZCA whitening: ${x.length} values are not rows of ${d}`);
  const c = new Float64Array(d);
  for (let off = 0; off < x.length; off += d) {
    for (let j = 0; j < d; j++) c[j] = x[off + j] - mean[j];
    for (let i = 0; i < d; i++) {
      let s = 0;
      const wi = i * d;
      for (let j = 0; j < d; j++) s += W[wi + j] * c[j];
      x[off + i] = s;
    }
  }
}
