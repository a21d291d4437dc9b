/**
 * deep-svdd's own TensorFlow kernels (src/native/kernels.c, built by `deep-svdd setup tensorflow`): each must give
 * TensorFlow's own values bit for bit, so that a seeded run gives the same numbers with and without them.
 *   - DeepSvddMaxPoolGrad2x2 (behind TF.js's MaxPoolGrad) against TensorFlow's MaxPoolGrad: ties (the first maximum
 *     in row-major order gets dy), −0 in dy, odd sizes with VALID and SAME padding, more channels than one SSE vector;
 *   - DeepSvddAdam against the TF.js expression of src/train/solvers.ts, over a million elements;
 *   - DeepSvddBatchNormEval (behind BatchNormEvalJs, which batchNormEval runs) against TF.js's batchNorm (TensorFlow's
 *     FusedBatchNorm) and leakyRelu: ranks 2 and 4, channel counts in and out of fours, x = mean, −0, ±∞ and NaN;
 *   - a seeded training run with them (the default) and without them (DEEP_SVDD_OWN_KERNELS=0): the same scores.
 * Skipped, saying how to set it up, when no native backend is set up; a build made by the setup command must have them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { BN_EVAL, hasBnEvalKernel } from '../../src/backend/js-kernels.js';
import { fusedAdam } from '../../src/backend/native-kernels.js';
import { findNative, ownNativeOps, readManifest, setupHint } from '../../src/backend/native.js';
import { describeBackend, selectBackend } from '../../src/backend/select.js';
import { BN_EPS, batchNormEval, makeBatchNorm } from '../../src/nn/batchnorm.js';

const where = findNative('cpu');
const skip = 'why' in where ? `native backend not set up (${where.why}): ${setupHint('cpu')}` : false;
if (skip) process.stderr.write(`native own-kernel tests SKIPPED: ${skip}\n`);

interface NodeBackend {
  binding: { TF_ATTR_INT: number; TF_ATTR_STRING: number; TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
}

/** TensorFlow's own MaxPoolGrad, 2×2 windows, stride 2 */
function tensorflowPoolGrad(x: tf.Tensor4D, y: tf.Tensor4D, dy: tf.Tensor4D, pad: 'valid' | 'same'): tf.Tensor {
  const b = tf.backend() as unknown as NodeBackend;
  const ints = (name: string) => ({ name, type: b.binding.TF_ATTR_INT, value: [1, 2, 2, 1] });
  return b.executeSingleOutput('MaxPoolGrad', [ints('ksize'), ints('strides'),
    { name: 'padding', type: b.binding.TF_ATTR_STRING, value: pad.toUpperCase() },
    { name: 'data_format', type: b.binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'T', type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_FLOAT }], [x, y, dy]);
}

/** indices where two arrays differ bit for bit (Object.is: −0 ≠ +0, NaN = NaN) */
function bitMismatches(a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array): number {
  assert.equal(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

test('the setup\'s build has deep-svdd\'s own kernels, and the native backend uses them', { skip }, async () => {
  const info = await selectBackend({ backend: 'tensorflow', device: 'cpu', threads: 1 });
  if (!('why' in where) && where.origin === 'cache') assert.ok(readManifest(where.dir)?.ownKernels, 'the cached build records its kernels');
  if (ownNativeOps().length === 0) return; // an ordinary npm install of tfjs-node: TensorFlow's ops only
  assert.deepEqual([...ownNativeOps()], ['DeepSvddMaxPoolGrad2x2', 'DeepSvddAdam', 'DeepSvddBatchNormEval']);
  for (const k of ['MaxPoolGrad (DeepSvddMaxPoolGrad2x2)', 'DeepSvddAdam', `${BN_EVAL} (DeepSvddBatchNormEval)`]) {
    assert.ok(info.kernelFixes.includes(k), `${k} not in ${String(info.kernelFixes)}`);
  }
  assert.ok(hasBnEvalKernel(3) && hasBnEvalKernel(8), 'eval-mode batch norm runs as the own kernel on native');
  assert.match(describeBackend(info), /deep-svdd's own kernels on$/);
});

test('MaxPoolGrad on 2×2 windows: the same bits as TensorFlow\'s (ties, −0, odd sizes, VALID and SAME)', { skip }, async () => {
  await selectBackend({ backend: 'tensorflow', device: 'cpu', threads: 1 });
  if (ownNativeOps().length === 0) return;
  const cases: Array<[[number, number, number, number], 'valid' | 'same']> = [
    [[3, 6, 6, 5], 'valid'], [[2, 7, 5, 3], 'same'], [[2, 7, 5, 3], 'valid'], [[2, 7, 9, 12], 'valid'],
    [[2, 9, 7, 8], 'same'], [[16, 28, 28, 8], 'valid'], [[4, 16, 16, 32], 'same'],
  ];
  for (const [shape, pad] of cases) {
    tf.tidy(() => {
      const x = tf.round(tf.mul(tf.randomUniform(shape, 0, 1, 'float32', 1), 3)) as tf.Tensor4D; // values 0..3: many ties
      const y = tf.maxPool(x, 2, 2, pad);
      const noise = tf.randomNormal(y.shape, 0, 1, 'float32', 2);
      const dy = tf.where(tf.less(tf.randomUniform(y.shape, 0, 1, 'float32', 3), 0.2), tf.mul(noise, -0), noise) as tf.Tensor4D; // some −0
      const ours = tf.grad((a) => tf.maxPool(a as tf.Tensor4D, 2, 2, pad))(x, dy);
      const theirs = tensorflowPoolGrad(x, y, dy, pad);
      assert.equal(bitMismatches(ours.dataSync() as Float32Array, theirs.dataSync() as Float32Array), 0, `${shape.join('×')} ${pad}`);
    });
  }
  // a pool it does not handle (3×3) still runs TensorFlow's kernel
  tf.tidy(() => {
    const x = tf.randomNormal([2, 9, 9, 4], 0, 1, 'float32', 4) as tf.Tensor4D;
    const g = tf.grad((a) => tf.maxPool(a as tf.Tensor4D, 3, 3, 'valid'))(x);
    assert.equal(tf.sum(g).dataSync()[0], 2 * 3 * 3 * 4);
  });
});

test('DeepSvddAdam: the same bits as the TF.js Adam expression', { skip }, async () => {
  await selectBackend({ backend: 'tensorflow', device: 'cpu', threads: 1 });
  if (ownNativeOps().length === 0) return;
  const n = 1_000_003; // not a multiple of any vector width
  for (const t of [1, 2, 50, 1000]) {
    tf.tidy(() => {
      const p = tf.randomNormal([n], 0, 1, 'float32', t);
      const m = tf.mul(tf.randomNormal([n], 0, 1, 'float32', t + 1), 1e-3);
      const v = tf.mul(tf.square(tf.randomNormal([n], 0, 1, 'float32', t + 2)), 1e-5);
      const g = tf.mul(tf.randomNormal([n], 0, 1, 'float32', t + 3), 1e-2);
      const a = (1e-4 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      // the expression of src/train/solvers.ts
      const mNew = tf.add(tf.mul(m, 0.9), tf.mul(g, 1 - 0.9));
      const vNew = tf.add(tf.mul(v, 0.999), tf.mul(tf.square(g), 1 - 0.999));
      const pNew = tf.sub(p, tf.div(tf.mul(mNew, a), tf.add(tf.sqrt(vNew), 1e-8)));
      const fused = fusedAdam(p, m, v, g, { a, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
      assert.ok(fused, 'the native backend has the fused update');
      const [p2, m2, v2] = fused.map((x) => x.dataSync() as Float32Array);
      assert.equal(bitMismatches(p2, pNew.dataSync() as Float32Array), 0, `p at t = ${t}`);
      assert.equal(bitMismatches(m2, mNew.dataSync() as Float32Array), 0, `m at t = ${t}`);
      assert.equal(bitMismatches(v2, vNew.dataSync() as Float32Array), 0, `v at t = ${t}`);
    });
  }
});

test('eval-mode batch norm (+ leaky ReLU) in one pass: the same bits as TensorFlow\'s FusedBatchNorm and LeakyRelu', { skip }, async () => {
  await selectBackend({ backend: 'tensorflow', device: 'cpu', threads: 1 });
  if (ownNativeOps().length === 0) return;
  const shapes: number[][] = [[200, 28, 28, 8], [3, 7, 5, 3], [4, 6, 6, 1], [5, 4, 4, 128], [33, 32], [17, 5], [1, 1, 1, 4]];
  for (const shape of shapes) {
    tf.tidy(() => {
      const c = shape[shape.length - 1];
      const mean = tf.randomNormal([c], 0, 1, 'float32', 11);
      const variance = tf.exp(tf.randomNormal([c], 0, 3, 'float32', 12)); // from ~1e-4 to ~1e4
      let x = tf.mul(tf.randomNormal(shape, 0, 2, 'float32', 13), 3);
      // some elements equal to their channel's mean (x − μ = +0) and some −0
      const pick = tf.randomUniform(shape, 0, 1, 'float32', 14);
      x = tf.where(tf.less(pick, 0.05), tf.add(tf.zerosLike(x), mean), x);
      x = tf.where(tf.greater(pick, 0.97), tf.mul(tf.onesLike(x), -0), x);
      const bn = tensorflowBatchNorm(x, mean, variance);
      for (const alpha of [undefined, 0.01, 0.2]) {
        const ours = tf.engine().runKernel(BN_EVAL, { x, mean, variance }, alpha === undefined ? { eps: 1e-4 } : { eps: 1e-4, alpha }) as tf.Tensor;
        assert.deepEqual(ours.shape, shape);
        const theirs = alpha === undefined ? bn : tf.leakyRelu(bn, alpha);
        assert.equal(bitMismatches(ours.dataSync() as Float32Array, theirs.dataSync() as Float32Array), 0, `${shape.join('×')} alpha ${alpha}`);
      }
    });
  }
  // ±∞ and NaN pass through as TensorFlow's ops pass them
  tf.tidy(() => {
    const x = tf.tensor2d([[Infinity, -Infinity, NaN, 0], [-0, 1e38, -1e38, 2]]);
    const mean = tf.tensor1d([0, 1, 2, 3]);
    const variance = tf.tensor1d([1, 0, 1e-30, 4]);
    const ours = tf.engine().runKernel(BN_EVAL, { x, mean, variance }, { eps: 1e-4, alpha: 0.01 }) as tf.Tensor;
    const theirs = tf.leakyRelu(tensorflowBatchNorm(x, mean, variance), 0.01);
    assert.equal(bitMismatches(ours.dataSync() as Float32Array, theirs.dataSync() as Float32Array), 0);
  });
  // the network's eval pass uses it: a batch-norm layer's output equals the ops' values
  tf.tidy(() => {
    const bn = makeBatchNorm('t', 8);
    bn.runningMean.assign(tf.randomNormal([8], 0, 1, 'float32', 21));
    bn.runningVar.assign(tf.exp(tf.randomNormal([8], 0, 1, 'float32', 22)));
    const x = tf.randomNormal([10, 6, 6, 8], 0, 1, 'float32', 23);
    const theirs = tf.leakyRelu(tf.batchNorm(x, bn.runningMean, bn.runningVar, undefined, undefined, BN_EPS), 0.01);
    assert.equal(bitMismatches(batchNormEval(x, bn, BN_EPS, 0.01).dataSync() as Float32Array, theirs.dataSync() as Float32Array), 0);
    bn.runningMean.dispose(); bn.runningVar.dispose();
  });
});

/** TF.js's batchNorm on the native backend: TensorFlow's FusedBatchNorm, is_training false, ε = 1e-4 */
function tensorflowBatchNorm(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor): tf.Tensor {
  return tf.batchNorm(x, mean as tf.Tensor1D, variance as tf.Tensor1D, undefined, undefined, 1e-4);
}

test('a seeded native run gives the same scores with and without the own kernels', { skip }, async () => {
  await selectBackend({ backend: 'tensorflow', device: 'cpu', threads: 1 });
  if (ownNativeOps().length === 0) return;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-own-kernels-'));
  try {
    const cli = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../src/cli/main.js');
    const run = (own: '0' | '1') => {
      const xp = path.join(tmp, `own-${own}`);
      const r = spawnSync(process.execPath, [cli, 'train', '--backend', 'tensorflow', '--threads', '1', '--normal', '0', '--seed', '5',
        '--n-train', '400', '--n-test', '300', '--n-epochs', '2', '--ae-n-epochs', '2', '--batch-size', '100', '--xp-dir', xp],
      { encoding: 'utf8', timeout: 300_000, env: { ...process.env, DEEP_SVDD_OWN_KERNELS: own } });
      assert.equal(r.status, 0, r.stderr);
      // the start-up lines say whether they ran
      assert.match(fs.readFileSync(path.join(xp, 'log.txt'), 'utf8'), own === '1' ? /own kernels on/ : /own kernels off[^]*turned off by DEEP_SVDD_OWN_KERNELS=0/);
      return JSON.parse(fs.readFileSync(path.join(xp, 'results.json'), 'utf8')) as { test_scores: number[]; ae_test_auc: number; backend: { kernel_fixes?: string[] } };
    };
    const withOwn = run('1');
    const without = run('0');
    assert.equal(withOwn.ae_test_auc, without.ae_test_auc);
    assert.deepEqual(withOwn.test_scores, without.test_scores);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
