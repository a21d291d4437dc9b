/**
 * The epoch loop shared by autoencoder pretraining and Deep SVDD: seeded reshuffle, learning-rate schedule,
 * one gradient step per batch inside tf.tidy, divergence check, a row per epoch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { epochBatches, makeBatchGatherer, type ImageSet } from '../data/batches.js';
import { type Rng } from '../util/rng.js';
import { lrAt, type LrSchedule } from './schedule.js';
import { type Solver } from './solvers.js';

export type Phase = 'pretrain' | 'train';

export interface EpochRow {
  phase: Phase;
  epoch: number;
  lr: number;
  loss: number;
  seconds: number;
  [extra: string]: number | string;
}

export class DivergenceError extends Error {
  constructor(readonly phase: Phase, readonly epoch: number, what: string) {
    super(`training diverged in ${phase === 'pretrain' ? 'autoencoder pretraining' : 'Deep SVDD training'}, epoch ${epoch}: ${what}; try a smaller --lr${phase === 'pretrain' ? ' / --ae-lr' : ''} or another --seed`);
    this.name = 'DivergenceError';
  }
}

export interface StepResult { loss: number }

/** What one phase trains: a step on a batch, and optional work at the end of each epoch. */
export interface Problem {
  /** one optimisation step on the batch at learning rate lr; returns the batch loss */
  step(x: tf.Tensor4D, lr: number, epoch: number): StepResult;
  /** called after each epoch; extra columns for the epoch row */
  endEpoch?(epoch: number): Record<string, number>;
}

export interface LoopOptions {
  phase: Phase;
  set: ImageSet;
  batchSize: number;
  nEpochs: number;
  schedule: LrSchedule;
  rng: Rng;
  problem: Problem;
  log: (line: string) => void;
  onEpoch: (row: EpochRow) => void;
  /** checked between batches; true stops the loop after the current batch */
  shouldStop?: () => boolean;
  startEpoch?: number;
  /** diagnostics after each epoch (validation loss, per-epoch test AUC, snapshots): extra columns for the row */
  afterEpoch?: (epoch: number) => Record<string, number>;
}

/** Runs epochs startEpoch..nEpochs-1; returns the number of epochs completed (less than nEpochs if stopped). */
export function runEpochs(o: LoopOptions): number {
  const gather = makeBatchGatherer(o.set, o.batchSize);
  for (let epoch = o.startEpoch ?? 0; epoch < o.nEpochs; epoch++) {
    const t0 = performance.now();
    const { lr, dropped } = lrAt(o.schedule, epoch);
    if (dropped) o.log(`Learning rate drop in epoch ${epoch} from ${(lr * o.schedule.dropFactor).toPrecision(3)} to ${lr.toPrecision(3)}`);
    let lossSum = 0;
    let count = 0;
    for (const idx of epochBatches(o.set.n, o.batchSize, o.rng)) {
      const x = gather(idx);
      let res: StepResult;
      try {
        res = o.problem.step(x, lr, epoch);
      } finally {
        x.dispose();
      }
      if (!Number.isFinite(res.loss)) throw new DivergenceError(o.phase, epoch, `the loss is ${res.loss}`);
      lossSum += res.loss * idx.length;
      count += idx.length;
      if (o.shouldStop?.()) return epoch;
    }
    const extra = o.problem.endEpoch?.(epoch) ?? {};
    const seconds = (performance.now() - t0) / 1000;
    const diagnostics = o.afterEpoch?.(epoch) ?? {};
    const row: EpochRow = { phase: o.phase, epoch, lr, loss: lossSum / count, seconds, ...extra, ...diagnostics };
    o.onEpoch(row);
  }
  return o.nEpochs;
}

/** One gradient step: value and gradients of `loss` w.r.t. `vars`, then the solver update. Returns the loss. */
export function gradientStep(vars: tf.Variable[], loss: () => tf.Scalar, solver: Solver, lr: number): number {
  const value = tf.tidy(() => {
    const { value: v, grads } = tf.variableGrads(loss, vars);
    solver.step(vars, vars.map((w) => grads[w.name]), lr);
    return v;
  });
  const out = value.dataSync()[0];
  value.dispose();
  return out;
}
