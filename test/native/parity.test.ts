/**
 * The native backend (tfjs-node on TensorFlow, `deep-svdd setup tensorflow`) against wasm: each network's forward
 * pass (training and eval mode), its gradients, and a tiny end-to-end run. Skipped, with a message saying how to
 * set it up, when no native backend is set up; .ci/run sets it up first.
 *
 * Tolerances: forward passes and gradients agree to 1e-4 of the largest magnitude (float32, different convolution
 * algorithms and summation orders); a run's test AUC to 0.01 (the reference run of 10 + 10 epochs on all of MNIST
 * agreed to 5e-6).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { findNative, ownNativeOps, setupHint } from '../../src/backend/native.js';
import { selectBackend } from '../../src/backend/select.js';
import { BN_EVAL } from '../../src/backend/js-kernels.js';
import { BN_EVAL_OP } from '../../src/backend/native-kernels.js';
import { buildTrainConfig } from '../../src/config/build.js';
import { runTraining } from '../../src/experiments/train-run.js';
import { buildNetwork, type NetKind, type NetRole } from '../../src/nn/networks.js';
import { makeRng } from '../../src/util/rng.js';
import { assertClose, seededArray } from '../helpers/tf.js';

const where = findNative('cpu');
const skip = 'why' in where ? `native backend not set up (${where.why}): ${setupHint('cpu')}` : false;
if (skip) process.stderr.write(`native parity tests SKIPPED: ${skip}\n`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-parity-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

type Backend = 'wasm' | 'tensorflow';
async function use(backend: Backend): Promise<void> {
  const b = await selectBackend({ backend, device: 'cpu', threads: 1 });
  assert.equal(tf.getBackend(), backend);
  assert.equal(b.name, backend);
  // on native: only its own batch-norm / leaky-ReLU kernels (src/backend/native-kernels.ts), none of wasm's fixes
  // (and deep-svdd's own TensorFlow kernels where the setup built them: test/native/own-kernels.test.ts)
  const ops = ownNativeOps();
  // builds from before the eval-mode kernel lack DeepSvddBatchNormEval (and run TensorFlow's ops in eval mode)
  const own = ops.length ? ['MaxPoolGrad (DeepSvddMaxPoolGrad2x2)', 'DeepSvddAdam', ...(ops.includes(BN_EVAL_OP) ? [`${BN_EVAL} (${BN_EVAL_OP})`] : [])] : [];
  if (backend === 'tensorflow') assert.deepEqual(b.kernelFixes, ['BatchNormTrainJs', 'BatchNormTrainGradJs', 'LeakyReluGradJs', ...own]);
}

interface Pass { train: Float32Array; eval: Float32Array; grads: Record<string, Float32Array>; loss: number }

/** One network from a fixed seed on the current backend: outputs in both modes and the gradients of a squared loss. */
function pass(kind: NetKind, role: NetRole): Pass {
  const shape = kind === 'mnist_LeNet' ? [16, 28, 28, 1] : [8, 32, 32, 3];
  const net = buildNetwork(kind, role, { repDim: kind === 'mnist_LeNet' ? 32 : 128, batchNorm: true, leakyRelu: true }, makeRng(7));
  try {
    return tf.tidy(() => {
      const x = tf.tensor4d(seededArray(shape.reduce((a, b) => a * b, 1), 11).map((v) => v + 0.5), shape as [number, number, number, number]);
      const train = net.forward(x, true).dataSync() as Float32Array;
      const evalOut = net.forward(x, false).dataSync() as Float32Array;
      const target = role === 'autoencoder' ? x : tf.fill([shape[0], net.options.repDim], 0.1);
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.sum(tf.square(tf.sub(net.forward(x, true), target)), role === 'autoencoder' ? [1, 2, 3] : [1])) as tf.Scalar,
        net.params.map((p) => p.variable));
      const g: Record<string, Float32Array> = {};
      for (const p of net.params) g[p.name] = grads[p.variable.name].dataSync() as Float32Array;
      return { train: Float32Array.from(train), eval: Float32Array.from(evalOut), grads: g, loss: value.dataSync()[0] };
    });
  } finally {
    net.dispose();
  }
}

const NETS: Array<[NetKind, NetRole]> = [['mnist_LeNet', 'encoder'], ['mnist_LeNet', 'autoencoder'], ['cifar10_LeNet', 'encoder'], ['cifar10_LeNet', 'autoencoder']];

for (const [kind, role] of NETS) {
  test(`${kind} ${role}: forward (training and eval) and gradients agree on wasm and native`, { skip }, async () => {
    await use('wasm');
    const a = pass(kind, role);
    await use('tensorflow');
    const b = pass(kind, role);
    assertClose(b.train, a.train, 1e-4, 'training-mode output');
    assertClose(b.eval, a.eval, 1e-4, 'eval-mode output');
    assert.ok(Math.abs(b.loss - a.loss) <= 1e-4 * Math.abs(a.loss), `loss ${b.loss} vs ${a.loss}`);
    for (const name of Object.keys(a.grads)) assertClose(b.grads[name], a.grads[name], 1e-4, `gradient of ${name}`);
  });
}

test('a tiny MNIST run reaches the same test AUC on wasm and native', { skip }, async (t) => {
  const cfg = (backend: Backend) => buildTrainConfig({
    dataset: 'mnist', normal: '0', outlier: '-1', seed: '3', nTrain: '400', nTest: '400', nEpochs: '2', aeNEpochs: '2',
    batchSize: '100', backend, threads: '1', xpDir: path.join(tmp, backend), force: '1',
  });
  const auc: Record<string, number> = {};
  for (const backend of ['wasm', 'tensorflow'] as const) {
    const { results } = await runTraining(cfg(backend), { quiet: true });
    assert.equal(results.status, 'finished');
    assert.equal((results.backend as { name: string }).name, backend);
    auc[backend] = results.test_auc as number;
  }
  t.diagnostic(`test AUC: wasm ${auc.wasm}, native ${auc.tensorflow}`);
  assert.ok(auc.tensorflow > 0.5, `native AUC ${auc.tensorflow}`);
  assert.ok(Math.abs(auc.tensorflow - auc.wasm) <= 0.01, `test AUC wasm ${auc.wasm} vs native ${auc.tensorflow}`);
});

test('the CLI trains on native with options tfjs-node\'s addon finder would misread (--C 1e6 is node-pre-gyp\'s -C DIR)', { skip }, () => {
  const cli = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../src/cli/main.js');
  const xp = path.join(tmp, 'cli-native');
  const r = spawnSync(process.execPath, [cli, 'train', '--backend', 'tensorflow', '--C', '1e6', '--n-train', '200', '--n-test', '100',
    '--n-epochs', '1', '--ae-n-epochs', '1', '--batch-size', '100', '--xp-dir', xp], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), '', 'nothing on stderr (TensorFlow\'s start-up notice is muted)');
  assert.equal(JSON.parse(fs.readFileSync(path.join(xp, 'results.json'), 'utf8')).backend.name, 'tensorflow');
});
