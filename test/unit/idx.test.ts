import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseIdx, readIdxFile, readMnistSplit } from '../../src/data/idx.js';
import { throwsUser } from '../helpers/assert.js';

/** Builds an IDX buffer: magic 00 00 type ndim, big-endian dims, then data. */
function idxBuffer(dims: number[], data: Uint8Array | number[], type = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([header, Buffer.from(data)]);
}

function imagesBuffer(n: number, fill = (i: number, j: number) => (i * 31 + j) % 256): Buffer {
  const data = new Uint8Array(n * 784);
  for (let i = 0; i < n; i++) for (let j = 0; j < 784; j++) data[i * 784 + j] = fill(i, j);
  return idxBuffer([n, 28, 28], data);
}

let dir: string;
const file = (name: string, content: Uint8Array) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idx-test-'));
});
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('parseIdx / readIdxFile', () => {
  test('valid raw label file', () => {
    const p = file('labels-raw', idxBuffer([5], [3, 1, 4, 1, 5]));
    const a = readIdxFile(p);
    assert.deepEqual(a.dims, [5]);
    assert.deepEqual([...a.data], [3, 1, 4, 1, 5]);
  });

  test('valid raw image file: dims and pixel order', () => {
    const p = file('images-raw', imagesBuffer(2));
    const a = readIdxFile(p);
    assert.deepEqual(a.dims, [2, 28, 28]);
    assert.equal(a.data.length, 2 * 784);
    assert.equal(a.data[0], 0);
    assert.equal(a.data[784 + 5], (31 + 5) % 256);
  });

  test('valid gzip file is detected by magic bytes, whatever its name', () => {
    const raw = idxBuffer([4], [9, 8, 7, 6]);
    const p = file('labels-no-gz-suffix', gzipSync(raw));
    const a = readIdxFile(p);
    assert.deepEqual(a.dims, [4]);
    assert.deepEqual([...a.data], [9, 8, 7, 6]);
    // and a raw file named .gz is read as raw
    const q = file('labels-raw.gz', raw);
    assert.deepEqual([...readIdxFile(q).data], [9, 8, 7, 6]);
  });

  test('wrong magic number', () => {
    const buf = idxBuffer([2], [0, 1]);
    buf[0] = 0x12;
    const p = file('bad-magic', buf);
    throwsUser(() => readIdxFile(p), p, 'not an IDX file', '0x12000801');
  });

  test('unsupported data type (float) is rejected', () => {
    const p = file('float-type', idxBuffer([2], [0, 0, 0, 0, 0, 0, 0, 0], 0x0d));
    throwsUser(() => readIdxFile(p), p, '0x0d', 'not supported');
  });

  test('too short for a header', () => {
    const p = file('tiny', Buffer.from([0, 0]));
    throwsUser(() => readIdxFile(p), p, 'too short');
    const q = file('short-header', Buffer.from([0, 0, 8, 3, 0, 0, 0, 1]));
    throwsUser(() => readIdxFile(q), q, 'truncated header');
  });

  test('truncated data', () => {
    const full = imagesBuffer(3);
    const p = file('truncated', full.subarray(0, full.length - 100));
    throwsUser(() => readIdxFile(p), p, `truncated: expected ${3 * 784} bytes of data, found ${3 * 784 - 100}`);
  });

  test('oversized data', () => {
    const p = file('oversized', Buffer.concat([idxBuffer([3], [1, 2, 3]), Buffer.from([4, 5])]));
    throwsUser(() => readIdxFile(p), p, 'oversized', 'expected 3 bytes of data, found 5');
  });

  test('corrupt gzip', () => {
    const gz = gzipSync(imagesBuffer(2));
    const p = file('corrupt.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    throwsUser(() => readIdxFile(p), p, 'gzip');
    const q = file('garbage-gz', Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    throwsUser(() => readIdxFile(q), q, 'gzip');
  });

  test('missing file', () => {
    const p = path.join(dir, 'does-not-exist');
    throwsUser(() => readIdxFile(p), p, 'not found');
  });

  test('parseIdx uses the given name', () => {
    throwsUser(() => parseIdx(new Uint8Array([1, 2, 3, 4, 5]), 'my-name'), 'my-name:');
  });
});

describe('readMnistSplit', () => {
  test('valid split, raw images and gzip labels', () => {
    const ip = file('ok-images', imagesBuffer(3));
    const lp = file('ok-labels', gzipSync(idxBuffer([3], [0, 9, 5])));
    const s = readMnistSplit(ip, lp);
    assert.equal(s.n, 3);
    assert.deepEqual([...s.labels], [0, 9, 5]);
    assert.equal(s.images.length, 3 * 784);
  });

  test('label out of range names the labels file', () => {
    const ip = file('r-images', imagesBuffer(3));
    const lp = file('r-labels', idxBuffer([3], [0, 10, 5]));
    throwsUser(() => readMnistSplit(ip, lp), lp, 'label 10 at index 1');
  });

  test('count mismatch names the labels file', () => {
    const ip = file('c-images', imagesBuffer(3));
    const lp = file('c-labels', idxBuffer([2], [0, 1]));
    throwsUser(() => readMnistSplit(ip, lp), lp, 'has 2 labels', '3 images');
  });

  test('images with wrong size or rank', () => {
    const bad = file('b-images', idxBuffer([2, 27, 28], new Uint8Array(2 * 27 * 28)));
    const lp = file('b-labels', idxBuffer([2], [0, 1]));
    throwsUser(() => readMnistSplit(bad, lp), bad, '27x28');
    // swapped files
    const ip = file('s-images', imagesBuffer(2));
    throwsUser(() => readMnistSplit(lp, ip), lp, '1-D');
  });

  test('labels file that is not 1-D', () => {
    const ip = file('d-images', imagesBuffer(2));
    const lp = file('d-labels', idxBuffer([2, 1], [0, 1]));
    throwsUser(() => readMnistSplit(ip, lp), lp, '2-D');
  });
});
