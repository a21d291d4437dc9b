/**
 * Deep SAD end to end on tiny settings: without labels it gives the one-class run's test scores to the bit; with the
 * authors' setting it trains on the drawn labelled anomalies and records the setting; users' own labels by class
 * (folder) and by column (table); the options' errors are one line.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { PNG } from 'pngjs';
import { buildTrainConfig } from '../../src/config/build.js';
import { prepareData } from '../../src/data/datasets.js';
import { readIdxFile } from '../../src/data/idx.js';
import { embeddedMnistDir } from '../../src/data/mnist.js';
import { runTraining } from '../../src/experiments/train-run.js';
import { type RunResults } from '../../src/io/results.js';
import { refused } from '../helpers/cli-run.js';
import { useWasm } from '../helpers/tf.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-sad-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

before(async () => { await useWasm(); });

const tiny = { dataset: 'mnist', normal: '0', nTrain: '200', nTest: '200', nEpochs: '2', aeNEpochs: '1', batchSize: '64', seed: '3', backend: 'wasm' };
const scoresOf = (r: RunResults) => r.test_scores!.map((t) => t.score);

test('Deep SAD without labels gives the one-class run\'s test scores to the bit', async () => {
  const oc = await runTraining(buildTrainConfig({ ...tiny, xpDir: path.join(tmp, 'oc') }), { quiet: true });
  const sad = await runTraining(buildTrainConfig({ ...tiny, loss: 'deep-sad', xpDir: path.join(tmp, 'sad0') }), { quiet: true });
  assert.equal(oc.results.method, 'one-class');
  assert.equal(sad.results.method, 'deep-sad');
  assert.equal(sad.results.objective, 'Deep SAD (η = 1)');
  assert.deepEqual(scoresOf(sad.results), scoresOf(oc.results));
  assert.equal(sad.results.R2, oc.results.R2);
  assert.deepEqual(sad.results.semi_supervised?.counts, { labelled_normal: 0, labelled_outlier: 0, unlabelled_normal: 200, unlabelled_outlier: 0 });
});

test('Deep SAD with γ_l = 0.1 of class 1: 22 labelled anomalies join the 200 normals, recorded in config.json and results.json', async () => {
  const xp = path.join(tmp, 'sad10');
  const args = { ...tiny, pretrain: '0', loss: 'deep-sad', ratioKnownOutlier: '0.1', knownOutlierClass: '1', xpDir: xp };
  const { results } = await runTraining(buildTrainConfig(args), { quiet: true });
  const plain = await runTraining(buildTrainConfig({ ...args, ratioKnownOutlier: '0', knownOutlierClass: undefined, xpDir: path.join(tmp, 'sad10-none') }), { quiet: true });
  const s = results.semi_supervised!;
  // int(0.1 · 200 / 0.9) = 22
  assert.deepEqual(s.counts, { labelled_normal: 0, labelled_outlier: 22, unlabelled_normal: 200, unlabelled_outlier: 0 });
  assert.equal(s.ratio_known_outlier, 0.1);
  assert.deepEqual(s.known_outlier_classes, [1]);
  assert.equal(results.n_train, 222);
  const config = JSON.parse(fs.readFileSync(path.join(xp, 'config.json'), 'utf8')) as { semi_supervised: unknown; loss: string };
  assert.equal(config.loss, 'deep-sad');
  assert.deepEqual(config.semi_supervised, s);
  assert.notDeepEqual(scoresOf(results), scoresOf(plain.results), 'the labelled anomalies change the training');
  assert.ok(results.test_scores!.every((t) => Number.isFinite(t.score)));
});

/** Writes 8-bit gray PNGs of MNIST test digits into dir/split/name. */
function writeDigits(dir: string, split: string, name: string, digit: number, count: number): void {
  const images = readIdxFile(path.join(embeddedMnistDir(), 't10k-images-idx3-ubyte')).data;
  const labels = readIdxFile(path.join(embeddedMnistDir(), 't10k-labels-idx1-ubyte')).data;
  fs.mkdirSync(path.join(dir, split, name), { recursive: true });
  let k = 0;
  for (let i = 0; i < labels.length && k < count; i++) {
    if (labels[i] !== digit) continue;
    const png = new PNG({ width: 28, height: 28 });
    png.data = Buffer.from(images.subarray(i * 784, (i + 1) * 784));
    fs.writeFileSync(path.join(dir, split, name, `${String(k++).padStart(3, '0')}.png`), PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8 }));
  }
}

test('a folder dataset\'s own labels: every training image of --labelled-outlier-class sad is a labelled anomaly', () => {
  const dir = path.join(tmp, 'folder');
  writeDigits(dir, 'train', 'good', 0, 40);
  writeDigits(dir, 'train', 'sad', 1, 6);
  writeDigits(dir, 'test', 'good', 0, 10);
  writeDigits(dir, 'test', 'bad', 7, 10);
  const cfg = buildTrainConfig({ dataset: 'folder', dataDir: dir, normal: 'good', loss: 'deep-sad', labelledOutlierClass: 'sad', seed: '1', xpDir: path.join(tmp, 'f') });
  const data = prepareData({ ...cfg });
  assert.equal(data.train.n, 46);
  assert.deepEqual(data.semiSupervised!.counts, { labelled_normal: 0, labelled_outlier: 6, unlabelled_normal: 40, unlabelled_outlier: 0 });
  assert.equal(data.semiSupervised!.labels_from, 'labelled classes');
  assert.deepEqual(Array.from(data.semiLabels!.subarray(40)), [-1, -1, -1, -1, -1, -1]);
  assert.equal(data.test.n, 20, 'the test set is unchanged: good against the other classes');
});

test('a table\'s own labels: --semi-label-column takes +1 / 0 / -1 per row and is not a feature', () => {
  const csv = path.join(tmp, 'semi.csv');
  const lines = ['a,b,status,semi,c'];
  for (let i = 0; i < 100; i++) {
    const bad = i % 5 === 4;
    const semi = bad && i < 50 ? -1 : i === 0 ? 1 : 0;
    lines.push([(i % 7) / 7 + (bad ? 3 : 0), (i % 3) / 3, bad ? 'fault' : 'ok', semi, (i % 11) / 11].join(','));
  }
  fs.writeFileSync(csv, `${lines.join('\n')}\n`);
  const cfg = buildTrainConfig({ dataset: 'table', dataFile: csv, labelColumn: 'status', semiLabelColumn: 'semi', normal: 'ok', loss: 'deep-sad', seed: '1', xpDir: path.join(tmp, 't') });
  const data = prepareData({ ...cfg });
  assert.equal(data.train.channels, 3, 'a, b and c are the features');
  const c = data.semiSupervised!.counts;
  // the 60/40 split keeps 48 of the 80 normal rows for training; of the 10 labelled fault rows, those in the training split join
  assert.equal(c.unlabelled_normal + c.labelled_normal, 48);
  assert.ok(c.labelled_outlier > 0 && c.labelled_outlier <= 10, `labelled anomalies ${c.labelled_outlier}`);
  assert.equal(c.unlabelled_outlier, 0);
  assert.equal(data.train.n, 48 + c.labelled_outlier);
  assert.equal(data.semiSupervised!.labels_from, 'semi-label column');
});

test('Deep SAD options: one-line errors for bad ratios, labels and combinations', () => {
  const watch = fs.mkdtempSync(path.join(tmp, 'w-'));
  const base = ['train', '--n-train', '100', '--n-test', '50', '--backend', 'wasm', '--xp-dir', path.join(watch, 'run')];
  refused([...base, '--loss', 'deep-sad', '--ratio-known-outlier', '1'], /--ratio-known-outlier 1 is invalid: use a number ≥ 0 and < 1/, watch);
  refused([...base, '--ratio-known-outlier', '0.1'], /--ratio-known-outlier applies to Deep SAD: add --loss deep-sad/, watch);
  refused([...base, '--loss', 'deep-sad', '--ratio-known-outlier', '0.99', '--known-outlier-class', '1'], /asks for 9900 labelled anomalies but the known outlier class\(es\) have only \d+ training images/, watch);
  refused([...base, '--loss', 'deep-sad', '--labelled-outlier-class', '0'], /--labelled-outlier-class 0 is not an outlier class/, watch);
  refused([...base, '--loss', 'deep-sad', '--hard-margin', '0'], /--loss deep-sad has the one-class threshold/, watch);
  refused([...base, '--loss', 'deep-sad', '--semi-label-column', 'x'], /--semi-label-column x only applies to --dataset table/, watch);
  const badCsv = path.join(watch, 'bad.csv');
  fs.writeFileSync(badCsv, 'a,status,semi\n0.1,ok,0\n0.2,ok,2\n0.3,fault,0\n');
  refused(['train', '--dataset', 'table', '--data-file', badCsv, '--label-column', 'status', '--normal', 'ok', '--loss', 'deep-sad', '--semi-label-column', 'semi', '--xp-dir', path.join(watch, 'run')],
    /row 2 of .*bad\.csv holds 2; the column must hold only \+1/, watch);
});
