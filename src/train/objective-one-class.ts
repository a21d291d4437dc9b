/** One-class Deep SVDD (Ruff et al. 2018): J = mean_i d_i; R is the (1−ν)-quantile of the training distances. */
import * as tf from '@tensorflow/tfjs-core';
import { meanDistanceLoss } from './distance-losses.js';
import { type SvddObjective } from './objective.js';

export const ONE_CLASS: SvddObjective = {
  name: 'one-class', title: 'one-class Deep SVDD', radius: 'quantile', semiSupervised: false,
  batchLoss: (d) => tf.mean(d) as tf.Scalar,
  distanceLoss: () => meanDistanceLoss,
};
