/** The soft-boundary radius rules on real (tiny) training runs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prepareData } from '../../src/data/datasets.js';
import { squaredDistances } from '../../src/eval/infer.js';
import { buildNetwork } from '../../src/nn/networks.js';
import { runEpochs } from '../../src/train/loop.js';
import { makeSolver } from '../../src/train/solvers.js';
import { SvddState, svddProblem, type RadiusMode } from '../../src/train/svdd.js';
import { makeRng } from '../../src/util/rng.js';
import { useWasm } from '../helpers/tf.js';

const data = () => prepareData({ dataset: 'mnist', normal: [4], outlier: [-1], seed: 2, nTrain: 300, nTest: 10 });

async function train(mode: RadiusMode, nu: number, epochs: number) {
  await useWasm();
  const d = data();
  const net = buildNetwork('mnist_LeNet', 'encoder', { repDim: 32, batchNorm: true, leakyRelu: true }, makeRng(3));
  const state = new SvddState(new Float32Array(32).fill(0.3), 0.25, { c: false, r: mode === 'solver' });
  const solver = makeSolver('adam');
  const rows: Array<Record<string, number | string>> = [];
  await runEpochs({
    phase: 'train', set: d.train, batchSize: 50, nEpochs: epochs, schedule: { lr: 1e-3, drop: false, dropInEpoch: 0, dropFactor: 10 },
    rng: makeRng(4), log: () => {}, onEpoch: (r) => rows.push(r),
    problem: svddProblem(net, d.train, state, { mode, nu, weightDecayC: 1e6, centerFixed: true, warmUpNEpochs: 2, kUpdateEpochs: 2, evalBatchSize: 100 }, solver),
  });
  const dist = squaredDistances(net, d.train, state.c, 100);
  const r = state.radius;
  const r2 = state.radiusSquared;
  const outside = Array.from(dist).filter((x) => x > r2).length / dist.length;
  solver.dispose(); net.dispose(); state.dispose();
  return { outside, r, rows, n: dist.length };
}

for (const nu of [0.1, 0.25]) {
  test(`block coordinates: after an R update about ν = ${nu} of the training images lie outside the sphere`, async () => {
    // epochs 0, 1 (warm-up) and 2 (2 % k = 0) end with an exact R update
    const { outside, r, rows, n } = await train('block', nu, 3);
    assert.ok(r > 0);
    assert.ok(outside <= nu + 1e-9 && outside > nu - 1 / n - 1e-9, `fraction outside ${outside}, ν ${nu}`);
    assert.deepEqual(rows.map((x) => x.r_updated), [1, 1, 1]);
  });
}

test('solver mode trains R² with the network; batch-quantile keeps R = 0 during warm-up, then sets it each step', async () => {
  const solver = await train('solver', 0.1, 2);
  assert.notEqual(solver.rows[0].R, 0.5, 'R moved from its initial value');
  assert.notEqual(solver.rows[1].R, solver.rows[0].R);
  const bq = await train('batch-quantile', 0.1, 3);
  // R = 0.5 was the starting value; the per-batch rule only starts after 2 warm-up epochs
  assert.equal(bq.rows[0].R, 0.5);
  assert.equal(bq.rows[1].R, 0.5);
  assert.notEqual(bq.rows[2].R, 0.5);
  assert.ok(Number(bq.rows[2].R) > 0);
});
