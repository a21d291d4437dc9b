/**
 * Child process for test/integration/threads.test.ts: `node grad-probe.js THREADS` selects the wasm backend with that
 * many threads (XNNPACK on one, as for the MNIST networks), takes the gradients of the Deep SVDD loss of the MNIST
 * encoder and of the MNIST autoencoder's loss at fixed weights and inputs, and the eval-mode representation, and
 * prints them as JSON with the backend's description.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/backend/select.js';
import { buildNetwork, weightSquaredSum } from '../../src/nn/networks.js';
import { autoencoderLoss } from '../../src/train/autoencoder.js';
import { svddDistances } from '../../src/train/svdd.js';
import { makeRng } from '../../src/util/rng.js';
import { seededArray } from './tf.js';

const threads = Number(process.argv[2] ?? 1);
const backend = await selectBackend({ backend: 'wasm', device: 'cpu', threads, xnnpackThreads: 1 });
const opts = { repDim: 32, batchNorm: true, leakyRelu: true };
const x = tf.tensor4d(seededArray(64 * 28 * 28, 7).map((v) => v + 0.5), [64, 28, 28, 1]);
const out: Record<string, number[]> = {};

const enc = buildNetwork('mnist_LeNet', 'encoder', opts, makeRng(3));
const c = tf.fill([32], 0.1) as tf.Tensor1D;
const g = tf.variableGrads(() => tf.add(tf.mean(svddDistances(enc, x, c)), tf.mul(weightSquaredSum(enc), 0.5e-6)) as tf.Scalar,
  enc.params.map((p) => p.variable));
for (const [k, t] of Object.entries(g.grads)) out[`enc/${k}`] = Array.from(t.dataSync());
out['enc/eval'] = Array.from(enc.forward(x, false).dataSync());

const ae = buildNetwork('mnist_LeNet', 'autoencoder', opts, makeRng(4));
const ga = tf.variableGrads(() => autoencoderLoss(ae, x, { loss: 'l2', weightDecayC: 1e3 }) as tf.Scalar, ae.params.map((p) => p.variable));
for (const [k, t] of Object.entries(ga.grads)) out[`ae/${k}`] = Array.from(t.dataSync());

// exit only once the pipe has taken it all (the threaded backend's workers would keep the process alive)
process.stdout.write(JSON.stringify({ threads: backend.threads, xnnpackThreads: backend.xnnpackThreads, notes: backend.notes, out }), () => process.exit(0));
