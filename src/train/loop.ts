/**
 * The epoch loop shared by autoencoder pretraining and Deep SVDD: seeded reshuffle, learning-rate schedule,
 * one gradient step per batch inside tf.tidy, divergence check, a row per epoch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { epochBatches, makeBatchGatherer, makeRowGatherer, type ImageSet } from '../data/batches.js';
import { DivergenceError } from '../util/errors.js';
import { type Rng } from '../util/rng.js';
import { lrAt, type LrSchedule } from './schedule.js';
import { type Solver } from './solvers.js';

export type Phase = 'pretrain' | 'train';

export { DivergenceError };

export interface EpochRow {
  phase: Phase;
  epoch: number;
  lr: number;
  loss: number;
  seconds: number;
  [extra: string]: number | string;
}

export interface StepResult { loss: number }

/** What one phase trains: a step on a batch, and optional work at the end of each epoch. */
export interface Problem {
  /**
   * one optimisation step on the batch at learning rate lr; returns the batch loss. `idx` are the batch's sample
   * indices into the training set (for per-sample data such as semi-supervised labels).
   */
  step(x: tf.Tensor4D, lr: number, epoch: number, idx: Int32Array): StepResult;
  /**
   * the same step on the batch as host rows [n × image size] (when present, runEpochs makes no tensor: the fused MLP
   * step of fused-mlp-problem.ts)
   */
  stepRows?(x: Float32Array, n: number, lr: number, epoch: number, idx: Int32Array): StepResult;
  /** called after each epoch; extra columns for the epoch row */
  endEpoch?(epoch: number): Record<string, number>;
  /**
   * writes state the problem keeps outside the TF.js variables (the fused MLP step's weights, solver slots, batch-norm
   * statistics, radius) back to them. Writing them back after every epoch was a tenth of a short table run, so it
   * happens only before something reads them: the loop passes it to afterEpoch and onCheckpoint (which call it when
   * they read), calls it before the weight check when the problem has no `finite`, before a mid-epoch checkpoint and
   * at the end of the phase; the problem's own endEpoch calls it itself when it reads the TF.js network.
   */
  sync?(): void;
  /**
   * whether the weights the problem keeps outside TF.js are all finite (undefined when it keeps none yet): the
   * end-of-epoch weight check without a sync
   */
  finite?(): boolean | undefined;
}

/** Where the loop stands: enough to continue a run exactly (checkpoints). */
export interface LoopPosition {
  phase: Phase;
  /** epoch in progress (or the next one, with batch 0) */
  epoch: number;
  /** batches of `epoch` already done */
  batch: number;
  /** the order generator's state at the start of `epoch` (its permutation is re-drawn from it) */
  rngState: object;
  lossSum: number;
  count: number;
}

export interface LoopOptions {
  phase: Phase;
  set: ImageSet;
  batchSize: number;
  /** leave out each epoch's last partial batch (when there is a full one) */
  dropLast?: boolean;
  nEpochs: number;
  schedule: LrSchedule;
  rng: Rng;
  problem: Problem;
  log: (line: string) => void;
  onEpoch: (row: EpochRow) => void;
  /** checked between batches; true stops the loop after the current batch */
  shouldStop?: () => boolean;
  /** continue from a checkpointed position (its rngState must be the state `rng` starts in) */
  resume?: LoopPosition;
  /**
   * diagnostics after each epoch (validation loss, per-epoch test AUC, snapshots): extra columns for the row. Call
   * `sync` before reading the network, the solver or the state (Problem.sync).
   */
  afterEpoch?: (epoch: number, sync: () => void) => Record<string, number>;
  /**
   * called after each epoch's row, and when stopping mid-epoch, with the position to resume from; call `sync` before
   * saving the network, the solver or the state
   */
  onCheckpoint?: (pos: LoopPosition, sync: () => void) => void;
  /** variables checked for non-finite values at the end of each epoch */
  weights?: tf.Variable[];
}

/** Runs the remaining epochs; returns the number of epochs completed (less than nEpochs if stopped). */
export async function runEpochs(o: LoopOptions): Promise<number> {
  const gather = makeBatchGatherer(o.set, o.batchSize);
  const gatherRows = makeRowGatherer(o.set, o.batchSize);
  let lastYield = performance.now();
  const r = o.resume;
  const sync = () => o.problem.sync?.();
  for (let epoch = r?.epoch ?? 0; epoch < o.nEpochs; epoch++) {
    const t0 = performance.now();
    const { lr, dropped } = lrAt(o.schedule, epoch);
    const resuming = r !== undefined && epoch === r.epoch;
    if (dropped && !(resuming && r.batch > 0)) {
      o.log(`Learning rate drop in epoch ${epoch} from ${(lr * o.schedule.dropFactor).toPrecision(3)} to ${lr.toPrecision(3)}`);
    }
    const rngState = o.rng.state();
    let lossSum = resuming ? r.lossSum : 0;
    let count = resuming ? r.count : 0;
    const batches = epochBatches(o.set.n, o.batchSize, o.rng, o.dropLast);
    for (let b = resuming ? r.batch : 0; b < batches.length; b++) {
      const idx = batches[b];
      let res: StepResult;
      if (o.problem.stepRows) {
        res = o.problem.stepRows(gatherRows(idx), idx.length, lr, epoch, idx);
      } else {
        const x = gather(idx);
        try {
          res = o.problem.step(x, lr, epoch, idx);
        } finally {
          x.dispose();
        }
      }
      if (!Number.isFinite(res.loss)) throw new DivergenceError(o.phase, epoch, `the loss is ${res.loss}`);
      lossSum += res.loss * idx.length;
      count += idx.length;
      // lets SIGINT/SIGTERM handlers run between batches: every YIELD_MS (a yield costs ~5–20 µs, a fused MLP step ~0.3 ms)
      if (performance.now() - lastYield >= YIELD_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      if (o.shouldStop?.() && b + 1 < batches.length) {
        sync();
        o.onCheckpoint?.({ phase: o.phase, epoch, batch: b + 1, rngState, lossSum, count }, sync);
        return epoch;
      }
    }
    const extra = o.problem.endEpoch?.(epoch) ?? {};
    if (!weightsFinite(o, sync)) throw new DivergenceError(o.phase, epoch, 'a weight is no longer finite');
    const seconds = (performance.now() - t0) / 1000;
    const diagnostics = o.afterEpoch?.(epoch, sync) ?? {};
    const row: EpochRow = { phase: o.phase, epoch, lr, loss: lossSum / count, seconds, ...extra, ...diagnostics };
    o.onEpoch(row);
    o.onCheckpoint?.({ phase: o.phase, epoch: epoch + 1, batch: 0, rngState: o.rng.state(), lossSum: 0, count: 0 }, sync);
    if (o.shouldStop?.()) return epoch + 1;
  }
  sync();
  return o.nEpochs;
}

/** the longest run of batches between two turns of the event loop */
const YIELD_MS = 10;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** the problem's own check when it keeps the weights, else the TF.js variables' (brought up to date first) */
function weightsFinite(o: LoopOptions, sync: () => void): boolean {
  const own = o.problem.finite?.();
  if (own !== undefined) return own;
  if (!o.weights) return true;
  sync();
  return allFinite(o.weights);
}

function allFinite(vars: tf.Variable[]): boolean {
  const ok = tf.tidy(() => tf.all(tf.stack(vars.map((v) => tf.all(tf.isFinite(v))))));
  const v = ok.dataSync()[0];
  ok.dispose();
  return v === 1;
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
