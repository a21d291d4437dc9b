/**
 * The objectives of the fused MLP step (fused-mlp-problem.ts) as functions of the batch's per-sample distances d_i
 * (Deep SVDD: ‖φ(x_i) − c‖²; the autoencoder: the row's reconstruction error Σ(x̂ − x)²) and the batch's sample
 * indices: each returns the loss and writes dL/dd_i. They define the same losses as the TF.js code:
 *
 *   mean            L = (1/B)·Σ d_i                         one-class Deep SVDD, autoencoder l2 (autoencoder.ts)
 *   soft-boundary   L = R² + 1/(ν·B)·Σ max(0, d_i − R²)      R fixed during the step (objective-soft-boundary.ts)
 *   Deep SAD        L = (1/B)·Σ ℓ_i, ℓ_i = d_i or η·(d_i + ε)^ỹ_i with ỹ looked up by `idx` (deep-sad-loss.ts)
 *
 * The weight penalty (0.5/C)·Σ‖W‖² is added by the caller. Each Deep SVDD objective's entry (objectives.ts) names
 * its function here (SvddObjective.distanceLoss); one without keeps the TF.js step.
 */
import { deepSadLossGradient, deepSadSampleLosses } from './deep-sad-loss.js';

/** L(d) of a batch: the loss, with dL/dd_i written to `grad` (length ≥ d.length). */
export type DistanceLoss = (d: Float32Array, idx: Int32Array, grad: Float64Array) => number;

/** L = mean d_i. */
export const meanDistanceLoss: DistanceLoss = (d, _idx, grad) => {
  const n = d.length;
  let s = 0;
  for (let i = 0; i < n; i++) { s += d[i]; grad[i] = 1 / n; }
  return s / n;
};

/** L = R² + 1/(ν·B)·Σ max(0, d_i − R²) at the current R² (read at each call); the gradient 0 at d_i = R², as TF.js's relu. */
export function softBoundaryDistanceLoss(radiusSquared: () => number, nu: number): DistanceLoss {
  return (d, _idx, grad) => {
    const n = d.length;
    const r2 = radiusSquared();
    const w = 1 / (nu * n);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const e = d[i] - r2;
      if (e > 0) { s += e; grad[i] = w; } else grad[i] = 0;
    }
    return r2 + s / (n * nu);
  };
}

/** L = (1/B)·Σ ℓ_i of Deep SAD, the labels ỹ of the batch's samples looked up by `idx` (none: all unlabelled). */
export function deepSadDistanceLoss(semiLabels: Int8Array | undefined, eta: number): DistanceLoss {
  let semi = new Int8Array(0);
  return (d, idx, grad) => {
    const n = d.length;
    if (semi.length !== n) semi = new Int8Array(n);
    for (let i = 0; i < n; i++) semi[i] = semiLabels ? semiLabels[idx[i]] : 0;
    const l = deepSadSampleLosses(d, semi, eta);
    grad.set(deepSadLossGradient(d, semi, eta));
    let s = 0;
    for (let i = 0; i < n; i++) s += l[i];
    return s / n;
  };
}

/** What an objective's distance loss may read (SvddObjective.distanceLoss). */
export interface DistanceLossContext {
  /** R² at the step (fixed during it) */
  radiusSquared: () => number;
  nu: number;
  /** per training sample: +1 labelled normal, 0 unlabelled, −1 labelled anomaly */
  semiLabels?: Int8Array;
  eta: number;
}
