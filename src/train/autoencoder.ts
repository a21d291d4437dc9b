/** Autoencoder training: pretraining for Deep SVDD, and the DCAE baseline (`--loss autoencoder`). */
import * as tf from '@tensorflow/tfjs-core';
import { reconstructionLoss } from '../eval/infer.js';
import { type Network, weightSquaredSum } from '../nn/networks.js';
import { gradientStep, type Problem } from './loop.js';
import { type Solver } from './solvers.js';

export interface AeObjective {
  loss: 'l2' | 'ce';
  /** (0.5/C)·Σ‖W‖² when set */
  weightDecayC?: number;
}

/** Batch mean of the per-image reconstruction error, plus the weight penalty. */
export function autoencoderLoss(ae: Network, x: tf.Tensor4D, o: AeObjective): tf.Scalar {
  const rec = tf.mean(reconstructionLoss(ae.forward(x, true), x, o.loss)) as tf.Scalar;
  return o.weightDecayC ? tf.add(rec, tf.mul(weightSquaredSum(ae), 0.5 / o.weightDecayC)) as tf.Scalar : rec;
}

export function autoencoderProblem(ae: Network, o: AeObjective, solver: Solver): Problem {
  const vars = ae.params.map((p) => p.variable);
  return {
    step: (x, lr) => ({ loss: gradientStep(vars, () => autoencoderLoss(ae, x, o), solver, lr) }),
  };
}
