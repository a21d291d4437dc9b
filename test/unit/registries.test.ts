/** Every entry of the dataset and network registries is complete: adding one is a file and an entry, and this checks the entry. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { TRAIN_OPTIONS } from '../../src/config/options.js';
import { DATASET_LIST, DATASETS } from '../../src/data/registry.js';
import { inputShape, isNetKind, NET_KINDS, NETWORKS, type NetKind } from '../../src/nn/architectures.js';
import { buildNetwork, transferWeights } from '../../src/nn/networks.js';
import { makeRng } from '../../src/util/rng.js';
import { useWasm } from '../helpers/tf.js';

const optionKeys = new Set(TRAIN_OPTIONS.map((s) => s.key));

test('dataset registry: every entry has a unique name, title, help, loader, and classes + network or a scan', () => {
  assert.equal(new Set(DATASET_LIST.map((d) => d.name)).size, DATASET_LIST.length, 'names are unique');
  for (const d of DATASET_LIST) {
    assert.equal(DATASETS[d.name], d);
    assert.match(d.name, /^[a-z0-9-]+$/, `${d.name}: a name users type`);
    assert.ok(d.title && d.help.startsWith(d.name), `${d.name}: title, and help that starts with the name`);
    assert.ok(d.kind === 'image' || d.kind === 'table', `${d.name}: kind`);
    assert.equal(typeof d.load, 'function', `${d.name}: loader`);
    assert.equal(typeof d.defaultDir, 'string', `${d.name}: default folder`);
    assert.ok((d.classNames && d.net) || d.scan, `${d.name}: fixed classes and network, or a scan of the data`);
    if (d.net) assert.ok(isNetKind(d.net), `${d.name}: network ${d.net} is in the network registry`);
    if (d.classNames) assert.ok(d.classNames.length >= 2 && d.classNames.length <= 256, `${d.name}: 2..256 classes`);
    for (const k of Object.keys(d.defaults ?? {})) assert.ok(optionKeys.has(k), `${d.name}: default ${k} is a train option`);
    if (d.fetch) {
      for (const format of d.fetch.formats ?? [undefined]) {
        const source = d.fetch.source(undefined, format);
        assert.ok(source.title && source.files.length > 0, `${d.name}: fetch source`);
        for (const f of source.files) {
          assert.match(f.md5, /^[0-9a-f]{32}$/, `${d.name}: ${f.name} has an MD5`);
          assert.ok(f.urls.length > 0 && f.urls.every((u) => /^https?:\/\//.test(u)), `${d.name}: ${f.name} has URLs`);
        }
      }
    }
  }
});

test('data fetch names: each a name users type; entries that share one share their files (fashion-mnist, odds)', () => {
  const byName = new Map<string, string>();
  for (const d of DATASET_LIST) {
    if (!d.fetch) continue;
    const name = d.fetch.as ?? d.name;
    assert.match(name, /^[a-z0-9-]+$/, `${d.name}: fetch name ${name}`);
    const files = JSON.stringify(d.fetch.source(undefined, d.fetch.formats?.[0]).files);
    if (byName.has(name)) assert.equal(files, byName.get(name), `${d.name}: shares 'data fetch ${name}' with other files`);
    byName.set(name, files);
  }
  for (const n of ['mnist', 'cifar10', 'fashion-mnist', 'odds']) assert.ok(byName.has(n), `data fetch ${n}`);
});

test('network registry: every entry builds both roles at its defaults, with its input shape, and transfers its encoder', async () => {
  await useWasm();
  assert.deepEqual(NET_KINDS, Object.keys(NETWORKS));
  for (const kind of NET_KINDS as NetKind[]) {
    const spec = NETWORKS[kind];
    assert.ok(spec.title && spec.architectures.length > 0, `${kind}: title and architectures`);
    for (const k of Object.keys(spec.defaults)) assert.ok(optionKeys.has(k), `${kind}: default ${k} is a train option`);
    for (const k of Object.values(spec.settings)) assert.ok(optionKeys.has(k as string), `${kind}: setting ${String(k)} is a train option`);
    const o = { repDim: 16, batchNorm: true, leakyRelu: true, ...(kind === 'mlp' ? { inputDim: 5, hidden: [8, 4] } : {}) };
    for (const arch of spec.architectures) {
      const options = arch === spec.architectures[0] ? o : { ...o, architecture: arch };
      assert.equal(spec.check(options, 'autoencoder'), undefined, `${kind} ${arch}: default options pass its check`);
      const shape = inputShape(kind, options);
      const enc = buildNetwork(kind, 'encoder', options, makeRng(1));
      const ae = buildNetwork(kind, 'autoencoder', options, makeRng(1));
      const x = tf.zeros([2, shape.height, shape.width, shape.channels]) as tf.Tensor4D;
      const z = enc.forward(x, false);
      const y = ae.forward(x, true);
      assert.deepEqual(z.shape, [2, 16], `${kind} ${arch}: the encoder gives rep_dim`);
      assert.deepEqual(y.shape, x.shape, `${kind} ${arch}: the autoencoder reconstructs its input`);
      assert.equal(transferWeights(ae, enc).length, enc.params.length + enc.bns.length, `${kind} ${arch}: the autoencoder holds every encoder tensor`);
      tf.dispose([x, z, y]);
      enc.dispose();
      ae.dispose();
    }
  }
});

test('the MLP has the Deep SAD code\'s layers: arrhythmia 274-128-64-32, its autoencoder mirrored', async () => {
  await useWasm();
  const o = { repDim: 32, batchNorm: true, leakyRelu: true, inputDim: 274, hidden: [128, 64] };
  const count = (role: 'encoder' | 'autoencoder') => {
    const net = buildNetwork('mlp', role, o, makeRng(1));
    const n = net.params.reduce((s, p) => s + p.variable.size, 0);
    net.dispose();
    return n;
  };
  // PyTorch: MLP(274, [128, 64], 32, bias=False) has 274·128 + 128·64 + 64·32 weights; its decoder as many
  assert.equal(count('encoder'), 274 * 128 + 128 * 64 + 64 * 32);
  assert.equal(count('autoencoder'), 2 * (274 * 128 + 128 * 64 + 64 * 32));
  assert.match(NETWORKS.mlp.check({ ...o, hidden: [] }, 'encoder') ?? '', /hidden layers/);
});

test('objective registry: every Deep SVDD-stage objective is a train method with a title, a radius rule and a finite batch loss', async () => {
  const { OBJECTIVES, OBJECTIVE_NAMES } = await import('../../src/train/objectives.js');
  const { TRAIN_METHODS } = await import('../../src/config/methods.js');
  await useWasm();
  assert.deepEqual(TRAIN_METHODS.filter((m) => m !== 'dcae'), OBJECTIVE_NAMES, 'every train method but the DCAE baseline is an objective, in the same order');
  for (const name of OBJECTIVE_NAMES) {
    const o = OBJECTIVES[name];
    assert.equal(o.name, name, `${name}: its entry names it`);
    assert.ok(o.title, `${name}: title`);
    assert.ok(o.radius === 'quantile' || o.radius === 'soft-boundary', `${name}: radius rule`);
    assert.equal(typeof o.semiSupervised, 'boolean', `${name}: says whether it reads labels`);
    const d = tf.tensor1d([0.5, 1, 2, 4]);
    const b = { r2: tf.scalar(1), nu: 0.1, semi: tf.tensor1d([0, 1, -1, 0]), eta: 1 };
    const loss = o.batchLoss(d, b);
    assert.deepEqual(loss.shape, [], `${name}: a scalar loss`);
    assert.ok(Number.isFinite(loss.dataSync()[0]), `${name}: finite`);
    tf.dispose([d, b.r2, b.semi, loss]);
  }
});
