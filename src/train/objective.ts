/**
 * What an objective of the Deep SVDD stage is (src/train/objectives.ts lists them; adding one is a file with its
 * entry plus a line there, and test/unit/registries.test.ts checks each entry): the batch loss on the squared
 * distances d_i = ‖φ(x_i) − c‖², and how the radius R (the threshold of the scores d − R²) is found.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type DistanceLoss, type DistanceLossContext } from './distance-losses.js';

/** What a batch loss may read besides the distances. */
export interface BatchContext {
  /** R² (a variable when the solver trains it) */
  r2: tf.Tensor;
  /** ν of the soft boundary */
  nu: number;
  /** the batch's semi-supervised labels (+1 labelled normal, 0 unlabelled, −1 labelled anomaly), float32 */
  semi: tf.Tensor1D;
  /** η, the weight of the labelled samples (Deep SAD) */
  eta: number;
}

export interface SvddObjective {
  /** the name results.json "method" records (one of TRAIN_METHODS) */
  name: string;
  /** in words, as logged */
  title: string;
  /**
   * 'quantile': R is the (1−ν)-quantile of the training distances, set once after training (one-class);
   * 'soft-boundary': R is part of the objective (trained, or solved per the radius mode)
   */
  radius: 'quantile' | 'soft-boundary';
  /** whether the loss reads per-sample semi-supervised labels (BatchContext.semi) */
  semiSupervised: boolean;
  /** the objective on a batch, without the weight decay */
  batchLoss(d: tf.Tensor1D, b: BatchContext): tf.Scalar;
  /**
   * the same objective on plain numbers, with its gradient in d, for the fused MLP step (distance-losses.ts,
   * fused-mlp-problem.ts); without it that step does not apply and the TF.js step runs
   */
  distanceLoss?(c: DistanceLossContext): DistanceLoss;
}
