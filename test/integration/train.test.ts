/** End-to-end training on tiny MNIST subsets: outputs, determinism, memory. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { buildTrainConfig } from '../../src/config/build.js';
import { prepareData } from '../../src/data/datasets.js';
import { runTraining } from '../../src/experiments/train-run.js';
import { buildNetwork } from '../../src/nn/networks.js';
import { autoencoderProblem } from '../../src/train/autoencoder.js';
import { runEpochs } from '../../src/train/loop.js';
import { makeSolver } from '../../src/train/solvers.js';
import { SvddState, svddProblem } from '../../src/train/svdd.js';
import { makeRng } from '../../src/util/rng.js';
import { useWasm } from '../helpers/tf.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-train-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const tiny = (xpDir: string, extra: Record<string, string> = {}) => buildTrainConfig({
  dataset: 'mnist', normal: '0', outlier: '-1', seed: '3', nTrain: '300', nTest: '400', nEpochs: '2', aeNEpochs: '2',
  batchSize: '100', backend: 'wasm', xpDir, force: '1', ...extra,
});

test('a tiny run writes config, log, epochs.csv, results.json, the model folder and pictures', async () => {
  await useWasm();
  const xp = path.join(tmp, 'run1');
  const { results } = await runTraining(tiny(xp), { quiet: true });
  for (const f of ['config.json', 'log.txt', 'epochs.csv', 'results.json', 'model/model.json', 'model/weights.bin',
    'most_normal.png', 'most_anomalous.png', 'loss_pretrain.png', 'loss_train.png']) {
    assert.ok(fs.existsSync(path.join(xp, f)), `${f} missing`);
  }
  const r = JSON.parse(fs.readFileSync(path.join(xp, 'results.json'), 'utf8'));
  assert.equal(r.status, 'finished');
  assert.ok(r.test_auc > 0.5 && r.test_auc <= 1, `test_auc ${r.test_auc}`);
  assert.ok(r.ae_test_auc > 0 && r.ae_test_auc <= 1);
  assert.equal(r.n_train, 300);
  assert.equal(r.n_test, 400);
  assert.equal(r.test_scores.length, 400);
  assert.deepEqual(Object.keys(r.test_scores[0]).sort(), ['class', 'index', 'label', 'score']);
  assert.equal(r.backend.name, 'wasm');
  assert.equal(typeof r.preprocessing.min, 'number');
  assert.equal(typeof r.preprocessing.max, 'number');
  assert.ok(r.R > 0);
  assert.ok(r.train_time_s > 0 && r.test_time_s >= 0);
  assert.equal(r.seed, 3);
  assert.equal(results.status, 'finished');
  const csv = fs.readFileSync(path.join(xp, 'epochs.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'phase,epoch,lr,loss,seconds,R,frac_outside,val_loss,test_auc');
  assert.equal(csv.length, 1 + 2 + 2);
  assert.match(csv[1], /^pretrain,0,0\.0001,/);
  assert.match(csv[3], /^train,0,0\.0001,/);
  const log = fs.readFileSync(path.join(xp, 'log.txt'), 'utf8');
  assert.match(log, /Test AUC: \d+\.\d\d%/);
  const model = JSON.parse(fs.readFileSync(path.join(xp, 'model/model.json'), 'utf8'));
  assert.equal(model.c.length, 32);
  assert.equal(model.R, r.R);
  assert.deepEqual(model.preprocessing, { gcn: 'l1', min: r.preprocessing.min, max: r.preprocessing.max });
});

test('the same seed on the same backend gives identical scores; another seed does not', async () => {
  await useWasm();
  const a = await runTraining(tiny(path.join(tmp, 'a')), { quiet: true });
  const b = await runTraining(tiny(path.join(tmp, 'b')), { quiet: true });
  const c = await runTraining(tiny(path.join(tmp, 'c'), { seed: '4' }), { quiet: true });
  const scores = (o: typeof a) => (o.results.test_scores as Array<{ score: number }>).map((s) => s.score);
  assert.deepEqual(scores(a), scores(b));
  assert.notDeepEqual(scores(a), scores(c));
});

test('a finished run is not overwritten without --force', async () => {
  await useWasm();
  const xp = path.join(tmp, 'run1');
  await assert.rejects(runTraining(tiny(xp, { force: '0' }), { quiet: true }), /already holds a finished run.*--force/);
});

test('the number of live tensors does not grow across epochs (pretraining and Deep SVDD)', async () => {
  await useWasm();
  const data = prepareData({ dataset: 'mnist', normal: [1], outlier: [-1], seed: 1, nTrain: 200, nTest: 10 });
  const counts: Record<string, number[]> = { pretrain: [], train: [] };
  const onEpoch = (row: { phase: string }) => { counts[row.phase].push(tf.memory().numTensors); };
  const ae = buildNetwork('mnist_LeNet', 'autoencoder', { repDim: 32, batchNorm: true, leakyRelu: true }, makeRng(1));
  const aeSolver = makeSolver('adam');
  await runEpochs({
    phase: 'pretrain', set: data.train, batchSize: 50, nEpochs: 4, schedule: { lr: 1e-4, drop: false, dropInEpoch: 0, dropFactor: 10 },
    rng: makeRng(2), problem: autoencoderProblem(ae, { loss: 'l2', weightDecayC: 1e3 }, aeSolver), log: () => {}, onEpoch,
  });
  const net = buildNetwork('mnist_LeNet', 'encoder', { repDim: 32, batchNorm: true, leakyRelu: true }, makeRng(1));
  for (const mode of ['one-class', 'block', 'solver', 'batch-quantile'] as const) {
    counts.train = [];
    const state = new SvddState(new Float32Array(32).fill(0.2), 1, { c: false, r: mode === 'solver' });
    const solver = makeSolver('adam');
    await runEpochs({
      phase: 'train', set: data.train, batchSize: 50, nEpochs: 4, schedule: { lr: 1e-4, drop: true, dropInEpoch: 2, dropFactor: 10 },
      rng: makeRng(3), log: () => {}, onEpoch,
      problem: svddProblem(net, data.train, state, { mode, nu: 0.1, weightDecayC: 1e6, centerFixed: true, warmUpNEpochs: 1, kUpdateEpochs: 2, evalBatchSize: 100 }, solver),
    });
    assert.ok(counts.train.every((n) => n === counts.train[0]), `${mode}: tensors per epoch ${counts.train.join(', ')}`);
    solver.dispose();
    state.dispose();
  }
  // the solver's slots appear in the first epoch; from then on the count is flat
  assert.ok(counts.pretrain.every((n) => n === counts.pretrain[0]), `pretrain: ${counts.pretrain.join(', ')}`);
  aeSolver.dispose(); ae.dispose(); net.dispose();
});
