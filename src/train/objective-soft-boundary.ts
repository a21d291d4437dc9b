/** Soft-boundary Deep SVDD (Ruff et al. 2018): J = R² + 1/(ν·B)·Σ_i max(0, d_i − R²). */
import * as tf from '@tensorflow/tfjs-core';
import { softBoundaryDistanceLoss } from './distance-losses.js';
import { type SvddObjective } from './objective.js';

/** Soft-boundary objective on squared distances d for a given R² (a tensor, so that R² can be trained). */
export function softBoundaryLoss(d: tf.Tensor1D, r2: tf.Tensor, nu: number): tf.Scalar {
  return tf.add(r2, tf.div(tf.mean(tf.relu(tf.sub(d, r2))), nu)) as tf.Scalar;
}

export const SOFT_BOUNDARY: SvddObjective = {
  name: 'soft-boundary', title: 'soft-boundary Deep SVDD', radius: 'soft-boundary', semiSupervised: false,
  batchLoss: (d, b) => softBoundaryLoss(d, b.r2, b.nu),
  distanceLoss: (c) => softBoundaryDistanceLoss(c.radiusSquared, c.nu),
};
