/**
 * Lasagne's adam (solvers.ts) on Float32Arrays, for the fused MLP step: the same float32 operations in the same
 * order as solvers.ts's TF.js ops (each rounded to float32), so one step gives the TF.js path's weights and slots.
 *
 *   t ← t+1;  a_t = lr·√(1−β2ᵗ)/(1−β1ᵗ);  m ← β1m + (1−β1)g;  v ← β2v + (1−β2)g²;  p ← p − a_t·m/(√v + ε)
 *
 * The state is the solver's: one shared step counter t, slots m and v per parameter (SolverState's 'm' and 'v').
 */
import { adamStepSize, BETA1, BETA2, EPS_ADAM, type SolverState } from './solvers.js';

const f = Math.fround;
const B1 = f(BETA1);
const C1 = f(1 - BETA1);
const B2 = f(BETA2);
const C2 = f(1 - BETA2);
const EPS = f(EPS_ADAM);

export interface AdamState {
  t: number;
  m: Float32Array[];
  v: Float32Array[];
}

/** The adam state for parameters of these sizes from a solver's state (empty slots: zeros, as a fresh solver). */
export function adamStateFrom(s: SolverState, sizes: readonly number[]): AdamState {
  const slot = (k: 'm' | 'v'): Float32Array[] => {
    const list = s.slots[k];
    if (list === undefined || list.length === 0) return sizes.map((n) => new Float32Array(n));
    if (list.length !== sizes.length || list.some((a, i) => a.length !== sizes[i])) {
      throw new Error(`adam: the solver's state slot '${k}' does not fit the network's ${sizes.length} weights`);
    }
    return list.map((a) => Float32Array.from(a));
  };
  return { t: s.t, m: slot('m'), v: slot('v') };
}

/** The solver state (solver.setState) of an adam state; copies. */
export function adamSolverState(a: AdamState): SolverState {
  return { t: a.t, slots: { m: a.m.map((x) => Float32Array.from(x)), v: a.v.map((x) => Float32Array.from(x)) } };
}

/** One adam step on every parameter p[i] with gradient g[i] at learning rate lr; updates p and the state in place. */
export function adamUpdate(p: Float32Array[], g: Float32Array[], s: AdamState, lr: number): void {
  s.t += 1;
  const aT = f(adamStepSize(lr, s.t));
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const gi = g[i];
    const mi = s.m[i];
    const vi = s.v[i];
    for (let j = 0; j < pi.length; j++) {
      const gj = gi[j];
      const m = f(f(mi[j] * B1) + f(gj * C1));
      const v = f(f(vi[j] * B2) + f(f(gj * gj) * C2));
      mi[j] = m;
      vi[j] = v;
      pi[j] = f(pi[j] - f(f(m * aT) / f(f(Math.sqrt(v)) + EPS)));
    }
  }
}
