/**
 * Fashion-MNIST end to end on the committed fixture (test/fixtures/fmnist, never /usr/share/datasets): `data fetch
 * fashion-mnist` from a local mirror, and a tiny training run with the dataset's defaults.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { buildTrainConfig } from '../../src/config/build.js';
import { fetchDataset } from '../../src/data/fetch.js';
import { fmnistSource, loadFmnist } from '../../src/data/fmnist.js';
import { runTraining } from '../../src/experiments/train-run.js';
import { refused, runCli } from '../helpers/cli-run.js';
import { useWasm } from '../helpers/tf.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const FIXTURE = path.join(root, 'test/fixtures/fmnist/fashion-mnist');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-fmnist-it-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** A mirror folder with the four .gz files of the fixture (the raw ones compressed here). */
function mirror(): string {
  const dir = path.join(tmp, 'mirror');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(FIXTURE)) {
    const b = fs.readFileSync(path.join(FIXTURE, f));
    fs.writeFileSync(path.join(dir, f.endsWith('.gz') ? f : `${f}.gz`), f.endsWith('.gz') ? b : zlib.gzipSync(b));
  }
  return dir;
}

test('data fetch from a local mirror: the four files land in the folder, the loader reads them; the published MD5s refuse the fixture', async () => {
  const from = mirror();
  const published = fmnistSource([`${from}/`]);
  // the fixture's own checksums in the published source's layout (file names, one URL per file under the mirror)
  const source = {
    ...published,
    files: published.files.map((f) => { const b = fs.readFileSync(path.join(from, f.name)); return { ...f, md5: md5(b), size: b.length }; }),
  };
  assert.deepEqual(source.files.map((f) => f.urls.length), [1, 1, 1, 1]);
  const dir = path.join(tmp, 'fetched');
  const r = await fetchDataset(source, { dir, progress: 'none', log: () => {} });
  assert.equal(r.status, 'fetched');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
  const d = loadFmnist(dir, true, '');
  const ref = loadFmnist(FIXTURE, true, '');
  assert.deepEqual([d.train.n, d.test.n], [60, 30]);
  assert.deepEqual(d.test.images, ref.test.images);
  assert.equal((await fetchDataset(source, { dir, progress: 'none', log: () => {} })).status, 'present');

  // the CLI checks the published MD5s: the fixture is not Fashion-MNIST, one line and nothing created
  const watch = path.join(tmp, 'cli');
  fs.mkdirSync(watch);
  const bad = runCli(['data', 'fetch', 'fashion-mnist', '--dir', path.join(watch, 'd'), '--url', `${from}/`], watch);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stdout, /^downloading train-images-idx3-ubyte.gz from file:/, 'the download starts from the mirror');
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /^deep-svdd: .*train-images-idx3-ubyte.gz has MD5 [0-9a-f]{32}, expected 8d4fb7e6c68d591d4c3dfef9ec88bf0d/);
  assert.deepEqual(fs.readdirSync(watch), [], 'nothing is left: the folder was new');
  refused(['data', 'fetch', 'fashion-mnist', '--dir', path.join(watch, 'd'), '--url', `${from}/t10k-labels-idx1-ubyte.gz`],
    /--url gives no source for train-images-idx3-ubyte.gz/, watch);
});

test('a tiny run on the fixture: fmnist_LeNet, the Deep SAD settings, no contrast normalisation; class names in the log', async () => {
  await useWasm();
  const xp = path.join(tmp, 'run');
  const cfg = buildTrainConfig({
    dataset: 'fmnist', dataDir: FIXTURE, normal: '0', seed: '1', nEpochs: '2', aeNEpochs: '2', backend: 'wasm', xpDir: xp, force: '1',
  });
  assert.equal(cfg.repDim, 64);
  assert.equal(cfg.gcn, false);
  assert.equal(cfg.batchSize, 128);
  assert.equal(cfg.C, 2e6);
  const { results } = await runTraining(cfg, { quiet: true });
  assert.equal(results.status, 'finished');
  const r = JSON.parse(fs.readFileSync(path.join(xp, 'results.json'), 'utf8'));
  assert.equal(r.n_train, 6, 'the six T-shirts of the fixture');
  assert.equal(r.n_test, 30);
  assert.equal(r.test_scores.length, 30);
  assert.ok(r.test_auc >= 0 && r.test_auc <= 1);
  assert.deepEqual(r.preprocessing, { min: 0, max: 1, gcn: 'none' }, 'pixels / 255 only (the fixture holds 0 and 255)');
  const model = JSON.parse(fs.readFileSync(path.join(xp, 'model/model.json'), 'utf8'));
  assert.equal(model.c.length, 64);
  assert.match(fs.readFileSync(path.join(xp, 'log.txt'), 'utf8'), /--normal T-shirt\/top/);
});
