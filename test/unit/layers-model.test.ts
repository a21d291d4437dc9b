/**
 * Every network of the registry as a tfjs-layers model (src/web/layers-model.ts): the same outputs as net.forward in
 * eval mode, before and after TF.js's own save format (withSaveHandler → tf.loadLayersModel).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { layersModelArtifacts, toLayersModel } from '../../src/web/layers-model.js';
import { ARCHITECTURES, buildNetwork, NET_KINDS, type NetKind, type NetOptions, type NetRole, type Network } from '../../src/nn/networks.js';
import { makeRng } from '../../src/util/rng.js';
import { assertClose, seededArray, useWasm } from '../helpers/tf.js';

/** The network's own random weights; biases, scales and shifts away from 0 and 1, and so are the running statistics. */
function randomize(net: Network, seed: number): void {
  let s = seed;
  for (const p of net.params) {
    if (p.name.endsWith('/w')) continue;
    const v = tf.tensor(seededArray(p.variable.size, s++), p.variable.shape).mul(0.5);
    p.variable.assign(p.name.endsWith('/gamma') ? v.add(1) : v);
  }
  for (const b of net.bns) {
    b.runningMean.assign(tf.tensor(seededArray(b.runningMean.size, s++)).mul(0.3));
    b.runningVar.assign(tf.tensor(seededArray(b.runningVar.size, s++)).add(1));
  }
}

function options(kind: NetKind, extra: Partial<NetOptions>): NetOptions {
  const base: NetOptions = { repDim: kind === 'mlp' ? 3 : 32, batchNorm: true, leakyRelu: true, ...extra };
  return kind === 'mlp' ? { ...base, inputDim: 6, hidden: [5, 4] } : base;
}

interface Case { kind: NetKind; role: NetRole; o: NetOptions; roundTrip: boolean }

/**
 * The variants checked: every architecture with the defaults (the default one also through save and load); the default
 * architecture also with biases + learned scale/shift + ReLU, and without batch norm. MNIST architecture 2 only as the
 * autoencoder: its encoder's layers are a part of it, and its 256-channel convolutions take seconds.
 */
function cases(): Case[] {
  const out: Case[] = [];
  for (const kind of NET_KINDS) {
    for (const role of ['encoder', 'autoencoder'] as const) {
      for (const [k, architecture] of ARCHITECTURES[kind].entries()) {
        if (!(kind === 'mnist_LeNet' && architecture === 2 && role === 'encoder')) out.push({ kind, role, o: options(kind, { architecture }), roundTrip: k === 0 });
      }
      out.push({ kind, role, o: options(kind, { bias: true, bnAffine: true, leakyRelu: false }), roundTrip: false });
      out.push({ kind, role, o: options(kind, { batchNorm: false }), roundTrip: false });
    }
  }
  return out;
}

test('every registry network as a tfjs-layers model: net.forward\'s outputs, also after save and tf.loadLayersModel', async () => {
  await useWasm();
  await compareAll();
});

async function compareAll(): Promise<void> {
  const all = cases();
  assert.ok(all.length >= NET_KINDS.length * 2 * 3);
  for (const [i, { kind, role, o, roundTrip }] of all.entries()) {
    const what = `${kind} ${role} ${JSON.stringify(o)}`;
    const net = buildNetwork(kind, role, o, makeRng(i));
    randomize(net, 100 * i);
    const { height, width, channels } = net.input;
    const x = tf.tensor4d(seededArray(height * width * channels, i + 7).map((v) => v + 0.5), [1, height, width, channels]);
    const want = tf.tidy(() => net.forward(x, false));
    const model = toLayersModel(net);
    const got = model.predict(x) as tf.Tensor;
    assert.deepEqual(got.shape, want.shape, `${what}: output shape`);
    const w = want.dataSync();
    assertClose(got.dataSync(), w, 1e-5, what);
    tf.dispose([want, got]);
    if (roundTrip) await roundTripSame(model, x, w, what);
    x.dispose(); model.dispose(); net.dispose();
  }
}

/** TF.js's own format: the topology JSON and one weight buffer, read back by tf.loadLayersModel, give the same outputs. */
async function roundTripSame(model: tf.LayersModel, x: tf.Tensor, w: ArrayLike<number>, what: string): Promise<void> {
  const artifacts = await layersModelArtifacts(model);
  assert.ok(artifacts.modelTopology && artifacts.weightSpecs && artifacts.weightData, `${what}: artifacts`);
  const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: JSON.parse(JSON.stringify(artifacts.modelTopology)) as object, weightSpecs: artifacts.weightSpecs, weightData: artifacts.weightData }));
  const again = loaded.predict(x) as tf.Tensor;
  assertClose(again.dataSync(), w, 1e-5, `${what} after loadLayersModel`);
  again.dispose(); loaded.dispose();
}
