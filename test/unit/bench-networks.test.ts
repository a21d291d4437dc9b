/**
 * The benchmark's networks (bench/types.ts) are the project's defaults, and bench/torch_bench.py has each of them.
 * Pure: no backend, no child process, no Python.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MLP_IDS, NETWORK_DATASET, NETWORK_IDS, NETWORKS } from '../../bench/types.js';
import { buildTrainConfig } from '../../src/config/build.js';
import { NETWORKS as NET_REGISTRY } from '../../src/nn/architectures.js';
import { type LayerSpec } from '../../src/nn/layers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** weights of a layer list: 5×5 (transposed) convolutions and dense layers, bias-free at the defaults */
function weights(specs: LayerSpec[]): number {
  return specs.reduce((s, l) => s + (l.kind === 'conv' || l.kind === 'deconv' ? 25 * l.cin * l.cout : l.kind === 'dense' ? l.nin * l.nout : 0), 0);
}

test('bench image networks: network, rep_dim and weight-decay constant are their dataset\'s defaults', () => {
  assert.deepEqual([...NETWORK_IDS].sort(), Object.keys(NETWORK_DATASET).sort());
  for (const id of NETWORK_IDS) {
    const spec = NETWORKS[id];
    const dataset = NETWORK_DATASET[id];
    const cfg = buildTrainConfig({ dataset, backend: 'wasm' });
    const net = dataset === 'mnist' ? 'mnist_LeNet' : dataset === 'cifar10' ? 'cifar10_LeNet' : `${dataset}_LeNet`;
    assert.equal(spec.kind, net, `${id}: network`);
    assert.equal(spec.repDim, cfg.repDim, `${id}: rep_dim`);
    assert.equal(spec.weightDecayC, spec.role === 'encoder' ? cfg.C : cfg.aeC, `${id}: C / ae_C`);
    assert.equal(id.endsWith('-enc') ? 'encoder' : 'autoencoder', spec.role, `${id}: role`);
  }
  // hand-computed: Fashion-MNIST C = 2e6, ae_C = 2000 / 784; GTSRB 1e6 and 1e6
  assert.equal(NETWORKS['fmnist-ae'].weightDecayC, 2000 / 784);
  assert.equal(NETWORKS['gtsrb-enc'].weightDecayC, 1e6);
});

test('bench: the new networks\' weight counts (the ones torch_bench.py\'s modules must have)', () => {
  const count = (id: 'fmnist-enc' | 'fmnist-ae' | 'gtsrb-enc' | 'gtsrb-ae') => {
    const s = NETWORKS[id];
    return weights(NET_REGISTRY[s.kind].layers(s.role, { repDim: s.repDim, batchNorm: true, leakyRelu: true }));
  };
  // fmnist: conv 25·1·16 + 25·16·32 + dense 1568·128 + 128·64; decoder 64·128 + deconv 25·8·32 + 25·32·16 + 25·16·1
  assert.equal(count('fmnist-enc'), 400 + 12800 + 200704 + 8192);
  assert.equal(count('fmnist-ae'), 222096 + 8192 + 6400 + 12800 + 400);
  // gtsrb: conv 25·3·16 + 25·16·32 + dense 2048·64 + 64·32; decoder 32·64 + conv 25·1·32 + 25·32·16 + 25·16·3
  assert.equal(count('gtsrb-enc'), 1200 + 12800 + 131072 + 2048);
  assert.equal(count('gtsrb-ae'), 147120 + 2048 + 800 + 12800 + 1200);
});

test('bench: torch_bench.py has a module for every network --vs-torch times', () => {
  const py = fs.readFileSync(path.join(root, 'bench/torch_bench.py'), 'utf8');
  const models = py.slice(py.indexOf('MODELS = {'), py.indexOf('}', py.indexOf('MODELS = {')));
  for (const id of [...NETWORK_IDS, ...MLP_IDS]) assert.match(models, new RegExp(`'${id}': \\(`), `${id} in MODELS`);
});
