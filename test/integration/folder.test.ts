/**
 * Custom datasets (`--dataset folder`): a small folder of MNIST digits saved as PNGs, trained on by class name,
 * scored back with `score` (same numbers as results.json, matched by the sorted file order); a 32×32 RGB folder
 * picks the CIFAR-10 network; the errors are one-line UserErrors. Also several normal classes on MNIST.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { buildTrainConfig } from '../../src/config/build.js';
import { prepareData } from '../../src/data/datasets.js';
import { loadFolderDataset, scanFolderClasses } from '../../src/data/folder.js';
import { readIdxFile } from '../../src/data/idx.js';
import { listPngs } from '../../src/data/inputs.js';
import { embeddedMnistDir } from '../../src/data/mnist.js';
import { parseClassList } from '../../src/data/select.js';
import { scoreInputs } from '../../src/experiments/score.js';
import { runTraining } from '../../src/experiments/train-run.js';
import { type RunResults, type TestScore } from '../../src/io/results.js';
import { UserError } from '../../src/util/errors.js';
import { useWasm } from '../helpers/tf.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-folder-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));


const mnist = {
  images: readIdxFile(path.join(embeddedMnistDir(), 't10k-images-idx3-ubyte')).data,
  labels: readIdxFile(path.join(embeddedMnistDir(), 't10k-labels-idx1-ubyte')).data,
};

/** Writes an 8-bit PNG: gray (channels 1) or RGB (channels 3) pixels, channels last. */
function writePng(file: string, pixels: Uint8Array, height: number, width: number, channels: 1 | 3): void {
  const png = new PNG({ width, height });
  png.data = Buffer.from(pixels);
  const type = channels === 3 ? 2 : 0;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, PNG.sync.write(png, { colorType: type, inputColorType: type, bitDepth: 8 }));
}

/** The first `count` MNIST test images of `digit` from position `from` on. */
function digits(digit: number, from: number, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = from; i < mnist.labels.length && out.length < count; i++) {
    if (mnist.labels[i] === digit) out.push(mnist.images.subarray(i * 784, (i + 1) * 784));
  }
  return out;
}

/** D/{train,test}/{zero,one,seven}: 60 training and 20 test digits per class; one test class has a nested folder. */
function makeDigitFolder(dir: string): void {
  const classes: Array<[string, number]> = [['zero', 0], ['one', 1], ['seven', 7]];
  for (const [name, digit] of classes) {
    digits(digit, 0, 60).forEach((img, k) => writePng(path.join(dir, 'train', name, `img_${String(k).padStart(3, '0')}.png`), img, 28, 28, 1));
    digits(digit, 5000, 20).forEach((img, k) => {
      const sub = name === 'seven' && k >= 10 ? 'more/' : '';
      writePng(path.join(dir, 'test', name, `${sub}img_${String(k).padStart(3, '0')}.png`), img, 28, 28, 1);
    });
  }
  fs.writeFileSync(path.join(dir, 'train', 'zero', 'notes.txt'), 'not an image: ignored');
}

function assertUserError(f: () => unknown, ...patterns: RegExp[]): string {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
  const msg = (err as Error).message;
  assert.ok(!msg.includes('\n'), `one line: ${msg}`);
  for (const p of patterns) assert.match(msg, p);
  return msg;
}

const digitsDir = path.join(tmp, 'digits');
const tinyFolder = (extra: Record<string, string>) => ({
  dataset: 'folder', dataDir: digitsDir, normal: 'zero', nEpochs: '1', aeNEpochs: '1', batchSize: '30', force: '1', backend: 'wasm', ...extra,
});

describe('folder dataset of PNG digits', () => {
  let xp: string;
  let results: RunResults;

  before(async () => {
    await useWasm();
    makeDigitFolder(digitsDir);
    xp = path.join(tmp, 'run-zero');
    ({ results } = await runTraining(buildTrainConfig(tinyFolder({ xpDir: xp })), { quiet: true }));
  });

  test('class names are the folder names, sorted; images in sorted path order', () => {
    assert.deepEqual(scanFolderClasses(digitsDir), ['one', 'seven', 'zero']);
    const f = loadFolderDataset(digitsDir);
    assert.deepEqual([f.height, f.width, f.channels, f.net], [28, 28, 1, 'mnist_LeNet']);
    assert.equal(f.train.n, 180);
    assert.equal(f.test.n, 60);
    assert.deepEqual(f.test.files, listPngs(path.join(digitsDir, 'test')));
    assert.ok(f.test.files.includes('seven/more/img_010.png'));
    assert.deepEqual(Array.from(f.test.labels), f.test.files.map((p) => ['one', 'seven', 'zero'].indexOf(p.split('/')[0])));
    // pixels exactly as written
    const first = digits(1, 0, 1)[0];
    assert.deepEqual(Array.from(f.train.images.subarray(0, 784)), Array.from(first));
  });

  test('results.json and config.json: class by name, defaults of the MNIST network', () => {
    const r = JSON.parse(fs.readFileSync(path.join(xp, 'results.json'), 'utf8'));
    assert.equal(r.status, 'finished');
    assert.equal(r.dataset, 'folder');
    assert.deepEqual(r.normal_class_names, ['zero']);
    assert.deepEqual(r.outlier_class_names, ['one', 'seven']);
    assert.deepEqual(r.normal_classes, [2]);
    assert.equal(typeof r.test_auc, 'number');
    assert.ok(r.test_auc > 0.5, `test_auc ${r.test_auc}`);
    assert.equal(r.n_train, 60);
    assert.equal(r.n_test, 60);
    assert.equal(results.status, 'finished');
    const cfg = JSON.parse(fs.readFileSync(path.join(xp, 'config.json'), 'utf8'));
    assert.equal(cfg.dataset, 'folder');
    assert.deepEqual(cfg.normal, [2]);
    assert.equal(cfg.repDim, 32);
    assert.equal(cfg.aeC, 1e3);
    const model = JSON.parse(fs.readFileSync(path.join(xp, 'model', 'model.json'), 'utf8'));
    assert.equal(model.net.kind, 'mnist_LeNet');
    assert.deepEqual(model.classes.names, ['one', 'seven', 'zero']);
    assert.equal(model.c.length, 32);
  });

  test('scoring D/test gives the scores of results.json: test_scores.index = position in the sorted file list', (t) => {
    const expected = JSON.parse(fs.readFileSync(path.join(xp, 'results.json'), 'utf8')).test_scores as TestScore[];
    const s = scoreInputs({ modelDir: path.join(xp, 'model'), input: path.join(digitsDir, 'test') });
    assert.equal(s.ids.length, expected.length);
    assert.deepEqual(expected.map((e) => e.index), expected.map((_, i) => i), 'the test split is the whole folder, in order');
    const names = ['one', 'seven', 'zero'];
    let maxDiff = 0;
    for (const e of expected) {
      const id = s.ids[e.index];
      assert.equal(id.split('/')[0], names[e.class], `${id} is of class ${names[e.class]}`);
      assert.equal(e.label, names[e.class] === 'zero' ? 0 : 1);
      maxDiff = Math.max(maxDiff, Math.abs(s.scores[e.index] - e.score));
    }
    t.diagnostic(`max |score − results.json score| = ${maxDiff}`);
    assert.equal(maxDiff, 0);
  });

  test('class names and indices mix; names are exact; the default run folder uses names', () => {
    assert.deepEqual(buildTrainConfig(tinyFolder({ normal: 'zero,0', outlier: 'seven' })).normal, [0, 2]);
    assert.deepEqual(buildTrainConfig(tinyFolder({ normal: 'zero', outlier: 'seven' })).outlier, [1]);
    const cfg = buildTrainConfig(tinyFolder({ normal: 'one,seven' }));
    assert.equal(cfg.xpDir, path.join('log', 'folder_one+sevenvsall_seed0'));
    assertUserError(() => buildTrainConfig(tinyFolder({ normal: 'Zero' })), /--normal "Zero" is not a class name or index/, /one, seven, zero/);
  });

  test('--image-size converts and resizes (28x28x1 → 32x32x3 picks the CIFAR-10 network)', () => {
    const cfg = buildTrainConfig(tinyFolder({ imageSize: '32X32x3' }));
    assert.equal(cfg.imageSize, '32x32x3');
    assert.equal(cfg.repDim, 128);
    const data = prepareData({ ...cfg, nTrain: 5, nTest: 5 });
    assert.equal(data.info.net, 'cifar10_LeNet');
    assert.deepEqual([data.train.height, data.train.width, data.train.channels], [32, 32, 3]);
    assert.deepEqual(data.info.classNames, ['one', 'seven', 'zero']);
  });
});

test('a 32×32 RGB folder trains the CIFAR-10 network', async () => {
  await useWasm();
  const dir = path.join(tmp, 'rgb');
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
  for (const [cls, tint] of [['blue', [40, 60, 200]], ['red', [200, 40, 40]]] as const) {
    for (const [split, n] of [['train', 12], ['test', 6]] as const) {
      for (let k = 0; k < n; k++) {
        const px = new Uint8Array(32 * 32 * 3);
        for (let p = 0; p < 32 * 32; p++) for (let c = 0; c < 3; c++) px[p * 3 + c] = Math.min(255, (tint[c] + rand()) >> 1);
        writePng(path.join(dir, split, cls, `${k}.png`), px, 32, 32, 3);
      }
    }
  }
  const xp = path.join(tmp, 'run-rgb');
  await runTraining(buildTrainConfig({
    dataset: 'folder', dataDir: dir, normal: 'red', nEpochs: '1', aeNEpochs: '1', batchSize: '6', xpDir: xp, force: '1', backend: 'wasm',
  }), { quiet: true });
  const r = JSON.parse(fs.readFileSync(path.join(xp, 'results.json'), 'utf8'));
  assert.equal(r.status, 'finished');
  assert.deepEqual(r.normal_class_names, ['red']);
  assert.equal(r.n_train, 12);
  assert.equal(typeof r.test_auc, 'number');
  const model = JSON.parse(fs.readFileSync(path.join(xp, 'model', 'model.json'), 'utf8'));
  assert.equal(model.net.kind, 'cifar10_LeNet');
  assert.equal(model.c.length, 128);
});

describe('folder dataset errors are one-line UserErrors', () => {
  const gray = (v: number, h = 28, w = 28) => Uint8Array.from({ length: h * w }, (_, i) => (i * 7 + v * 31) & 255);
  const make = (name: string, files: Record<string, Uint8Array | [Uint8Array, number, number] | string>): string => {
    const dir = path.join(tmp, 'bad', name);
    for (const [rel, content] of Object.entries(files)) {
      const file = path.join(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (typeof content === 'string') fs.writeFileSync(file, content);
      else if (Array.isArray(content)) writePng(file, content[0], content[1], content[2], 1);
      else writePng(file, content, 28, 28, 1);
    }
    return dir;
  };
  const cfg = (dir: string, extra: Record<string, string> = {}) => buildTrainConfig({ dataset: 'folder', dataDir: dir, normal: 'a', ...extra });

  test('mixed sizes name one offending file and both sizes, and suggest --image-size', () => {
    const dir = make('mixed', { 'train/a/1.png': gray(10), 'train/a/2.png': gray(20), 'test/a/1.png': gray(30), 'test/b/1.png': [gray(40, 32, 32), 32, 32] });
    const c = cfg(dir);
    assertUserError(() => prepareData(c), new RegExp(`${path.join(dir, 'test', 'b', '1.png').replaceAll('\\', '\\\\')} is 32x32x1 but .*1\\.png is 28x28x1`), /--image-size 28x28x1/);
    // forcing one size converts every image
    const data = prepareData(cfg(dir, { imageSize: '28x28x1' }));
    assert.equal(data.test.n, 2);
  });

  test('an unsupported shape names it, lists the supported shapes and suggests --image-size', () => {
    const dir = make('small', { 'train/a/1.png': [gray(10, 20, 20), 20, 20], 'test/b/1.png': [gray(10, 20, 20), 20, 20] });
    assertUserError(() => cfg(dir), /20x20x1/, /28x28x1 \(mnist_LeNet\)/, /32x32x3 \(cifar10_LeNet\)/, /--image-size/);
    assert.equal(cfg(dir, { imageSize: '28x28x1' }).repDim, 32);
    assertUserError(() => cfg(dir, { imageSize: '20x20x1' }), /--image-size 20x20x1/, /28x28x1/);
    assertUserError(() => cfg(dir, { imageSize: '28x28' }), /--image-size 28x28 is invalid/);
  });

  test('unknown class name lists the known names', () => {
    const dir = make('names', { 'train/a/1.png': gray(1), 'test/b/1.png': gray(2) });
    assertUserError(() => cfg(dir, { normal: 'c' }), /--normal "c" is not a class name or index: the classes are a, b/);
    assertUserError(() => cfg(dir, { normal: 'a', outlier: '5' }), /--outlier 5 is out of range/);
  });

  test('layout problems: no --data-dir, missing train/ or test/, empty class folder, no PNG, undecodable PNG, loose file', () => {
    assertUserError(() => buildTrainConfig({ dataset: 'folder' }), /--dataset folder needs --data-dir/);
    assertUserError(() => cfg(make('notest', { 'train/a/1.png': gray(1) })), /test is missing/, /train\/<class>\/\*\.png/);
    assertUserError(() => cfg(make('notrain', { 'test/a/1.png': gray(1) })), /train is missing/);
    assertUserError(() => cfg(make('empty', { 'train/a/1.png': gray(1), 'test/a/1.png': gray(1), 'test/b/readme.txt': 'x' })),
      /test[\\/]b: the class folder holds no \.png images/);
    assertUserError(() => cfg(make('nopng', { 'train/a/x.txt': 'x', 'test/a/y.txt': 'y' })), /no \.png images in/);
    const broken = make('broken', { 'train/a/1.png': gray(1), 'train/a/2.png': 'not a png', 'test/a/1.png': gray(1) });
    assertUserError(() => prepareData(cfg(broken)), /2\.png: cannot decode the PNG image/);
    assertUserError(() => prepareData(cfg(make('testonly', { 'train/a/1.png': gray(1), 'train/a/2.png': gray(2), 'test/b/1.png': gray(3) }), { normal: 'b' })),
      /no training images of the normal class\(es\) b: .*train has no such class folder/);
    assertUserError(() => cfg(make('loose', { 'train/a/1.png': gray(1), 'test/x.png': gray(1) })), /x\.png is not inside a class folder/);
    assertUserError(() => buildTrainConfig({ dataset: 'mnist', imageSize: '28x28x1' }), /--image-size 28x28x1 only applies to --dataset folder/);
  });

  test('the CLI prints one line', () => {
    const r = spawnSync(process.execPath, [cli, 'train', '--dataset', 'folder', '--data-dir', digitsDir, '--normal', 'eight'], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(r.status, 0);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^deep-svdd: --normal "eight" is not a class name or index: the classes are one, seven, zero/);
  });
});

test('parseClassList with class names (CIFAR-10 and numeric folder names)', () => {
  const cifar = buildTrainConfig({ dataset: 'cifar10', normal: 'cat', outlier: 'dog,1' });
  assert.deepEqual(cifar.normal, [3]);
  assert.deepEqual(cifar.outlier, [1, 5]);
  // a name that looks like a number is the folder of that name
  assert.deepEqual(parseClassList('10', 3, '--normal', ['1', '10', '2']), [1]);
  assert.deepEqual(parseClassList('2,0', 3, '--normal', ['1', '10', '2']), [0, 2]);
  assert.deepEqual(parseClassList('-1', 3, '--normal', ['a', 'b', 'c']), [-1]);
  // MNIST keeps its index-only messages
  assertUserError(() => buildTrainConfig({ dataset: 'mnist', normal: 'x' }), /--normal "x" is not a class index: use a class index 0\.\.9/);
});

test('several normal classes on MNIST: --normal 0,1', async () => {
  await useWasm();
  const xp = path.join(tmp, 'run-01');
  await runTraining(buildTrainConfig({
    dataset: 'mnist', normal: '0,1', nTrain: '200', nTest: '100', nEpochs: '1', aeNEpochs: '1', batchSize: '100', xpDir: xp, force: '1', backend: 'wasm',
  }), { quiet: true });
  const r = JSON.parse(fs.readFileSync(path.join(xp, 'results.json'), 'utf8'));
  assert.equal(r.status, 'finished');
  assert.equal(typeof r.test_auc, 'number');
  assert.deepEqual(r.normal_classes, [0, 1]);
  assert.deepEqual(r.normal_class_names, ['0', '1']);
  assert.deepEqual(r.outlier_classes, [2, 3, 4, 5, 6, 7, 8, 9]);
  for (const s of r.test_scores as TestScore[]) assert.equal(s.label, s.class <= 1 ? 0 : 1);
  const cfg = JSON.parse(fs.readFileSync(path.join(xp, 'config.json'), 'utf8'));
  assert.deepEqual(cfg.normal, [0, 1]);
  const model = JSON.parse(fs.readFileSync(path.join(xp, 'model', 'model.json'), 'utf8'));
  assert.deepEqual(model.classes.normal, [0, 1]);
});
