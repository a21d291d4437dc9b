/**
 * Deep SVDD objectives (Ruff et al. 2018) with the radius rules of README.md, "Differences from the original code".
 *
 *   one-class:      J = mean_i d_i + (1/(2C))·Σ‖W‖²
 *   soft-boundary:  J = R² + 1/(ν·B)·Σ_i max(0, d_i − R²) + (1/(2C))·Σ‖W‖²
 * with d_i = ‖φ(x_i) − c‖² (train-mode batch norm). R is the radius everywhere; scores are d − R².
 *
 * Soft-boundary radius modes:
 *   solver          R² is a trainable scalar updated by the solver with the network (the original's
 *                   block_coordinate 0)
 *   batch-quantile  after warm-up, R = (1−ν)-quantile of √d of the current batch after every step (PyTorch port)
 *   block           R fixed during steps; after each warm-up epoch and every k-th epoch after, R is set to the
 *                   exact minimiser over the training set (the original's block_coordinate 1, without its unit bug)
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ImageSet } from '../data/batches.js';
import { squaredDistances } from '../eval/infer.js';
import { type Network, weightSquaredSum } from '../nn/networks.js';
import { gradientStep, type Problem } from './loop.js';
import { type SvddObjective } from './objective.js';
import { ONE_CLASS } from './objective-one-class.js';
import { SOFT_BOUNDARY, softBoundaryLoss } from './objective-soft-boundary.js';
import { batchQuantileRadius, softBoundaryRadius } from './radius.js';
import { type Solver } from './solvers.js';

export type RadiusMode = 'one-class' | 'solver' | 'batch-quantile' | 'block';

export { softBoundaryLoss };

export interface SvddSettings {
  mode: RadiusMode;
  /** the batch loss (src/train/objectives.ts); default: one-class for mode 'one-class', else soft-boundary */
  objective?: SvddObjective;
  /** semi-supervised label (+1 / 0 / −1) of each training sample, read through the batch's indices (Deep SAD) */
  semiLabels?: Int8Array;
  /** η of Deep SAD (default 1) */
  eta?: number;
  nu: number;
  /** (1/(2C))·Σ‖W‖² when set */
  weightDecayC?: number;
  centerFixed: boolean;
  warmUpNEpochs: number;
  kUpdateEpochs: number;
  evalBatchSize: number;
}

/**
 * Centre and radius; c and R² are variables so that `--center-fixed 0` and the solver radius mode can train them.
 * R² is kept as the float32 value the objective uses, and scores and decisions use that same value.
 */
export class SvddState {
  readonly c: tf.Variable<tf.Rank.R1>;
  readonly rSquared: tf.Variable<tf.Rank.R0>;
  constructor(c: Float32Array, radiusSquared: number, trainable: { c: boolean; r: boolean }) {
    this.c = tf.variable(tf.tensor1d(c), trainable.c);
    this.rSquared = tf.variable(tf.scalar(radiusSquared), trainable.r);
  }
  get radiusSquared(): number {
    return this.rSquared.dataSync()[0];
  }
  set radiusSquared(s: number) {
    tf.tidy(() => this.rSquared.assign(tf.scalar(s)));
  }
  get radius(): number {
    return Math.sqrt(Math.max(0, this.radiusSquared));
  }
  set radius(r: number) {
    this.radiusSquared = r * r;
  }
  center(): Float32Array {
    return Float32Array.from(this.c.dataSync());
  }
  dispose(): void {
    this.c.dispose();
    this.rSquared.dispose();
  }
}

export function svddDistances(net: Network, x: tf.Tensor4D, c: tf.Tensor1D): tf.Tensor1D {
  return tf.sum(tf.squaredDifference(net.forward(x, true), c), 1) as tf.Tensor1D;
}

/** The radius as the objective and the epoch rows see it: SvddState, or the fused step's copy of it. */
export interface RadiusHolder {
  radiusSquared: number;
  radius: number;
}

/**
 * What both step paths (this file's and fused-mlp-problem.ts's) do besides the gradient step: after each step the
 * batch-quantile radius and the epoch's distances; at an epoch's end the block radius update (on `trainDistances`,
 * the eval-mode distances of the training set) and the epoch row's R and frac_outside.
 */
export function svddRadiusRules(s: SvddSettings, r: RadiusHolder, trainDistances: () => Float32Array) {
  let epochDistances: number[] = [];
  return {
    afterStep(d: ArrayLike<number>, epoch: number): void {
      for (let i = 0; i < d.length; i++) epochDistances.push(d[i]);
      if (s.mode === 'batch-quantile' && epoch >= s.warmUpNEpochs) r.radius = batchQuantileRadius(d, s.nu);
    },
    endEpoch(epoch: number): Record<string, number> {
      const extra: Record<string, number> = {};
      if (s.mode === 'block' && (epoch < s.warmUpNEpochs || epoch % s.kUpdateEpochs === 0)) {
        r.radius = softBoundaryRadius(trainDistances(), s.nu);
        extra.r_updated = 1;
      }
      // one-class: R only sets the reported threshold and is computed once, after training
      if (s.mode !== 'one-class') {
        extra.R = r.radius;
        extra.frac_outside = fractionAbove(epochDistances, r.radiusSquared);
      }
      epochDistances = [];
      return extra;
    },
  };
}

export function svddProblem(net: Network, set: ImageSet, state: SvddState, s: SvddSettings, solver: Solver): Problem {
  const vars = net.params.map((p) => p.variable);
  if (!s.centerFixed) vars.push(state.c);
  if (s.mode === 'solver') vars.push(state.rSquared);
  const rules = svddRadiusRules(s, state, () => squaredDistances(net, set, state.c, s.evalBatchSize, 'tfjs'));
  const penalty = () => (s.weightDecayC ? tf.mul(weightSquaredSum(net), 0.5 / s.weightDecayC) : tf.scalar(0));
  const objective = s.objective ?? (s.mode === 'one-class' ? ONE_CLASS : SOFT_BOUNDARY);
  if (objective.semiSupervised && s.semiLabels && s.semiLabels.length !== set.n) {
    throw new Error(`svddProblem: ${s.semiLabels.length} semi-supervised labels for ${set.n} training samples`);
  }
  const batchSemi = (idx: Int32Array): tf.Tensor1D => {
    const y = new Float32Array(idx.length);
    if (objective.semiSupervised && s.semiLabels) for (let i = 0; i < idx.length; i++) y[i] = s.semiLabels[idx[i]];
    return tf.tensor1d(y);
  };

  return {
    step(x, lr, epoch, idx) {
      let dBatch: tf.Tensor1D | undefined;
      const semi = objective.semiSupervised ? batchSemi(idx) : undefined;
      let loss: number;
      try {
        loss = gradientStep(vars, () => {
          const d = svddDistances(net, x, state.c);
          dBatch = tf.keep(d);
          const obj = objective.batchLoss(d, { r2: state.rSquared, nu: s.nu, semi: semi ?? tf.zerosLike(d), eta: s.eta ?? 1 });
          return tf.add(obj, penalty()) as tf.Scalar;
        }, solver, lr);
      } finally {
        semi?.dispose();
      }
      const d = dBatch!.dataSync() as Float32Array;
      dBatch!.dispose();
      rules.afterStep(d, epoch);
      return { loss };
    },
    endEpoch: (epoch) => rules.endEpoch(epoch),
  };
}

function fractionAbove(d: ArrayLike<number>, t: number): number {
  let k = 0;
  for (let i = 0; i < d.length; i++) if (d[i] > t) k++;
  return d.length ? k / d.length : 0;
}
