/**
 * The fused MLP step in the training loop and through the CLI: a run stopped mid-epoch and resumed from what a
 * checkpoint holds (weights, batch-norm statistics, solver state, R²) ends exactly as the uninterrupted fused run;
 * `train --dataset table` takes the fused step (results.json training_step, the log) and still beats chance, as does
 * DEEP_SVDD_FUSED_MLP=0 with TF.js ops; an MNIST LeNet run keeps TF.js ops.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { type ImageSet } from '../../src/data/batches.js';
import { buildNetwork, namedTensors, type NetOptions } from '../../src/nn/networks.js';
import { fusedAutoencoderProblem, fusedSvddProblem } from '../../src/train/fused-mlp-problem.js';
import { runEpochs, type LoopPosition, type Problem } from '../../src/train/loop.js';
import { makeSolver, type Solver, type SolverState } from '../../src/train/solvers.js';
import { SvddState, type SvddSettings } from '../../src/train/svdd.js';
import { makeRng } from '../../src/util/rng.js';
import { faultTableLines, withoutId } from '../helpers/fault-table.js';
import { useWasm } from '../helpers/tf.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-fused-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const csv = path.join(tmp, 'rows.csv');

before(async () => {
  await useWasm();
  // as tables.test.ts: 300 normal rows around 0, 60 anomalies shifted by 3 in 5 features
  const lines = withoutId(faultTableLines(makeRng(7), 3));
  fs.writeFileSync(csv, `${lines.join('\n')}\n`);
});

const D = 5;
const OPTS: NetOptions = { repDim: 4, batchNorm: true, leakyRelu: true, inputDim: D, hidden: [16, 8] };
const SET: ImageSet = (() => {
  const rng = makeRng(11);
  const n = 300;
  return { x: Float32Array.from({ length: n * D }, () => rng.next()), n, height: 1, width: 1, channels: D };
})();
const C = Float32Array.from([0.2, -0.3, 0.1, 0.25]);
const SETTINGS: SvddSettings = { mode: 'batch-quantile', nu: 0.1, weightDecayC: 100, centerFixed: true, warmUpNEpochs: 1, kUpdateEpochs: 1, evalBatchSize: 128 };

/** what a checkpoint holds */
interface Snapshot { position: LoopPosition; tensors: Float32Array[]; solver: SolverState; r2?: number }

function session(role: 'encoder' | 'autoencoder', from?: Snapshot) {
  const net = buildNetwork('mlp', role, OPTS, makeRng(3));
  const solver: Solver = makeSolver('adam');
  const state = role === 'encoder' ? new SvddState(C, from?.r2 ?? 0.5, { c: false, r: false }) : undefined;
  if (from) {
    namedTensors(net).forEach(([, v], i) => tf.tidy(() => v.assign(tf.tensor(from.tensors[i], v.shape))));
    solver.setState(from.solver);
  }
  const problem: Problem = state
    ? fusedSvddProblem(net, SET, state, SETTINGS, solver)
    : fusedAutoencoderProblem(net, { loss: 'l2', weightDecayC: 50 }, solver);
  const snap = (position: LoopPosition): Snapshot => ({
    position, tensors: namedTensors(net).map(([, v]) => Float32Array.from(v.dataSync())), solver: solver.getState(), r2: state?.radiusSquared,
  });
  const dispose = () => { net.dispose(); solver.dispose(); state?.dispose(); };
  return { problem, snap, dispose };
}

async function train(role: 'encoder' | 'autoencoder', o: { from?: Snapshot; stopAfter?: number }): Promise<{ end: Snapshot; checkpoints: Snapshot[] }> {
  const s = session(role, o.from);
  const checkpoints: Snapshot[] = [];
  let calls = 0;
  await runEpochs({
    phase: role === 'encoder' ? 'train' : 'pretrain', set: SET, batchSize: 32, nEpochs: 4,
    schedule: { lr: 1e-3, drop: false, dropInEpoch: 0, dropFactor: 10 },
    rng: o.from ? makeRng(0, o.from.position.rngState) : makeRng(42), resume: o.from?.position,
    problem: s.problem, log: () => {}, onEpoch: () => {},
    shouldStop: () => o.stopAfter !== undefined && ++calls >= o.stopAfter,
    onCheckpoint: (position) => { checkpoints.push(s.snap(position)); },
  });
  const end = s.snap({ phase: 'train', epoch: 4, batch: 0, rngState: {}, lossSum: 0, count: 0 });
  s.dispose();
  return { end, checkpoints };
}

test('stopped mid-epoch and resumed from the checkpoint, the fused run ends exactly as the uninterrupted one', async () => {
  for (const role of ['encoder', 'autoencoder'] as const) {
    const full = await train(role, {});
    // 300 rows in batches of 32: ten per epoch; the 15th batch is in the middle of the second epoch
    const cut = await train(role, { stopAfter: 15 });
    const last = cut.checkpoints[cut.checkpoints.length - 1];
    assert.equal(last.position.epoch, 1, `${role}: stopped in the second epoch`);
    assert.ok(last.position.batch > 0, `${role}: mid-epoch`);
    assert.ok(last.solver.t > 0 && last.solver.slots.m.length > 0, `${role}: the checkpoint holds the fused adam state`);
    const resumed = await train(role, { from: last });
    assert.equal(resumed.end.solver.t, full.end.solver.t, `${role}: adam's step counter`);
    full.end.tensors.forEach((t, i) => assert.deepEqual(resumed.end.tensors[i], t, `${role}: tensor ${i}`));
    for (const k of ['m', 'v']) full.end.solver.slots[k].forEach((a, i) => assert.deepEqual(resumed.end.solver.slots[k][i], a, `${role}: adam ${k}[${i}]`));
    assert.equal(resumed.end.r2, full.end.r2, `${role}: R²`);
    if (role === 'encoder') assert.notEqual(full.end.r2, 0.5, 'the batch-quantile radius moved');
  }
});

function trainCli(xp: string, env: Record<string, string> = {}, args: string[] = []) {
  const p = spawnSync(process.execPath, [cli, 'train', ...args, '--seed', '1', '--backend', 'wasm', '--xp-dir', xp, '--force', '1'], {
    encoding: 'utf8', env: { ...process.env, ...env },
  });
  assert.equal(p.status, 0, p.stderr);
  return { results: JSON.parse(fs.readFileSync(path.join(xp, 'results.json'), 'utf8')), log: fs.readFileSync(path.join(xp, 'log.txt'), 'utf8') };
}

test('train --dataset table: the fused step by default, TF.js ops with DEEP_SVDD_FUSED_MLP=0; both beat chance', () => {
  const table = ['--dataset', 'table', '--data-file', csv, '--label-column', 'status', '--normal', 'ok', '--n-epochs', '15', '--ae-n-epochs', '15', '--batch-size', '32'];
  const fused = trainCli(path.join(tmp, 'fused'), {}, table);
  assert.deepEqual(fused.results.training_step, { pretrain: 'fused-mlp', train: 'fused-mlp' });
  assert.match(fused.log, /Training step: the fused MLP step/);
  const ops = trainCli(path.join(tmp, 'ops'), { DEEP_SVDD_FUSED_MLP: '0' }, table);
  assert.deepEqual(ops.results.training_step, { pretrain: 'tfjs', train: 'tfjs' });
  assert.match(ops.log, /Training step: TF\.js ops \(the fused MLP step does not apply: DEEP_SVDD_FUSED_MLP=0\)/);
  for (const r of [fused.results, ops.results]) assert.ok(r.test_auc > 0.75, `AUC ${r.test_auc}`);
  // the same training to float32 rounding: close AUCs
  assert.ok(Math.abs(fused.results.test_auc - ops.results.test_auc) < 0.05, `${fused.results.test_auc} vs ${ops.results.test_auc}`);
});

test('an MNIST LeNet run keeps TF.js ops', () => {
  const r = trainCli(path.join(tmp, 'mnist'), {}, ['--normal', '0', '--n-train', '100', '--n-test', '60', '--n-epochs', '1', '--ae-n-epochs', '1', '--batch-size', '50']);
  assert.deepEqual(r.results.training_step, { pretrain: 'tfjs', train: 'tfjs' });
  assert.doesNotMatch(r.log, /Training step/);
});

test('--save-at E with the fused step: the model saved after epoch E is the one a run of E epochs ends with', () => {
  // no learning-rate drop in the first epochs (the tables' milestone is epoch 49): the first E epochs are the same
  const table = ['--dataset', 'table', '--data-file', csv, '--label-column', 'status', '--normal', 'ok', '--ae-n-epochs', '2', '--batch-size', '32'];
  const long = path.join(tmp, 'save-at');
  trainCli(long, {}, [...table, '--n-epochs', '6', '--save-at', '3']);
  const short = path.join(tmp, 'three-epochs');
  trainCli(short, {}, [...table, '--n-epochs', '3']);
  // the distances ‖φ(x) − c‖² (score + R²: a model saved mid-run keeps the R of its time; one-class sets R at the end)
  const distances = (model: string, out: string) => {
    const p = spawnSync(process.execPath, [cli, 'score', '--model', model, '--input', csv, '--out', out, '--backend', 'wasm'], { encoding: 'utf8' });
    assert.equal(p.status, 0, p.stderr);
    const { R2 } = JSON.parse(fs.readFileSync(path.join(model, 'model.json'), 'utf8')) as { R2: number };
    return fs.readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]) + R2);
  };
  const atThree = distances(path.join(long, 'model_epoch3'), path.join(tmp, 'at3.csv'));
  const short3 = distances(path.join(short, 'model'), path.join(tmp, 'short.csv'));
  const end = distances(path.join(long, 'model'), path.join(tmp, 'end.csv'));
  const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
  assert.ok(maxDiff(atThree, short3) < 1e-6, `epoch 3 of 6 = the end of a 3-epoch run (max diff ${maxDiff(atThree, short3)})`);
  assert.ok(maxDiff(atThree, end) > 1e-4, `the final model moved on (max diff ${maxDiff(atThree, end)})`);
});
