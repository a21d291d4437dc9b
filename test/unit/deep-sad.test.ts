/** The Deep SAD loss against hand-computed values, its gradient, and the tensor version against the reference. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { DEEP_SAD_EPS, deepSadLoss, deepSadLossGradient, deepSadLossTf, deepSadSampleLosses } from '../../src/train/deep-sad-loss.js';
import { close } from '../helpers/assert.js';
import { useWasm } from '../helpers/tf.js';

test('Deep SAD per-sample losses: unlabelled d, labelled normal η(d+ε), labelled anomaly η/(d+ε)', () => {
  const l = deepSadSampleLosses([4, 4, 4], [0, 1, -1], 2);
  assert.equal(l[0], 4); // unlabelled: d, η and ε play no part
  close(l[1], 2 * (4 + 1e-6)); // 8.000002
  close(l[2], 2 / (4 + 1e-6)); // 0.4999999375…
  close(l[2], 0.49999987500003125, 1e-15);
});

test('Deep SAD: ε keeps a labelled anomaly at d = 0 finite (η/ε = 1e6 for η = 1)', () => {
  assert.equal(DEEP_SAD_EPS, 1e-6);
  close(deepSadSampleLosses([0], [-1], 1)[0], 1e6, 1e-12);
  close(deepSadSampleLosses([0], [-1], 0.5, 1e-3)[0], 500, 1e-12);
  assert.equal(deepSadSampleLosses([0], [0], 1)[0], 0);
  close(deepSadSampleLosses([0], [1], 1)[0], 1e-6, 1e-12);
});

test('Deep SAD batch loss is the mean: (1 + η(9+ε) + η/(1+ε) + 16) / 4', () => {
  const eta = 3;
  const expected = (1 + eta * (9 + 1e-6) + eta / (1 + 1e-6) + 16) / 4;
  close(deepSadLoss([1, 9, 1, 16], [0, 1, -1, 0], eta), expected);
  // no labelled sample: the one-class mean of d
  assert.equal(deepSadLoss([1, 2, 3, 6], [0, 0, 0, 0], 5), 3);
});

test('Deep SAD gradient ∂J/∂d: 1/B, η/B, −η/(B(d+ε)²), and it matches central differences', () => {
  const d = [0.5, 2, 0.25, 3];
  const semi = [0, 1, -1, -1];
  const eta = 1.5;
  const g = deepSadLossGradient(d, semi, eta);
  close(g[0], 1 / 4);
  close(g[1], eta / 4);
  close(g[2], -eta / (4 * (0.25 + 1e-6) ** 2));
  for (let i = 0; i < d.length; i++) {
    const h = 1e-6;
    const up = d.slice(); up[i] += h;
    const dn = d.slice(); dn[i] -= h;
    close(g[i], (deepSadLoss(up, semi, eta) - deepSadLoss(dn, semi, eta)) / (2 * h), 1e-6, `sample ${i}`);
  }
});

test('Deep SAD rejects labels other than -1, 0, +1 and mismatched lengths', () => {
  assert.throws(() => deepSadLoss([1, 2], [0, 2], 1), /not -1, 0 or \+1/);
  assert.throws(() => deepSadLoss([1, 2], [0], 1), /2 distances but 1 labels/);
});

test('deepSadLossTf equals the reference, and its gradient in d is the reference gradient', async () => {
  await useWasm();
  const d = [0.5, 2, 0.25, 3, 1.75];
  const semi = [0, 1, -1, -1, 0];
  const eta = 0.7;
  const dT = tf.tensor1d(d);
  const sT = tf.tensor1d(semi);
  const value = deepSadLossTf(dT, sT, eta);
  close(value.dataSync()[0], deepSadLoss(d, semi, eta), 1e-6);
  const grad = tf.grad((x: tf.Tensor) => deepSadLossTf(x as tf.Tensor1D, sT, eta))(dT);
  const expected = deepSadLossGradient(d, semi, eta);
  const got = grad.dataSync();
  for (let i = 0; i < d.length; i++) close(got[i], expected[i], 1e-5, `∂J/∂d_${i}`);
  tf.dispose([dT, sT, value, grad]);
});

test('deepSadLossTf without labels is tf.mean(d) to the bit, value and gradient', async () => {
  await useWasm();
  const d = tf.tensor1d([0.123456, 7.654321, 3.3333333, 0.0001, 42.42]);
  const zeros = tf.zeros([5]) as tf.Tensor1D;
  const sad = deepSadLossTf(d, zeros, 1.7);
  const mean = tf.mean(d);
  assert.equal(sad.dataSync()[0], mean.dataSync()[0]);
  const gSad = tf.grad((x: tf.Tensor) => deepSadLossTf(x as tf.Tensor1D, zeros, 1.7))(d).dataSync();
  const gMean = tf.grad((x: tf.Tensor) => tf.mean(x))(d).dataSync();
  assert.deepEqual(Array.from(gSad), Array.from(gMean));
  tf.dispose([d, zeros, sad, mean]);
});

test('the paper\'s Deep SAD means by dataset and γ_l', async () => {
  const { paperDeepSad, PAPER_DEEP_SAD } = await import('../../src/eval/paper.js');
  assert.deepEqual(paperDeepSad('mnist', 0.05), { ratioKnownOutlier: 0.05, mean: 96.7, std: 2.3 });
  assert.equal(paperDeepSad('fmnist', 0)?.mean, 89.2);
  assert.equal(paperDeepSad('cifar10', 0.2)?.mean, 81.9);
  assert.equal(paperDeepSad('mnist', 0.3), null);
  assert.equal(paperDeepSad('gtsrb', 0.01), null);
  for (const rows of Object.values(PAPER_DEEP_SAD)) assert.deepEqual(rows.map((r) => r.ratioKnownOutlier), [0, 0.01, 0.05, 0.1, 0.2]);
});

test('--known-outlier-class is repeatable: the values join into one list, as a comma list would', async () => {
  const { Command } = await import('commander');
  const { addTrainOptions } = await import('../../src/config/options.js');
  const { buildTrainConfig } = await import('../../src/config/build.js');
  const cmd = addTrainOptions(new Command().exitOverride());
  cmd.parse(['--loss', 'deep-sad', '--known-outlier-class', '3', '--known-outlier-class', '1,2'], { from: 'user' });
  const raw = cmd.opts();
  assert.equal(raw.knownOutlierClass, '3,1,2');
  assert.deepEqual(buildTrainConfig(raw).knownOutlierClass, [1, 2, 3]);
  assert.equal(buildTrainConfig({}).knownOutlierClass, undefined, 'unset when not given');
});
