/**
 * The fused MLP step (src/nn/mlp-fused.ts, src/train/fused-mlp-problem.ts) against TF.js: gradients against
 * tf.variableGrads of today's losses (one-class, soft-boundary, autoencoder l2, with the weight penalty), a
 * finite-difference check, the batch-norm running statistics, one adam step's weights and slots against the TF.js
 * path, the eval-mode forward pass, and where the fused step applies.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { type ImageSet } from '../../src/data/batches.js';
import { fusedPlan, type FusedMlp } from '../../src/nn/mlp-fused.js';
import { fusedMlpOf } from '../../src/nn/mlp-fused-net.js';
import { buildNetwork, layerSpecs, weightSquaredSum, type Network, type NetOptions } from '../../src/nn/networks.js';
import { autoencoderLoss, autoencoderProblem } from '../../src/train/autoencoder.js';
import { meanDistanceLoss, softBoundaryDistanceLoss, type DistanceLoss } from '../../src/train/distance-losses.js';
import {
  fusedAutoencoderBlocker, fusedAutoencoderProblem, fusedMlpBlocker, fusedSvddBlocker, fusedSvddProblem, lossAndGradients,
  type DistanceHead,
} from '../../src/train/fused-mlp-problem.js';
import { makeSolver } from '../../src/train/solvers.js';
import { softBoundaryLoss, svddDistances, svddProblem, SvddState, type SvddSettings } from '../../src/train/svdd.js';
import { makeRng } from '../../src/util/rng.js';
import { assertClose, onBackend, seededArray, useWasm } from '../helpers/tf.js';

before(useWasm);

const D = 6;
const N = 40;
const OPTS: NetOptions = { repDim: 4, batchNorm: true, leakyRelu: true, inputDim: D, hidden: [12, 8] };
const X = seededArray(N * D, 11).map((v) => v + 0.5);
const IDX = Int32Array.from({ length: N }, (_, i) => i);
const C = Float32Array.from([0.3, -0.2, 0.15, 0.4]);
const SET: ImageSet = { x: X, n: N, height: 1, width: 1, channels: D };
const scratch = () => ({ d: new Float32Array(0), gd: new Float64Array(0), dOut: new Float32Array(0) });
const xTensor = () => tf.tensor4d(X, [N, 1, 1, D]);

function tfGrads(net: Network, loss: () => tf.Scalar): { value: number; grads: Float32Array[] } {
  return tf.tidy(() => {
    const vars = net.params.map((p) => p.variable);
    const { value, grads } = tf.variableGrads(loss, vars);
    return { value: value.dataSync()[0], grads: vars.map((v) => Float32Array.from(grads[v.name].dataSync())) };
  });
}

function fusedGrads(mlp: FusedMlp, head: DistanceHead, loss: DistanceLoss, weightDecayC?: number) {
  const r = lossAndGradients(mlp, head, loss, weightDecayC, X, N, IDX, scratch());
  return { value: r.loss, distances: Float32Array.from(r.distances), grads: mlp.gw.map((g) => Float32Array.from(g)) };
}

function checkGrads(what: string, fused: { value: number; grads: Float32Array[] }, ref: { value: number; grads: Float32Array[] }, net: Network) {
  assert.ok(Math.abs(fused.value - ref.value) <= 1e-5 * Math.abs(ref.value), `${what}: loss ${fused.value} vs ${ref.value}`);
  net.params.forEach((p, i) => assertClose(fused.grads[i], ref.grads[i], 1e-4, `${what} ${p.name}`));
}

test('fusedPlan: the MLP encoder and autoencoder are dense chains; LeNet, biases and gaps are not', () => {
  const enc = fusedPlan(layerSpecs('mlp', 'encoder', OPTS))!;
  assert.deepEqual(enc.map((l) => [l.name, l.nin, l.nout, l.bn ?? '', l.act, l.sigmoid]), [
    ['dense1', 6, 12, 'bn1', true, false], ['dense2', 12, 8, 'bn2', true, false], ['code', 8, 4, '', false, false],
  ]);
  const ae = fusedPlan(layerSpecs('mlp', 'autoencoder', OPTS))!;
  assert.deepEqual(ae.map((l) => l.name), ['dense1', 'dense2', 'code', 'dense_dec1', 'dense_dec2', 'reconstruction']);
  assert.ok(ae[5].sigmoid && !ae[5].act && ae[4].act && ae[4].bn === 'bn_dec2');
  assert.equal(fusedPlan(layerSpecs('mnist_LeNet', 'encoder', { repDim: 32, batchNorm: true, leakyRelu: true })), undefined);
  assert.equal(fusedPlan([{ kind: 'dense', name: 'a', nin: 3, nout: 2, bias: true }]), undefined);
  assert.equal(fusedPlan([{ kind: 'dense', name: 'a', nin: 3, nout: 2 }, { kind: 'dense', name: 'b', nin: 3, nout: 2 }]), undefined);
  assert.equal(fusedPlan([{ kind: 'act' }]), undefined);
});

test('one-class Deep SVDD: fused loss and gradients equal tf.variableGrads, and the batch-norm running statistics', () => {
  for (const o of [OPTS, { ...OPTS, leakyRelu: false }, { ...OPTS, batchNorm: false }]) {
    const net = buildNetwork('mlp', 'encoder', o, makeRng(3));
    const mlp = fusedMlpOf(net);
    const c = tf.tensor1d(C);
    const ref = tfGrads(net, () => tf.add(tf.mean(svddDistances(net, xTensor(), c)), tf.mul(weightSquaredSum(net), 0.5 / 50)) as tf.Scalar);
    const fused = fusedGrads(mlp, { kind: 'center', c: C }, meanDistanceLoss, 50);
    checkGrads(`one-class ${JSON.stringify(o)}`, fused, ref, net);
    // both took one training forward pass: the running averages moved the same way
    for (const [i, l] of mlp.layers.entries()) {
      if (!l.bn) continue;
      const bn = net.bns.find((b) => b.name === l.bn)!;
      assertClose(mlp.weights.runningMean[i]!, bn.runningMean.dataSync(), 1e-6, `${l.bn} running mean`);
      assertClose(mlp.weights.runningVar[i]!, bn.runningVar.dataSync(), 1e-6, `${l.bn} running var`);
      assert.ok(mlp.weights.runningMean[i]!.some((v) => v !== 0), 'the running mean moved');
    }
    c.dispose();
    net.dispose();
  }
});

test('soft-boundary Deep SVDD at a fixed R: fused loss and gradients equal tf.variableGrads (some rows outside)', () => {
  const net = buildNetwork('mlp', 'encoder', OPTS, makeRng(5));
  const c = tf.tensor1d(C);
  const d0 = Float32Array.from(fusedGrads(fusedMlpOf(net), { kind: 'center', c: C }, meanDistanceLoss).distances).sort();
  // halfway between two rows' distances: no row sits on the kink of max(0, d − R²)
  const k = Math.floor(N * 0.7);
  const r2 = Math.fround((d0[k] + d0[k + 1]) / 2);
  const nu = 0.2;
  const r2T = tf.scalar(r2);
  const ref = tfGrads(net, () => tf.add(softBoundaryLoss(svddDistances(net, xTensor(), c), r2T, nu), tf.mul(weightSquaredSum(net), 0.5 / 100)) as tf.Scalar);
  const fused = fusedGrads(fusedMlpOf(net), { kind: 'center', c: C }, softBoundaryDistanceLoss(() => r2, nu), 100);
  checkGrads('soft-boundary', fused, ref, net);
  assert.ok(fused.distances.some((d) => d > r2) && fused.distances.some((d) => d < r2));
  tf.dispose([c, r2T]);
  net.dispose();
});

test('autoencoder l2: fused loss and gradients equal tf.variableGrads of autoencoderLoss, on wasm and cpu', async () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    await onBackend(backend, () => {
      const ae = buildNetwork('mlp', 'autoencoder', OPTS, makeRng(7));
      const ref = tfGrads(ae, () => autoencoderLoss(ae, xTensor(), { loss: 'l2', weightDecayC: 20 }));
      const fused = fusedGrads(fusedMlpOf(ae), { kind: 'reconstruction' }, meanDistanceLoss, 20);
      checkGrads(`autoencoder (${backend})`, fused, ref, ae);
      ae.dispose();
    });
  }
});

test('finite differences: a few weight-gradient entries of the fused one-class and autoencoder losses', () => {
  for (const role of ['encoder', 'autoencoder'] as const) {
    const net = buildNetwork('mlp', role, OPTS, makeRng(9));
    const mlp = fusedMlpOf(net);
    const head: DistanceHead = role === 'encoder' ? { kind: 'center', c: C } : { kind: 'reconstruction' };
    const at = () => lossAndGradients(mlp, head, meanDistanceLoss, 10, X, N, IDX, scratch()).loss;
    at();
    const grads = mlp.gw.map((g) => Float32Array.from(g));
    let checked = 0;
    for (let l = 0; l < grads.length; l++) {
      // the entry with the largest gradient of each layer, and one more
      const g = grads[l];
      let big = 0;
      for (let q = 1; q < g.length; q++) if (Math.abs(g[q]) > Math.abs(g[big])) big = q;
      for (const q of [big, (big + 7) % g.length]) {
        const w = mlp.weights.w[l];
        const w0 = w[q];
        // small enough that no leaky-ReLU kink is crossed, large enough for float32 activations
        const h = 1e-3;
        w[q] = w0 + h; const up = at();
        w[q] = w0 - h; const down = at();
        w[q] = w0;
        const fd = (up - down) / (Math.fround(w0 + h) - Math.fround(w0 - h));
        const scale = Math.max(...Array.from(g, Math.abs));
        assert.ok(Math.abs(fd - g[q]) <= 3e-3 * scale, `${role} layer ${l} entry ${q}: finite difference ${fd}, gradient ${g[q]}`);
        checked++;
      }
    }
    assert.ok(checked >= 6);
    net.dispose();
  }
});

test('eval mode: the fused forward pass with the running statistics equals the network\'s', () => {
  const net = buildNetwork('mlp', 'encoder', OPTS, makeRng(11));
  tf.tidy(() => { net.forward(xTensor(), true); net.forward(tf.mul(xTensor(), 0.5) as tf.Tensor4D, true); });
  const mlp = fusedMlpOf(net);
  const ref = tf.tidy(() => net.forward(xTensor(), false).dataSync());
  assertClose(Float32Array.from(mlp.forward(X, N, false)), ref, 1e-5, 'eval-mode output');
  net.dispose();
});

const SETTINGS: SvddSettings = { mode: 'one-class', nu: 0.1, weightDecayC: 200, centerFixed: true, warmUpNEpochs: 0, kUpdateEpochs: 1, evalBatchSize: 64 };

test('three adam steps: the fused Deep SVDD and autoencoder steps give the TF.js path\'s weights, slots and statistics', () => {
  for (const role of ['encoder', 'autoencoder'] as const) {
    const nets = [buildNetwork('mlp', role, OPTS, makeRng(13)), buildNetwork('mlp', role, OPTS, makeRng(13))];
    const solvers = [makeSolver('adam'), makeSolver('adam')];
    const states = [new SvddState(C, 0, { c: false, r: false }), new SvddState(C, 0, { c: false, r: false })];
    const ae = { loss: 'l2' as const, weightDecayC: 30 };
    const problems = role === 'encoder'
      ? [svddProblem(nets[0], SET, states[0], SETTINGS, solvers[0]), fusedSvddProblem(nets[1], SET, states[1], SETTINGS, solvers[1])]
      : [autoencoderProblem(nets[0], ae, solvers[0]), fusedAutoencoderProblem(nets[1], ae, solvers[1])];
    const losses: number[][] = [[], []];
    for (let s = 0; s < 3; s++) {
      problems.forEach((p, k) => {
        const x = xTensor();
        losses[k].push(p.step(x, 1e-3, 0, IDX).loss);
        x.dispose();
      });
    }
    problems[1].sync!();
    assertClose(losses[1], losses[0], 1e-5, `${role} losses`);
    nets[0].params.forEach((p, i) => {
      const a = p.variable.dataSync();
      const b = nets[1].params[i].variable.dataSync();
      let worst = 0;
      for (let q = 0; q < a.length; q++) worst = Math.max(worst, Math.abs(a[q] - b[q]));
      assert.ok(worst <= 1e-5, `${role} ${p.name}: weights differ by ${worst}`);
    });
    nets[0].bns.forEach((b, i) => {
      assertClose(nets[1].bns[i].runningMean.dataSync(), b.runningMean.dataSync(), 1e-5, `${role} ${b.name} mean`);
      assertClose(nets[1].bns[i].runningVar.dataSync(), b.runningVar.dataSync(), 1e-5, `${role} ${b.name} var`);
    });
    const [s0, s1] = solvers.map((s) => s.getState());
    assert.equal(s1.t, 3);
    assert.equal(s0.t, 3);
    for (const k of ['m', 'v']) s0.slots[k].forEach((a, i) => assertClose(s1.slots[k][i], a, 1e-3, `${role} adam ${k}[${i}]`));
    // the TF.js solver goes on from the fused one's state (as a checkpoint would carry it)
    for (const n of nets) n.dispose();
    for (const s of solvers) s.dispose();
    for (const s of states) s.dispose();
  }
});

test('where the fused step applies: MLP + adam on wasm/cpu; LeNet, other solvers, trained c or R, ce loss and the switch keep TF.js', () => {
  const mlp = buildNetwork('mlp', 'encoder', OPTS, makeRng(1));
  const lenet = buildNetwork('mnist_LeNet', 'encoder', { repDim: 32, batchNorm: true, leakyRelu: true }, makeRng(1));
  const affine = buildNetwork('mlp', 'encoder', { ...OPTS, bnAffine: true }, makeRng(1));
  const adam = makeSolver('adam');
  assert.equal(fusedMlpBlocker(mlp, adam), undefined);
  assert.match(fusedMlpBlocker(lenet, adam)!, /not an MLP/);
  assert.match(fusedMlpBlocker(affine, adam)!, /scale and shift/);
  assert.match(fusedMlpBlocker(mlp, makeSolver('sgd'))!, /solver sgd/);
  assert.match(fusedSvddBlocker(mlp, adam, { mode: 'solver', centerFixed: true })!, /R is trained/);
  assert.match(fusedSvddBlocker(mlp, adam, { mode: 'one-class', centerFixed: false })!, /center-fixed 0/);
  assert.equal(fusedSvddBlocker(mlp, adam, { mode: 'block', centerFixed: true }), undefined);
  assert.match(fusedAutoencoderBlocker(mlp, adam, { loss: 'ce' })!, /ae-loss ce/);
  process.env.DEEP_SVDD_FUSED_MLP = '0';
  try {
    assert.match(fusedMlpBlocker(mlp, adam)!, /DEEP_SVDD_FUSED_MLP=0/);
  } finally {
    delete process.env.DEEP_SVDD_FUSED_MLP;
  }
  for (const n of [mlp, lenet, affine]) n.dispose();
});

test('every objective\'s distance loss equals its TF.js batch loss, value and gradient (labels looked up by idx)', async () => {
  const { OBJECTIVES, OBJECTIVE_NAMES } = await import('../../src/train/objectives.js');
  const d = Float32Array.from([0.5, 1, 2, 4, 0.25, 3]);
  const idx = Int32Array.from([4, 0, 5, 2, 1, 3]);
  const semiLabels = Int8Array.from([0, 1, -1, 0, 1, -1]);
  const semi = Float32Array.from(idx, (i) => semiLabels[i]);
  const r2 = Math.fround(1.5);
  for (const name of OBJECTIVE_NAMES) {
    const o = OBJECTIVES[name];
    assert.ok(o.distanceLoss, `${name} has a fused loss`);
    const grad = new Float64Array(d.length);
    const value = o.distanceLoss({ radiusSquared: () => r2, nu: 0.2, semiLabels, eta: 2 })(d, idx, grad);
    const ref = tf.tidy(() => {
      const ctx = { r2: tf.scalar(r2), nu: 0.2, semi: tf.tensor1d(semi), eta: 2 };
      const { value: v, grad: g } = tf.valueAndGrad((x: tf.Tensor) => o.batchLoss(x as tf.Tensor1D, ctx))(tf.tensor1d(d));
      return { value: v.dataSync()[0], grad: Float32Array.from(g.dataSync()) };
    });
    assert.ok(Math.abs(value - ref.value) <= 1e-6 * Math.abs(ref.value), `${name}: ${value} vs ${ref.value}`);
    assertClose(grad, ref.grad, 1e-6, `${name} dL/dd`);
  }
});
