import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  CIFAR10_CLASS_NAMES,
  loadCifar10,
  locateCifar10,
  readCifar10PythonBatch,
  type Cifar10Data,
} from '../../src/data/cifar10.js';
import { throwsUser } from '../helpers/assert.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** written by test/fixtures/cifar10/make_fixtures.py */
const FIX = path.join(ROOT, 'test', 'fixtures', 'cifar10');
const PY = 'cifar-10-batches-py';
const BIN = 'cifar-10-batches-bin';
const VIS = 3072;

/** What make_fixtures.py puts in every image: class colour and marker pixel. */
const CLASS_RGB = Array.from({ length: 10 }, (_, y) => [255 - 12 * y, 60 + 15 * y, 100 + 60 * (y % 3)]);
const classPixel = (y: number): [number, number] => [5 + 15 * Math.floor(y / 5), 3 + 6 * (y % 5)];

// ---------------------------------------------------------------------------------------------------------------
// a tiny pickle writer for the corrupted and variant files
// ---------------------------------------------------------------------------------------------------------------

const u8 = (...b: number[]): Buffer => Buffer.from(b);
const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);
const le32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const le64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
/** Python 2 str: SHORT_BINSTRING / BINSTRING */
const str2 = (s: string | Buffer): Buffer => {
  const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  return b.length < 256 ? cat(u8(0x55, b.length), b) : cat(u8(0x54), le32(b.length), b);
};
/** Python 3 str: SHORT_BINUNICODE / BINUNICODE */
const uni = (s: string): Buffer => {
  const b = Buffer.from(s, 'utf8');
  return b.length < 256 ? cat(u8(0x8c, b.length), b) : cat(u8(0x58), le32(b.length), b);
};
const int = (v: number): Buffer => {
  if (v >= 0 && v < 256) return u8(0x4b, v);
  if (v >= 0 && v < 65536) return u8(0x4d, v & 0xff, v >> 8);
  const b = Buffer.alloc(5);
  b[0] = 0x4a;
  b.writeInt32LE(v, 1);
  return b;
};
const glob = (module: string, name: string): Buffer => Buffer.from(`c${module}\n${name}\n`, 'latin1');
const list = (items: Buffer[]): Buffer => cat(u8(0x5d, 0x28), ...items, u8(0x65));
const dict = (proto: number, entries: [Buffer, Buffer][]): Buffer =>
  cat(u8(0x80, proto, 0x7d, 0x28), ...entries.flat(), u8(0x75, 0x2e));
const DTYPE_STATE = cat(u8(0x28), int(3), str2('|'), u8(0x4e, 0x4e, 0x4e, 0x4a, 0xff, 0xff, 0xff, 0xff, 0x4a, 0xff, 0xff, 0xff, 0xff), int(0), u8(0x74));

/** A numpy array as Python 2 cPickle writes it; `shape` defaults to (n, 3072). */
function py2Array(pixels: Buffer, shape: number[] = [pixels.length / VIS, VIS], descr = 'u1'): Buffer {
  const shapeOps = shape.length === 1 ? cat(int(shape[0]), u8(0x85)) : cat(int(shape[0]), int(shape[1]), u8(0x86));
  return cat(
    glob('numpy.core.multiarray', '_reconstruct'), glob('numpy', 'ndarray'), int(0), u8(0x85), str2('b'), u8(0x87, 0x52),
    u8(0x28), int(1), shapeOps,
    glob('numpy', 'dtype'), str2(descr), int(0), int(1), u8(0x87, 0x52), DTYPE_STATE, u8(0x62),
    u8(0x89), str2(pixels), u8(0x74, 0x62),
  );
}

function py2Batch(pixels: Buffer, labels: number[], data = py2Array(pixels)): Buffer {
  return dict(2, [
    [str2('batch_label'), str2('synthetic')],
    [str2('labels'), list(labels.map(int))],
    [str2('data'), data],
  ]);
}

/** Python 3, protocol 2: str keys as BINUNICODE, bytes as _codecs.encode(latin-1 text, 'latin1'), numpy 2 names. */
function py3Proto2Batch(pixels: Buffer, labels: number[]): Buffer {
  const bytes = (b: Buffer): Buffer =>
    cat(glob('_codecs', 'encode'), uni(b.toString('latin1')), uni('latin1'), u8(0x86, 0x52));
  const arr = cat(
    glob('numpy._core.multiarray', '_reconstruct'), glob('numpy', 'ndarray'), int(0), u8(0x85), bytes(Buffer.from('b')), u8(0x87, 0x52),
    u8(0x28), int(1), int(pixels.length / VIS), int(VIS), u8(0x86),
    glob('numpy', 'dtype'), uni('u1'), u8(0x89, 0x88, 0x87, 0x52), DTYPE_STATE, u8(0x62),
    u8(0x89), bytes(pixels), u8(0x74, 0x62),
  );
  return dict(2, [[uni('labels'), list(labels.map(int))], [uni('data'), arr]]);
}

/** Python 3, protocol 5 as numpy writes it (_frombuffer over an in-band bytearray), keys as bytes. */
function py3Proto5Batch(pixels: Buffer, labels: number[]): Buffer {
  const sg = (m: string, n: string): Buffer => cat(uni(m), uni(n), u8(0x93));
  const arr = cat(
    sg('numpy._core.numeric', '_frombuffer'), u8(0x28), u8(0x96), le64(pixels.length), pixels,
    sg('numpy', 'dtype'), uni('u1'), u8(0x89, 0x88, 0x87, 0x52), DTYPE_STATE, u8(0x62),
    int(pixels.length / VIS), int(VIS), u8(0x86), uni('C'), u8(0x74, 0x52),
  );
  const body = cat(u8(0x7d, 0x94, 0x28), u8(0x43, 6), Buffer.from('labels'), list(labels.map(int)), u8(0x43, 4), Buffer.from('data'), arr, u8(0x75, 0x2e));
  return cat(u8(0x80, 5, 0x95), le64(body.length), body);
}

/** n synthetic planar images: pixel byte j of image i = (i * 31 + j) & 255. */
function planar(n: number): Buffer {
  const b = Buffer.alloc(n * VIS);
  for (let i = 0; i < n; i++) for (let j = 0; j < VIS; j++) b[i * VIS + j] = (i * 31 + j) & 255;
  return b;
}
const LABELS10 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

// ---------------------------------------------------------------------------------------------------------------

let root: string;
let caseNo = 0;
/** A fresh data folder with `files` in `<dir>/<folder>/`; returns the data folder. */
function dataDir(files: Record<string, Buffer | string>, folder = PY): string {
  const d = path.join(root, `case${caseNo++}`);
  fs.mkdirSync(path.join(d, folder), { recursive: true });
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(d, folder, name), content);
  return d;
}
/** A data folder with a valid tiny test_batch and `bad` as data_batch_1; returns [dataDir, path of data_batch_1]. */
function badTrain(bad: Buffer): [string, string] {
  const d = dataDir({ data_batch_1: bad, test_batch: py2Batch(planar(10), LABELS10) });
  return [d, path.join(d, PY, 'data_batch_1')];
}

let py2: Cifar10Data;
let bin: Cifar10Data;
let py3: Cifar10Data;

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cifar10-test-'));
  py2 = loadCifar10(FIX); // both folders there: python is preferred
  const binOnly = path.join(root, 'bin-only');
  fs.mkdirSync(binOnly);
  fs.cpSync(path.join(FIX, BIN), path.join(binOnly, BIN), { recursive: true });
  bin = loadCifar10(binOnly);
  py3 = loadCifar10(path.join(FIX, 'py3'));
});
after(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('CIFAR-10 fixtures', () => {
  test('python batches are preferred and both training batches are read', () => {
    const loc = locateCifar10(FIX);
    assert.equal(loc.format, 'python');
    assert.equal(loc.dir, path.join(FIX, PY));
    assert.deepEqual(loc.trainFiles, [path.join(FIX, PY, 'data_batch_1'), path.join(FIX, PY, 'data_batch_2')]);
    assert.equal(loc.testFile, path.join(FIX, PY, 'test_batch'));
    assert.equal(loc.metaFile, path.join(FIX, PY, 'batches.meta'));
    assert.match(py2.source, /cifar-10-batches-py/);
    assert.match(bin.source, /cifar-10-batches-bin/);
  });

  test('counts, class names and every class in both splits', () => {
    for (const d of [py2, bin, py3]) {
      assert.equal(d.train.n, 240);
      assert.equal(d.test.n, 20);
      assert.equal(d.train.images.length, 240 * VIS);
      assert.equal(d.test.images.length, 20 * VIS);
      assert.equal(d.train.labels.length, 240);
      assert.deepEqual(d.classNames, CIFAR10_CLASS_NAMES);
      for (const split of [d.train, d.test]) {
        const counts = new Array(10).fill(0);
        for (const y of split.labels) counts[y]++;
        // two of each class per batch; the training batches add 100 cats each (so --normal 3 fills a batch of 200)
        const expected = split === d.train ? [4, 4, 4, 204, 4, 4, 4, 4, 4, 4] : new Array(10).fill(2);
        assert.deepEqual(counts, expected);
      }
    }
  });

  test('python 2, binary and python 3 files give identical images and labels, image by image', () => {
    for (const other of [bin, py3]) {
      for (const split of ['train', 'test'] as const) {
        const a = py2[split];
        const b = other[split];
        for (let i = 0; i < a.n; i++) {
          assert.equal(a.labels[i], b.labels[i], `${split} label ${i}`);
          assert.ok(
            Buffer.from(a.images.subarray(i * VIS, (i + 1) * VIS)).equals(b.images.subarray(i * VIS, (i + 1) * VIS)),
            `${split} image ${i} differs`,
          );
        }
      }
    }
  });

  test('images are channels last: known pixels have the right R, G, B', () => {
    for (const d of [py2, bin, py3]) {
      for (const split of [d.train, d.test]) {
        for (let i = 0; i < split.n; i++) {
          const y = split.labels[i];
          const img = split.images.subarray(i * VIS, (i + 1) * VIS);
          // marker pixel (0, 0): R = index in the split, G = 20 * label, B = 250
          assert.deepEqual([...img.subarray(0, 3)], [i, 20 * y, 250], `image ${i} marker`);
          const [r, c] = classPixel(y);
          const at = (r * 32 + c) * 3;
          assert.deepEqual([...img.subarray(at, at + 3)], CLASS_RGB[y], `image ${i} class colour at (${r}, ${c})`);
        }
      }
    }
  });

  test('without meta files the standard class names are used', () => {
    const d = path.join(root, 'no-meta');
    fs.mkdirSync(path.join(d, PY), { recursive: true });
    for (const f of ['data_batch_1', 'test_batch']) fs.copyFileSync(path.join(FIX, PY, f), path.join(d, PY, f));
    const data = loadCifar10(d);
    assert.deepEqual(data.classNames, CIFAR10_CLASS_NAMES);
    assert.equal(data.train.n, 120);
  });
});

describe('other pickle writers', () => {
  const px = planar(10);
  const hwcPixel = (d: Cifar10Data, i: number, p: number): number[] => [...d.train.images.subarray(i * VIS + 3 * p, i * VIS + 3 * p + 3)];
  const expectSame = (file: Buffer): void => {
    const d = loadCifar10(dataDir({ data_batch_1: file, test_batch: py2Batch(px, LABELS10) }));
    assert.equal(d.train.n, 10);
    assert.deepEqual([...d.train.labels], LABELS10);
    for (const i of [0, 9]) for (const p of [0, 77, 1023]) {
      assert.deepEqual(hwcPixel(d, i, p), [px[i * VIS + p], px[i * VIS + 1024 + p], px[i * VIS + 2048 + p]]);
    }
  };
  test('python 3 protocol 2 (bytes through _codecs.encode)', () => expectSame(py3Proto2Batch(px, LABELS10)));
  test('python 3 protocol 5 (numpy _frombuffer, bytes keys)', () => expectSame(py3Proto5Batch(px, LABELS10)));
  test('a flat 3072*N array', () => expectSame(py2Batch(px, LABELS10, py2Array(px, [px.length]))));
});

describe('locateCifar10 errors', () => {
  test('no batches folder', () => {
    const d = path.join(root, 'empty');
    fs.mkdirSync(d);
    throwsUser(
      () => locateCifar10(d),
      `no CIFAR-10 files in ${d}`,
      `${path.join(d, PY)}/ (python batches)`,
      `${path.join(d, BIN)}/ (binary batches)`,
      "'deep-svdd data fetch cifar10'",
    );
    throwsUser(() => loadCifar10(path.join(root, 'does-not-exist')), 'no CIFAR-10 files in');
  });
  test('batches folder without data_batch_1 or test_batch', () => {
    throwsUser(() => locateCifar10(dataDir({ test_batch: 'x' })), 'missing data_batch_1');
    throwsUser(() => locateCifar10(dataDir({ 'data_batch_1.bin': 'x' }, BIN)), 'missing test_batch.bin');
  });
  test('consecutive numbers only; incomplete python folder falls back to complete binary one', () => {
    const d = dataDir({ data_batch_1: 'x', data_batch_3: 'x', test_batch: 'x' });
    assert.deepEqual(locateCifar10(d).trainFiles, [path.join(d, PY, 'data_batch_1')]);
    const e = dataDir({ test_batch: 'x' });
    fs.mkdirSync(path.join(e, BIN));
    for (const f of ['data_batch_1.bin', 'test_batch.bin']) fs.writeFileSync(path.join(e, BIN, f), 'x');
    assert.equal(locateCifar10(e).format, 'binary');
  });
});

describe('corrupt python batches', () => {
  const good = py2Batch(planar(10), LABELS10);
  test('the builder itself writes a valid batch', () => {
    const [, f] = badTrain(good);
    assert.equal(readCifar10PythonBatch(f).n, 10);
  });
  test('truncated inside the pixels and before STOP', () => {
    let [d, f] = badTrain(good.subarray(0, 1000));
    throwsUser(() => loadCifar10(d), f, 'is truncated', 'BINSTRING');
    [d, f] = badTrain(good.subarray(0, good.length - 1));
    throwsUser(() => loadCifar10(d), f, 'is truncated', 'before its STOP');
  });
  test('not a pickle, gzip, empty', () => {
    let [d, f] = badTrain(Buffer.alloc(100));
    throwsUser(() => loadCifar10(d), f, 'is not a Python pickle');
    [d, f] = badTrain(gzipSync(good));
    throwsUser(() => loadCifar10(d), f, 'gzip-compressed');
    [d, f] = badTrain(Buffer.alloc(0));
    throwsUser(() => loadCifar10(d), f, 'empty');
  });
  test('wrong top-level type', () => {
    const [d, f] = badTrain(cat(u8(0x80, 2), list([int(1), int(2)]), u8(0x2e)));
    throwsUser(() => loadCifar10(d), f, 'is not a CIFAR-10 batch', 'holds a list', 'expected a dict');
  });
  test('missing labels / data entries', () => {
    let [d, f] = badTrain(Buffer.from(good.toString('latin1').replace('labels', 'lebals'), 'latin1'));
    throwsUser(() => loadCifar10(d), f, "is not a CIFAR-10 batch: no 'labels' entry");
    [d, f] = badTrain(dict(2, [[str2('labels'), list([int(1)])]]));
    throwsUser(() => loadCifar10(d), f, "no 'data' entry");
  });
  test('label 12', () => {
    const [d, f] = badTrain(py2Batch(planar(10), [0, 1, 2, 12, 4, 5, 6, 7, 8, 9]));
    throwsUser(() => loadCifar10(d), f, 'label 12 at index 3 is out of range 0..9');
  });
  test('labels and images disagree, wrong dtype, wrong shape, short data', () => {
    let [d, f] = badTrain(py2Batch(planar(10), LABELS10.slice(1)));
    throwsUser(() => loadCifar10(d), f, '10 images but 9 labels');
    [d, f] = badTrain(py2Batch(planar(10), LABELS10, py2Array(planar(10), undefined, 'i4')));
    throwsUser(() => loadCifar10(d), f, 'dtype i4', 'expected uint8');
    [d, f] = badTrain(py2Batch(planar(10), LABELS10, py2Array(planar(10), [10, 3000])));
    throwsUser(() => loadCifar10(d), f, 'shape 10x3000');
    [d, f] = badTrain(py2Batch(planar(10), LABELS10, py2Array(planar(10).subarray(0, 5000), [10, VIS])));
    throwsUser(() => loadCifar10(d), f, "'data' holds 5000 bytes", 'needs 30720');
  });
  test('unknown globals are refused, never called', () => {
    // GLOBAL os.system reduced with ('ls',)
    let [d, f] = badTrain(cat(u8(0x80, 2), glob('os', 'system'), str2('ls'), u8(0x85, 0x52, 0x2e)));
    throwsUser(() => loadCifar10(d), f, 'refers to Python class os.system, which a CIFAR-10 batch does not contain');
    // STACK_GLOBAL posix.system, protocol 4
    [d, f] = badTrain(cat(u8(0x80, 4), uni('posix'), uni('system'), u8(0x93), uni('ls'), u8(0x85, 0x52, 0x2e)));
    throwsUser(() => loadCifar10(d), f, 'refers to Python class posix.system');
    // INST
    [d, f] = badTrain(cat(u8(0x28), Buffer.from('isubprocess\nPopen\n'), u8(0x2e)));
    throwsUser(() => loadCifar10(d), f, 'refers to Python class subprocess.Popen');
  });
  test('a broken meta file', () => {
    const d = dataDir({ data_batch_1: good, test_batch: good, 'batches.meta': dict(2, [[str2('label_names'), list([str2('a')])]]) });
    throwsUser(() => loadCifar10(d), path.join(d, PY, 'batches.meta'), 'lists 1 class names, expected 10');
  });
});

describe('corrupt binary batches', () => {
  const record = (y: number, fill: number): Buffer => cat(u8(y), Buffer.alloc(VIS, fill));
  const goodBin = cat(record(3, 1), record(4, 2));
  test('record size', () => {
    const d = dataDir({ 'data_batch_1.bin': goodBin.subarray(1), 'test_batch.bin': goodBin }, BIN);
    throwsUser(() => loadCifar10(d), path.join(d, BIN, 'data_batch_1.bin'), 'truncated or not a CIFAR-10 binary batch', '6145', '3073');
  });
  test('label 12', () => {
    const d = dataDir({ 'data_batch_1.bin': goodBin, 'test_batch.bin': cat(record(12, 0)) }, BIN);
    throwsUser(() => loadCifar10(d), path.join(d, BIN, 'test_batch.bin'), 'label 12 at index 0');
  });
  test('a valid tiny binary set, channels last, meta.txt read', () => {
    const img = Buffer.alloc(VIS);
    img.fill(10, 0, 1024);
    img.fill(20, 1024, 2048);
    img.fill(30, 2048);
    const names = CIFAR10_CLASS_NAMES.map((s) => s.toUpperCase());
    const d = dataDir({ 'data_batch_1.bin': cat(u8(7), img), 'test_batch.bin': goodBin, 'batches.meta.txt': names.join('\r\n') + '\r\n\r\n' }, BIN);
    const data = loadCifar10(d);
    assert.deepEqual(data.classNames, names);
    assert.deepEqual([...data.train.labels], [7]);
    assert.deepEqual([...data.train.images.subarray(0, 6)], [10, 20, 30, 10, 20, 30]);
    assert.deepEqual([...data.test.labels], [3, 4]);
  });
});
