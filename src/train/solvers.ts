/**
 * The eight gradient solvers of the original Theano/Lasagne Deep SVDD code, with Lasagne's exact update
 * rules, applied to TF.js variables given their gradients.
 *
 *   sgd       p ← p − lr·g
 *   momentum  v ← μv − lr·g;  p ← p + v
 *   nesterov  v ← μv − lr·g;  p ← p + μv − lr·g
 *   adagrad   a ← a + g²;  p ← p − lr·g/√(a + 1e-6)
 *   rmsprop   a ← ρa + (1−ρ)g²;  p ← p − lr·g/√(a + 1e-6)                      (ρ = 0.9)
 *   adadelta  a ← ρa + (1−ρ)g²;  u = g·√(δ + 1e-6)/√(a + 1e-6);  p ← p − lr·u;  δ ← ρδ + (1−ρ)u²   (ρ = 0.95)
 *   adam      t ← t+1;  a_t = lr·√(1−β2ᵗ)/(1−β1ᵗ);  m ← β1m + (1−β1)g;  v ← β2v + (1−β2)g²;
 *             p ← p − a_t·m/(√v + 1e-8)                                          (β1 = 0.9, β2 = 0.999)
 *   adamax    t ← t+1;  a_t = lr/(1−β1ᵗ);  m ← β1m + (1−β1)g;  u ← max(β2u, |g|);  p ← p − a_t·m/(u + 1e-8)
 *
 * The step counter t is shared by all variables and counts step() calls (as Lasagne's single shared t).
 */
import * as tf from '@tensorflow/tfjs-core';
import { SOLVERS, type SolverName } from './solver-names.js';
import { fusedAdam } from '../backend/native-kernels.js';

export { SOLVERS, type SolverName };

export interface SolverOptions {
  /** Momentum μ for 'momentum' and 'nesterov' (default 0.9). */
  momentum?: number;
  /** Decay ρ for 'rmsprop' (default 0.9) and 'adadelta' (default 0.95). */
  rho?: number;
}

export interface SolverState {
  t: number;
  slots: Record<string, Float32Array[]>;
}

export interface Solver {
  readonly name: SolverName;
  /**
   * Applies one update to every variable in `vars` with the matching gradient (by index) at learning rate
   * lr. Disposes nothing it does not own; all temporaries inside tf.tidy.
   */
  step(vars: tf.Variable[], grads: tf.Tensor[], lr: number): void;
  /** Optimiser state as plain arrays (for checkpoints) and restore. */
  getState(): SolverState;
  setState(s: SolverState): void;
  dispose(): void;
}

/** Names of the per-variable state slots of each solver (in a fixed order). */
const SLOT_NAMES: Record<SolverName, readonly string[]> = {
  sgd: [],
  momentum: ['velocity'],
  nesterov: ['velocity'],
  adagrad: ['accu'],
  rmsprop: ['accu'],
  adadelta: ['accu', 'delta_accu'],
  adam: ['m', 'v'],
  adamax: ['m', 'u'],
};

const EPS_ADAGRAD = 1e-6; // Lasagne adagrad / rmsprop / adadelta epsilon
/** Lasagne adam's constants (fused-adam.ts uses them too) */
export const BETA1 = 0.9;
export const BETA2 = 0.999;
export const EPS_ADAM = 1e-8;

/** Lasagne adam's a_t = lr·√(1−β2ᵗ)/(1−β1ᵗ). */
export function adamStepSize(lr: number, t: number): number {
  return (lr * Math.sqrt(1 - Math.pow(BETA2, t))) / (1 - Math.pow(BETA1, t));
}

/** p ← p − lr·g/√(a + eps) written as a tensor expression (helper for adagrad / rmsprop). */
function scaledStep(p: tf.Tensor, g: tf.Tensor, a: tf.Tensor, lr: number): tf.Tensor {
  return tf.sub(p, tf.div(tf.mul(g, lr), tf.sqrt(tf.add(a, EPS_ADAGRAD))));
}

type UpdateFn = (p: tf.Variable, g: tf.Tensor, slots: tf.Variable[], lr: number, t: number) => void;

function makeUpdate(name: SolverName, opts: SolverOptions): UpdateFn {
  const mu = opts.momentum ?? 0.9;
  switch (name) {
    case 'sgd':
      return (p, g, _s, lr) => {
        p.assign(tf.sub(p, tf.mul(g, lr)));
      };
    case 'momentum':
      return (p, g, [v], lr) => {
        const vNew = tf.sub(tf.mul(v, mu), tf.mul(g, lr));
        v.assign(vNew);
        p.assign(tf.add(p, vNew));
      };
    case 'nesterov':
      return (p, g, [v], lr) => {
        const lrG = tf.mul(g, lr);
        const vNew = tf.sub(tf.mul(v, mu), lrG);
        v.assign(vNew);
        p.assign(tf.sub(tf.add(p, tf.mul(vNew, mu)), lrG));
      };
    case 'adagrad':
      return (p, g, [a], lr) => {
        const aNew = tf.add(a, tf.square(g));
        a.assign(aNew);
        p.assign(scaledStep(p, g, aNew, lr));
      };
    case 'rmsprop': {
      const rho = opts.rho ?? 0.9;
      return (p, g, [a], lr) => {
        const aNew = tf.add(tf.mul(a, rho), tf.mul(tf.square(g), 1 - rho));
        a.assign(aNew);
        p.assign(scaledStep(p, g, aNew, lr));
      };
    }
    case 'adadelta': {
      const rho = opts.rho ?? 0.95;
      return (p, g, [a, delta], lr) => {
        const aNew = tf.add(tf.mul(a, rho), tf.mul(tf.square(g), 1 - rho));
        const u = tf.div(
          tf.mul(g, tf.sqrt(tf.add(delta, EPS_ADAGRAD))),
          tf.sqrt(tf.add(aNew, EPS_ADAGRAD)),
        );
        a.assign(aNew);
        p.assign(tf.sub(p, tf.mul(u, lr)));
        delta.assign(tf.add(tf.mul(delta, rho), tf.mul(tf.square(u), 1 - rho)));
      };
    }
    case 'adam':
      return (p, g, [m, v], lr, t) => {
        const aT = adamStepSize(lr, t);
        // native with deep-svdd's kernels: the same float32 operations as below, as one op
        const fused = fusedAdam(p, m, v, g, { a: aT, beta1: BETA1, beta2: BETA2, eps: EPS_ADAM });
        if (fused) {
          p.assign(fused[0]);
          m.assign(fused[1]);
          v.assign(fused[2]);
          return;
        }
        const mNew = tf.add(tf.mul(m, BETA1), tf.mul(g, 1 - BETA1));
        const vNew = tf.add(tf.mul(v, BETA2), tf.mul(tf.square(g), 1 - BETA2));
        m.assign(mNew);
        v.assign(vNew);
        p.assign(tf.sub(p, tf.div(tf.mul(mNew, aT), tf.add(tf.sqrt(vNew), EPS_ADAM))));
      };
    case 'adamax':
      return (p, g, [m, u], lr, t) => {
        const aT = lr / (1 - Math.pow(BETA1, t));
        const mNew = tf.add(tf.mul(m, BETA1), tf.mul(g, 1 - BETA1));
        const uNew = tf.maximum(tf.mul(u, BETA2), tf.abs(g));
        m.assign(mNew);
        u.assign(uNew);
        p.assign(tf.sub(p, tf.div(tf.mul(mNew, aT), tf.add(uNew, EPS_ADAM))));
      };
    default: {
      const never: never = name;
      throw new Error(`unknown solver '${String(never)}'`);
    }
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

class LasagneSolver implements Solver {
  readonly name: SolverName;
  private readonly slotNames: readonly string[];
  private readonly update: UpdateFn;
  private t = 0;
  /** slots[v][k] = slot slotNames[k] of variable v; null until the first step. */
  private slots: tf.Variable[][] | null = null;
  /** State restored by setState, materialised on the next step (shapes come from the variables). */
  private pending: Record<string, Float32Array[]> | null = null;
  private disposed = false;

  constructor(name: SolverName, opts: SolverOptions) {
    this.name = name;
    this.slotNames = SLOT_NAMES[name];
    this.update = makeUpdate(name, opts);
  }

  private ensureSlots(vars: tf.Variable[]): tf.Variable[][] {
    if (this.slots !== null) {
      if (this.slots.length !== vars.length) {
        throw new Error(
          `solver '${this.name}': step() got ${vars.length} variables, but its state has ${this.slots.length}`,
        );
      }
      for (let i = 0; i < vars.length; i++) {
        const s = this.slots[i][0];
        if (s !== undefined && !sameShape(s.shape, vars[i].shape)) {
          throw new Error(
            `solver '${this.name}': variable ${i} has shape [${vars[i].shape}], its state [${s.shape}]`,
          );
        }
      }
      return this.slots;
    }
    const pending = this.pending;
    const slots: tf.Variable[][] = [];
    try {
      for (let i = 0; i < vars.length; i++) {
        const shape = vars[i].shape;
        const size = vars[i].size;
        const row: tf.Variable[] = [];
        slots.push(row);
        for (const k of this.slotNames) {
          let init: tf.Tensor;
          const data = pending?.[k]?.[i];
          if (pending !== null) {
            if (data === undefined || pending[k].length !== vars.length) {
              throw new Error(
                `solver '${this.name}': restored state slot '${k}' has ${pending[k]?.length ?? 0} ` +
                  `arrays, but step() got ${vars.length} variables`,
              );
            }
            if (data.length !== size) {
              throw new Error(
                `solver '${this.name}': restored state slot '${k}'[${i}] has ${data.length} values, ` +
                  `variable ${i} has ${size}`,
              );
            }
            init = tf.tensor(data, shape, 'float32');
          } else {
            init = tf.zeros(shape, 'float32');
          }
          row.push(tf.variable(init, false));
          init.dispose();
        }
      }
    } catch (e) {
      for (const row of slots) for (const v of row) v.dispose();
      throw e;
    }
    this.slots = slots;
    this.pending = null;
    return slots;
  }

  step(vars: tf.Variable[], grads: tf.Tensor[], lr: number): void {
    if (this.disposed) throw new Error(`solver '${this.name}' has been disposed`);
    if (vars.length !== grads.length) {
      throw new Error(
        `solver '${this.name}': ${vars.length} variables but ${grads.length} gradients`,
      );
    }
    for (let i = 0; i < vars.length; i++) {
      if (!sameShape(vars[i].shape, grads[i].shape)) {
        throw new Error(
          `solver '${this.name}': gradient ${i} has shape [${grads[i].shape}], variable [${vars[i].shape}]`,
        );
      }
    }
    const slots = this.ensureSlots(vars);
    const t = this.t + 1;
    tf.tidy(() => {
      for (let i = 0; i < vars.length; i++) this.update(vars[i], grads[i], slots[i], lr, t);
    });
    this.t = t;
  }

  getState(): SolverState {
    if (this.disposed) throw new Error(`solver '${this.name}' has been disposed`);
    const out: Record<string, Float32Array[]> = {};
    if (this.slots !== null) {
      this.slotNames.forEach((k, j) => {
        // Copy: on the CPU backend dataSync() may return the tensor's own storage.
        out[k] = this.slots!.map((row) => new Float32Array(row[j].dataSync() as Float32Array));
      });
    } else if (this.pending !== null) {
      for (const k of Object.keys(this.pending)) out[k] = this.pending[k].map((a) => new Float32Array(a));
    }
    return { t: this.t, slots: out };
  }

  setState(s: SolverState): void {
    if (this.disposed) throw new Error(`solver '${this.name}' has been disposed`);
    if (!(Number.isInteger(s.t) && s.t >= 0)) {
      throw new Error(`solver '${this.name}': invalid step counter t = ${s.t} in restored state`);
    }
    const keys = Object.keys(s.slots);
    let pending: Record<string, Float32Array[]> | null = null;
    if (keys.length > 0 || this.slotNames.length === 0) {
      for (const k of keys) {
        if (!this.slotNames.includes(k)) {
          throw new Error(`solver '${this.name}': unexpected state slot '${k}'`);
        }
      }
      for (const k of this.slotNames) {
        if (!(k in s.slots)) throw new Error(`solver '${this.name}': state slot '${k}' is missing`);
      }
      const counts = new Set(this.slotNames.map((k) => s.slots[k].length));
      if (counts.size > 1) {
        throw new Error(`solver '${this.name}': state slots hold different numbers of arrays`);
      }
      pending = {};
      for (const k of this.slotNames) pending[k] = s.slots[k].map((a) => new Float32Array(a));
    }
    // Replace the current state: the restored slots are materialised on the next step.
    this.disposeSlots();
    this.pending = pending;
    this.t = s.t;
  }

  private disposeSlots(): void {
    if (this.slots !== null) for (const row of this.slots) for (const v of row) v.dispose();
    this.slots = null;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposeSlots();
    this.pending = null;
    this.disposed = true;
  }
}

/** Creates one of the eight Lasagne solvers; state slots are created lazily on the first step. */
export function makeSolver(name: SolverName, opts: SolverOptions = {}): Solver {
  if (!SOLVERS.includes(name)) {
    throw new Error(`unknown solver '${String(name)}'; expected one of ${SOLVERS.join(', ')}`);
  }
  for (const [k, v] of Object.entries(opts)) {
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v))) {
      throw new Error(`solver option '${k}' must be a finite number, got ${String(v)}`);
    }
  }
  return new LasagneSolver(name, opts);
}
