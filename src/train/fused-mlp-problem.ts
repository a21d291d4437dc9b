/**
 * The fused MLP training step: autoencoder pretraining (l2) and the Deep SVDD stage (one-class, soft-boundary with R
 * fixed during the step: radius modes batch-quantile and block, Deep SAD: each objective whose entry has a
 * distanceLoss) of the MLP networks, as one pass of plain TypeScript per
 * batch instead of ~100 TF.js ops: forward and backward (src/nn/mlp-fused.ts), the objective on the per-sample
 * distances (distance-losses.ts), the weight penalty (0.5/C)·Σ‖W‖², and adam (fused-adam.ts).
 *
 * While a phase runs, the weights, adam's slots and step counter, the batch-norm running statistics and the radius
 * live here in JavaScript; sync() writes them back to the network's TF.js variables, the solver (solver.setState,
 * so checkpoints hold them) and the SvddState, only when something reads them (loop.ts Problem.sync: a checkpoint
 * save, diagnostics that score, the block radius update, a stop, the end of the phase; the epoch's weight check
 * reads the arrays here, finite()), so resuming a checkpoint continues exactly as the uninterrupted fused run.
 *
 * Where it applies (fusedMlpBlocker): an 'mlp' network of bias-free dense layers (no learned batch-norm scale and
 * shift), solver adam, the wasm or cpu backend; Deep SVDD with the centre fixed and R not trained by the solver
 * (radius mode 'solver' and --center-fixed 0 keep the TF.js path); the autoencoder with the l2 loss.
 * DEEP_SVDD_FUSED_MLP=0 turns it off (both paths can then be compared); results.json's training_step and the log
 * say which path ran.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ImageSet } from '../data/batches.js';
import { squaredDistances } from '../eval/infer.js';
import { type FusedLayer, type FusedMlp } from '../nn/mlp-fused.js';
import { fusedMlpOf, fusedNetworkBlocker, fusedPlanOf } from '../nn/mlp-fused-net.js';
import { type Network } from '../nn/networks.js';
import { type AeObjective } from './autoencoder.js';
import { meanDistanceLoss, type DistanceLoss } from './distance-losses.js';
import { adamSolverState, adamStateFrom, adamUpdate, type AdamState } from './fused-adam.js';
import { type Problem } from './loop.js';
import { type SvddObjective } from './objective.js';
import { ONE_CLASS } from './objective-one-class.js';
import { SOFT_BOUNDARY } from './objective-soft-boundary.js';
import { type Solver } from './solvers.js';
import { svddRadiusRules, type RadiusHolder, type SvddSettings, type SvddState } from './svdd.js';

const FUSED_BACKENDS = ['wasm', 'cpu'];

/** which step a phase ran: results.json's training_step */
export type StepPath = 'fused-mlp' | 'tfjs';

/** Why the fused step does not apply to this network and solver (any objective), or undefined when it does. */
export function fusedMlpBlocker(net: Network, solver: Solver): string | undefined {
  const blocker = fusedNetworkBlocker(net);
  if (blocker) return blocker;
  if (!FUSED_BACKENDS.includes(tf.getBackend())) return `the ${tf.getBackend()} backend (the fused step runs on wasm and cpu)`;
  if (solver.name !== 'adam') return `solver ${solver.name} (the fused step has adam)`;
  return undefined;
}

/** The objective of a Deep SVDD phase (as svddProblem picks it). */
function objectiveOf(s: Pick<SvddSettings, 'mode' | 'objective'>): SvddObjective {
  return s.objective ?? (s.mode === 'one-class' ? ONE_CLASS : SOFT_BOUNDARY);
}

/** Why the fused step does not apply to this Deep SVDD phase, or undefined. */
export function fusedSvddBlocker(net: Network, solver: Solver, s: Pick<SvddSettings, 'mode' | 'centerFixed' | 'objective'>): string | undefined {
  if (!s.centerFixed) return '--center-fixed 0 (c is trained)';
  if (s.mode === 'solver') return 'radius mode solver (R is trained)';
  const objective = objectiveOf(s);
  if (!objective.distanceLoss) return `the ${objective.name} objective has no fused loss`;
  return fusedMlpBlocker(net, solver);
}

/** Why the fused step does not apply to this autoencoder phase, or undefined. */
export function fusedAutoencoderBlocker(ae: Network, solver: Solver, o: AeObjective): string | undefined {
  if (o.loss !== 'l2') return `--ae-loss ${o.loss}`;
  return fusedMlpBlocker(ae, solver);
}

/** How the per-sample distance comes from the network's output: ‖φ − c‖² (Deep SVDD) or ‖x̂ − x‖² (autoencoder). */
export type DistanceHead = { kind: 'center'; c: Float32Array } | { kind: 'reconstruction' };

/** reused buffers of lossAndGradients */
export interface Scratch { d: Float32Array; gd: Float64Array; dOut: Float32Array }

/**
 * The training forward pass of n rows xs, the objective on the per-sample distances plus (0.5/C)·Σ‖W‖², and the
 * backward pass: returns the loss and the distances, leaves the weight gradients in mlp.gw.
 */
export function lossAndGradients(mlp: FusedMlp, head: DistanceHead, loss: DistanceLoss, weightDecayC: number | undefined,
  xs: Float32Array, n: number, idx: Int32Array, scratch: Scratch): { loss: number; distances: Float32Array } {
  if (xs.length !== n * mlp.inputWidth) throw new Error(`fused MLP: a batch row has ${xs.length / n} values, the network takes ${mlp.inputWidth}`);
  const w = mlp.outputWidth;
  const c = head.kind === 'center' ? head.c : undefined;
  if (c && c.length !== w) throw new Error(`fused MLP: c has ${c.length} values, the network's output ${w}`);
  if (!c && w !== mlp.inputWidth) throw new Error(`fused MLP: the reconstruction has ${w} values, the input ${mlp.inputWidth}`);
  if (scratch.d.length < n) Object.assign(scratch, { d: new Float32Array(n), gd: new Float64Array(n), dOut: new Float32Array(n * w) });
  const out = mlp.forward(xs, n, true);
  const d = scratch.d.subarray(0, n);
  // the target of row i: c, or the row itself (t[o + j] with o = 0 or the row's offset)
  const t = c ?? xs;
  const rowStride = c ? 0 : w;
  for (let i = 0; i < n; i++) {
    const o = i * rowStride;
    let s = 0;
    for (let j = 0; j < w; j++) { const e = out[i * w + j] - t[o + j]; s += e * e; }
    d[i] = s;
  }
  let value = loss(d, idx, scratch.gd);
  const dOut = scratch.dOut;
  for (let i = 0; i < n; i++) {
    const o = i * rowStride;
    const g = 2 * scratch.gd[i];
    for (let j = 0; j < w; j++) dOut[i * w + j] = g * (out[i * w + j] - t[o + j]);
  }
  mlp.backward(xs, n, dOut);
  if (weightDecayC) {
    // (0.5/C)·Σ‖W‖², gradient W/C
    const k = 0.5 / weightDecayC;
    let sq = 0;
    for (let l = 0; l < mlp.weights.w.length; l++) {
      const wl = mlp.weights.w[l];
      const gl = mlp.gw[l];
      for (let q = 0; q < wl.length; q++) { sq += wl[q] * wl[q]; gl[q] += 2 * k * wl[q]; }
    }
    value += k * sq;
  }
  return { loss: value, distances: d };
}

/** The network's weights, batch-norm statistics and adam state in JavaScript, and their way back to TF.js. */
class FusedTraining {
  private mlp?: FusedMlp;
  private adam?: AdamState;
  private dirty = false;
  private readonly scratch: Scratch = { d: new Float32Array(0), gd: new Float64Array(0), dOut: new Float32Array(0) };

  constructor(private readonly net: Network, private readonly plan: FusedLayer[], private readonly solver: Solver,
    private readonly head: DistanceHead, private readonly loss: DistanceLoss, private readonly weightDecayC?: number) {}

  /** the network's current weights and statistics and the solver's state, read on the first step */
  private load(): FusedMlp {
    if (this.mlp) return this.mlp;
    this.mlp = fusedMlpOf(this.net, this.plan);
    this.adam = adamStateFrom(this.solver.getState(), this.mlp.weights.w.map((w) => w.length));
    return this.mlp;
  }

  /** One step on the batch's n rows x; returns the loss and the batch's distances (a view, valid until the next step). */
  step(x: Float32Array, n: number, lr: number, idx: Int32Array): { loss: number; distances: Float32Array } {
    const mlp = this.load();
    const r = lossAndGradients(mlp, this.head, this.loss, this.weightDecayC, x, n, idx, this.scratch);
    adamUpdate(mlp.weights.w, mlp.gw, this.adam!, lr);
    this.dirty = true;
    return r;
  }

  /** whether the weights are all finite (undefined before the first step: they are still the TF.js variables) */
  finite(): boolean | undefined {
    if (!this.mlp) return undefined;
    for (const w of this.mlp.weights.w) for (let i = 0; i < w.length; i++) if (!Number.isFinite(w[i])) return false;
    return true;
  }

  /** writes the weights, statistics and adam state back (when a step ran since the last time) */
  sync(): void {
    if (!this.mlp || !this.dirty) return;
    const { w, runningMean, runningVar } = this.mlp.weights;
    const bnByName = new Map(this.net.bns.map((b) => [b.name, b]));
    tf.tidy(() => {
      this.net.params.forEach((p, i) => p.variable.assign(tf.tensor(w[i], p.variable.shape)));
      this.plan.forEach((l, i) => {
        if (!l.bn) return;
        const bn = bnByName.get(l.bn)!;
        bn.runningMean.assign(tf.tensor(runningMean[i]!, bn.runningMean.shape));
        bn.runningVar.assign(tf.tensor(runningVar[i]!, bn.runningVar.shape));
      });
    });
    this.solver.setState(adamSolverState(this.adam!));
    this.dirty = false;
  }
}

/** The autoencoder's fused step (check fusedAutoencoderBlocker first): batch mean of ‖x̂ − x‖² plus the penalty. */
export function fusedAutoencoderProblem(ae: Network, o: AeObjective, solver: Solver): Problem {
  const f = new FusedTraining(ae, fusedPlanOf(ae), solver, { kind: 'reconstruction' }, meanDistanceLoss, o.weightDecayC);
  const stepRows = (x: Float32Array, n: number, lr: number, _epoch: number, idx: Int32Array) => ({ loss: f.step(x, n, lr, idx).loss });
  return {
    step: (x, lr, epoch, idx) => stepRows(x.dataSync() as Float32Array, x.shape[0], lr, epoch, idx),
    stepRows,
    sync: () => f.sync(),
    finite: () => f.finite(),
  };
}

/** The radius in JavaScript during a phase, written to the SvddState by sync (as the state does: R² in float32). */
class RadiusCopy implements RadiusHolder {
  private r2: number;
  private changed = false;
  constructor(private readonly state: SvddState) { this.r2 = state.radiusSquared; }
  get radiusSquared(): number { return this.r2; }
  set radiusSquared(s: number) { this.r2 = Math.fround(s); this.changed = true; }
  get radius(): number { return Math.sqrt(Math.max(0, this.r2)); }
  set radius(r: number) { this.radiusSquared = r * r; }
  sync(): void {
    if (this.changed) this.state.radiusSquared = this.r2;
    this.changed = false;
  }
}

/**
 * Deep SVDD's fused step (check fusedSvddBlocker first): one-class or soft-boundary at the current R, plus the
 * penalty; the radius rules of svdd.ts (svddRadiusRules) after each step and at each epoch's end.
 */
export function fusedSvddProblem(net: Network, set: ImageSet, state: SvddState, s: SvddSettings, solver: Solver): Problem {
  const radius = new RadiusCopy(state);
  const objective = objectiveOf(s);
  if (!objective.distanceLoss) throw new Error(`fused MLP: the ${objective.name} objective has no fused loss`);
  if (objective.semiSupervised && s.semiLabels && s.semiLabels.length !== set.n) {
    throw new Error(`fusedSvddProblem: ${s.semiLabels.length} semi-supervised labels for ${set.n} training samples`);
  }
  const loss = objective.distanceLoss({ radiusSquared: () => radius.radiusSquared, nu: s.nu, semiLabels: s.semiLabels, eta: s.eta ?? 1 });
  const f = new FusedTraining(net, fusedPlanOf(net), solver, { kind: 'center', c: state.center() }, loss, s.weightDecayC);
  // the block update's distances come from the TF.js network, brought up to date first
  const rules = svddRadiusRules(s, radius, () => {
    f.sync();
    return squaredDistances(net, set, state.c, s.evalBatchSize, 'tfjs');
  });
  const stepRows = (x: Float32Array, n: number, lr: number, epoch: number, idx: Int32Array) => {
    const r = f.step(x, n, lr, idx);
    rules.afterStep(r.distances, epoch);
    return { loss: r.loss };
  };
  return {
    step: (x, lr, epoch, idx) => stepRows(x.dataSync() as Float32Array, x.shape[0], lr, epoch, idx),
    stepRows,
    endEpoch: (epoch) => rules.endEpoch(epoch),
    sync() {
      f.sync();
      radius.sync();
    },
    finite() {
      const w = f.finite();
      return w === undefined ? undefined : w && Number.isFinite(radius.radiusSquared);
    },
  };
}
