import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeSolver, SOLVERS, type SolverName } from '../../src/train/solvers.js';

before(async () => {
  await tf.setBackend('cpu');
});

// Problem: a 3-vector and a 2×2 matrix; three steps with fixed, different gradients.
const P0: number[][] = [
  [0.5, -1.25, 2.0],
  [0.75, -0.5, 1.5, -2.25],
];
const SHAPES: number[][] = [[3], [2, 2]];
const GRADS: number[][][] = [
  [
    [0.1, -0.3, 0.25],
    [0.5, 0.02, -0.7, 1.1],
  ],
  [
    [-0.2, -0.1, 0.4],
    [0.3, -0.6, -0.05, 0.9],
  ],
  [
    [0.05, 0.35, -0.15],
    [-0.4, 0.2, 0.8, -0.3],
  ],
];
const LR = 0.05;

/** Plain-JS float64 reference implementation of the Lasagne update rules. */
class RefSolver {
  t = 0;
  slots: Record<string, number[][]> = {};
  constructor(
    readonly name: SolverName,
    readonly mu = 0.9,
    readonly rho = name === 'adadelta' ? 0.95 : 0.9,
  ) {}
  private slot(k: string, i: number, n: number): number[] {
    this.slots[k] ??= [];
    this.slots[k][i] ??= new Array<number>(n).fill(0);
    return this.slots[k][i];
  }
  step(params: number[][], grads: number[][], lr: number): void {
    this.t++;
    const t = this.t;
    const { mu, rho } = this;
    params.forEach((p, i) => {
      const g = grads[i].map(Math.fround);
      const n = p.length;
      for (let j = 0; j < n; j++) {
        switch (this.name) {
          case 'sgd':
            p[j] -= lr * g[j];
            break;
          case 'momentum': {
            const v = this.slot('velocity', i, n);
            v[j] = mu * v[j] - lr * g[j];
            p[j] += v[j];
            break;
          }
          case 'nesterov': {
            const v = this.slot('velocity', i, n);
            v[j] = mu * v[j] - lr * g[j];
            p[j] += mu * v[j] - lr * g[j];
            break;
          }
          case 'adagrad': {
            const a = this.slot('accu', i, n);
            a[j] += g[j] * g[j];
            p[j] -= (lr * g[j]) / Math.sqrt(a[j] + 1e-6);
            break;
          }
          case 'rmsprop': {
            const a = this.slot('accu', i, n);
            a[j] = rho * a[j] + (1 - rho) * g[j] * g[j];
            p[j] -= (lr * g[j]) / Math.sqrt(a[j] + 1e-6);
            break;
          }
          case 'adadelta': {
            const a = this.slot('accu', i, n);
            const d = this.slot('delta_accu', i, n);
            a[j] = rho * a[j] + (1 - rho) * g[j] * g[j];
            const u = (g[j] * Math.sqrt(d[j] + 1e-6)) / Math.sqrt(a[j] + 1e-6);
            p[j] -= lr * u;
            d[j] = rho * d[j] + (1 - rho) * u * u;
            break;
          }
          case 'adam': {
            const m = this.slot('m', i, n);
            const v = this.slot('v', i, n);
            const at = (lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
            m[j] = 0.9 * m[j] + 0.1 * g[j];
            v[j] = 0.999 * v[j] + 0.001 * g[j] * g[j];
            p[j] -= (at * m[j]) / (Math.sqrt(v[j]) + 1e-8);
            break;
          }
          case 'adamax': {
            const m = this.slot('m', i, n);
            const u = this.slot('u', i, n);
            const at = lr / (1 - 0.9 ** t);
            m[j] = 0.9 * m[j] + 0.1 * g[j];
            u[j] = Math.max(0.999 * u[j], Math.abs(g[j]));
            p[j] -= (at * m[j]) / (u[j] + 1e-8);
            break;
          }
        }
      }
    });
  }
}

function makeVars(values: number[][] = P0): tf.Variable[] {
  return values.map((v, i) => {
    const init = tf.tensor(v, SHAPES[i], 'float32');
    const variable = tf.variable(init, true);
    init.dispose();
    return variable;
  });
}

function applyStep(
  solver: ReturnType<typeof makeSolver>,
  vars: tf.Variable[],
  g: number[][],
  lr = LR,
): void {
  const grads = g.map((v, i) => tf.tensor(v, SHAPES[i], 'float32'));
  solver.step(vars, grads, lr);
  grads.forEach((x) => x.dispose());
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let j = 0; j < expected.length; j++) {
    const e = expected[j];
    const tol = rel * Math.max(Math.abs(e), 1e-6);
    assert.ok(Math.abs(actual[j] - e) <= tol, `${what}[${j}]: expected ${e}, got ${actual[j]}`);
  }
}

for (const name of SOLVERS) {
  test(`${name}: three steps match the float64 reference (1e-6 relative)`, () => {
    const solver = makeSolver(name);
    assert.equal(solver.name, name);
    const vars = makeVars();
    const ref = new RefSolver(name);
    const refP = P0.map((p) => p.map(Math.fround));
    for (const [k, g] of GRADS.entries()) {
      applyStep(solver, vars, g);
      ref.step(refP, g, Math.fround(LR));
      vars.forEach((v, i) => assertClose(v.dataSync(), refP[i], 1e-6, `${name} step ${k + 1} param ${i}`));
    }
    const st = solver.getState();
    assert.equal(st.t, 3);
    assert.deepEqual(Object.keys(st.slots).sort(), Object.keys(ref.slots).sort());
    for (const k of Object.keys(ref.slots)) {
      st.slots[k].forEach((arr, i) => {
        assert.ok(arr instanceof Float32Array);
        assertClose(arr, ref.slots[k][i], 1e-5, `${name} slot ${k}[${i}]`);
      });
    }
    solver.dispose();
    vars.forEach((v) => v.dispose());
  });

  test(`${name}: getState/setState round trip continues to the same result`, () => {
    const a = makeSolver(name);
    const varsA = makeVars();
    applyStep(a, varsA, GRADS[0]);
    applyStep(a, varsA, GRADS[1]);
    const state = a.getState();
    const snapshot = varsA.map((v) => Array.from(v.dataSync()));
    // Mutating the returned state must not affect the solver.
    for (const arrs of Object.values(state.slots)) for (const arr of arrs) arr.fill(123);
    const state2 = a.getState();
    applyStep(a, varsA, GRADS[2]);
    applyStep(a, varsA, GRADS[0], LR / 2);

    const b = makeSolver(name);
    const varsB = makeVars(snapshot);
    const scratch = makeVars();
    applyStep(b, scratch, GRADS[1]); // state that setState must replace entirely
    scratch.forEach((v) => v.dispose());
    b.setState(state2);
    assert.equal(b.getState().t, 2);
    applyStep(b, varsB, GRADS[2]);
    applyStep(b, varsB, GRADS[0], LR / 2);
    varsA.forEach((v, i) => assert.deepEqual(Array.from(varsB[i].dataSync()), Array.from(v.dataSync())));
    assert.equal(b.getState().t, 4);
    [a, b].forEach((s) => s.dispose());
    [...varsA, ...varsB].forEach((v) => v.dispose());
  });

  test(`${name}: no tensor leak across 10 steps; dispose frees the slots`, () => {
    const before0 = tf.memory().numTensors;
    const solver = makeSolver(name);
    const vars = makeVars();
    const grads = GRADS[0].map((v, i) => tf.tensor(v, SHAPES[i], 'float32'));
    solver.step(vars, grads, LR);
    const n0 = tf.memory().numTensors;
    for (let k = 0; k < 10; k++) solver.step(vars, grads, LR);
    assert.equal(tf.memory().numTensors, n0);
    solver.dispose();
    grads.forEach((x) => x.dispose());
    vars.forEach((v) => v.dispose());
    assert.equal(tf.memory().numTensors, before0);
    assert.throws(() => solver.step(vars, grads, LR), /disposed/);
  });
}

test('solver options: custom momentum and rho are used', () => {
  for (const [name, opts] of [
    ['momentum', { momentum: 0.5 }],
    ['nesterov', { momentum: 0.7 }],
    ['rmsprop', { rho: 0.8 }],
    ['adadelta', { rho: 0.9 }],
  ] as const) {
    const solver = makeSolver(name, opts);
    const vars = makeVars();
    const ref = new RefSolver(name, 'momentum' in opts ? opts.momentum : 0.9, 'rho' in opts ? opts.rho : 0.9);
    const refP = P0.map((p) => p.map(Math.fround));
    for (const g of GRADS) {
      applyStep(solver, vars, g);
      ref.step(refP, g, Math.fround(LR));
    }
    vars.forEach((v, i) => assertClose(v.dataSync(), refP[i], 1e-6, `${name} param ${i}`));
    solver.dispose();
    vars.forEach((v) => v.dispose());
  }
});

test('setState before the first step, validation errors', () => {
  // State restored into a fresh solver is materialised on its first step.
  const a = makeSolver('adam');
  const varsA = makeVars();
  applyStep(a, varsA, GRADS[0]);
  const st = a.getState();
  const b = makeSolver('adam');
  b.setState(st);
  assert.deepEqual(b.getState(), st);
  const varsB = makeVars(varsA.map((v) => Array.from(v.dataSync())));
  applyStep(a, varsA, GRADS[1]);
  applyStep(b, varsB, GRADS[1]);
  varsA.forEach((v, i) => assert.deepEqual(Array.from(varsB[i].dataSync()), Array.from(v.dataSync())));

  // Empty state resets to zeros and t = 0.
  const c = makeSolver('momentum');
  const c0 = c.getState();
  assert.deepEqual(c0, { t: 0, slots: {} });

  assert.throws(() => b.setState({ t: 1, slots: { m: st.slots.m } }), /missing/);
  assert.throws(() => b.setState({ t: 1, slots: { ...st.slots, w: [] } }), /unexpected/);
  assert.throws(() => b.setState({ t: -1, slots: st.slots }), /invalid step counter/);
  const d = makeSolver('adam');
  d.setState({ t: 1, slots: { m: [new Float32Array(2), new Float32Array(4)], v: st.slots.v } });
  const gs = GRADS[0].map((v, i) => tf.tensor(v, SHAPES[i], 'float32'));
  assert.throws(() => d.step(makeVarsTracked(), gs, LR), /values/);
  assert.throws(() => b.step(varsB, [gs[0]], LR), /gradients/);
  assert.throws(() => b.step(varsB, [gs[1], gs[0]], LR), /shape/);
  gs.forEach((x) => x.dispose());
  assert.throws(() => makeSolver('bogus' as SolverName), /unknown solver/);
  assert.throws(() => makeSolver('momentum', { momentum: NaN }), /finite/);
  [a, b, c, d].forEach((s) => s.dispose());
  [...varsA, ...varsB, ...tracked].forEach((v) => v.dispose());
  assert.equal(tf.memory().numTensors, 0);
});

const tracked: tf.Variable[] = [];
function makeVarsTracked(): tf.Variable[] {
  const v = makeVars();
  tracked.push(...v);
  return v;
}
