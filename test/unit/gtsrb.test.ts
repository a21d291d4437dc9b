import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { adversarialFromArrays, cropAndResize, loadGtsrb, locateGtsrb, nTestNormal, parseGtCsv } from '../../src/data/gtsrb.js';
import { encodeNpy, parseNpy } from '../../src/data/npy.js';
import { decodePpm, encodePpm } from '../../src/data/ppm.js';
import { throwsUser } from '../helpers/assert.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = path.join(root, 'test/fixtures/gtsrb');

test('.npy: reads uint8, float32, float64 and int64 arrays with their shape', () => {
  const f4 = parseNpy(encodeNpy('f4', [2, 3], [1.5, 2, 3, 4, 5, -6]), 'a.npy');
  assert.deepEqual([f4.dtype, f4.shape, Array.from(f4.data)], ['f4', [2, 3], [1.5, 2, 3, 4, 5, -6]]);
  const u1 = parseNpy(encodeNpy('u1', [4], [0, 1, 254, 255]), 'b.npy');
  assert.deepEqual([u1.dtype, u1.shape, Array.from(u1.data)], ['u1', [4], [0, 1, 254, 255]]);
  const i8 = parseNpy(encodeNpy('i8', [3], [1, -1, 7]), 'c.npy');
  assert.deepEqual(Array.from(i8.data), [1, -1, 7]);
  const f8 = parseNpy(encodeNpy('f8', [1, 1], [0.1]), 'd.npy');
  assert.equal(f8.data[0], 0.1);
});

test('.npy: wrong shape, wrong dtype, not .npy, big-endian, Fortran order and truncation are one-line errors', () => {
  const imgs = encodeNpy('f4', [2, 32, 32, 3], new Array(2 * 32 * 32 * 3).fill(0));
  throwsUser(() => parseNpy(imgs, 'Images_150.npy', { shape: [-1, 3, 32, 32] }), /Images_150\.npy/, /shape \(2, 32, 32, 3\) is wrong: expected \(N, 3, 32, 32\)/);
  const ints = encodeNpy('i8', [2], [1, 0]);
  throwsUser(() => parseNpy(ints, 'x.npy', { dtypes: ['u1', 'f4', 'f8'] }), /dtype <i8 is not accepted: use one of u1, f4, f8/);
  throwsUser(() => parseNpy(new TextEncoder().encode('hello world'), 'y.npy'), /not a \.npy file/);
  const be = encodeNpy('f4', [1], [1]);
  const text = new TextDecoder('latin1').decode(be).replace("'<f4'", "'>f4'");
  throwsUser(() => parseNpy(Uint8Array.from(text, (ch) => ch.charCodeAt(0)), 'z.npy'), /big-endian/);
  const fo = new TextDecoder('latin1').decode(be).replace("'fortran_order': False", "'fortran_order': True ");
  throwsUser(() => parseNpy(Uint8Array.from(fo, (ch) => ch.charCodeAt(0)), 'f.npy'), /Fortran order/);
  throwsUser(() => parseNpy(imgs.subarray(0, imgs.length - 10), 't.npy'), /truncated/);
  const str = new TextDecoder('latin1').decode(be).replace("'<f4'", "'<U1'");
  throwsUser(() => parseNpy(Uint8Array.from(str, (ch) => ch.charCodeAt(0)), 's.npy'), /dtype <U1 is not supported/);
});

test('PPM: binary P6 and ASCII P3 with comments decode to the same RGB pixels; bad files are one-line errors', () => {
  const px = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  const p6 = decodePpm(encodePpm(px, 2, 3), 'a.ppm');
  assert.deepEqual([p6.height, p6.width, p6.channels], [2, 3, 3]);
  assert.deepEqual(Array.from(p6.pixels), Array.from(px));
  const p3 = decodePpm(new TextEncoder().encode(`P3\n# comment\n3 2\n255\n${Array.from(px).join(' ')}\n`), 'b.ppm');
  assert.deepEqual(Array.from(p3.pixels), Array.from(px));
  const p5 = decodePpm(Uint8Array.from([...new TextEncoder().encode('P5 2 1 15\n'), 15, 0]), 'c.pgm');
  assert.deepEqual([p5.channels, ...p5.pixels], [1, 255, 0]);
  throwsUser(() => decodePpm(new TextEncoder().encode('GIF89a'), 'x.ppm'), /x\.ppm: not a PPM/);
  throwsUser(() => decodePpm(encodePpm(px, 2, 3).subarray(0, 20), 'y.ppm'), /y\.ppm: truncated/);
});

test('GT csv: columns by header name; bad rows name the file and line', () => {
  const rows = parseGtCsv('Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId\r\n00000_00000.ppm;30;29;5;6;25;24;14\r\n', 'GT-00014.csv');
  assert.deepEqual(rows, [{ file: '00000_00000.ppm', width: 30, height: 29, x1: 5, y1: 6, x2: 25, y2: 24, classId: 14 }]);
  throwsUser(() => parseGtCsv('Filename;Width\nx.ppm;3\n', 'GT-00014.csv'), /no column Height/);
  throwsUser(() => parseGtCsv('Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId\nx.ppm;3;3;a;0;1;1;14\n', 'GT.csv'), /GT\.csv, line 2: x1/);
  throwsUser(() => parseGtCsv('Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId\n../x.ppm;3;3;0;0;1;1;14\n', 'GT.csv'), /invalid file name/);
});

test('ROI crop: X are columns and Y rows (the original swapped them), end exclusive', () => {
  // a 4-row × 6-column gray-as-RGB image whose value is 10·row + column
  const h = 4, w = 6;
  const px = new Uint8Array(h * w * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.fill(10 * y + x, (y * w + x) * 3, (y * w + x) * 3 + 3);
  // columns 3..5, rows 1..2, resized to its own size (2 rows × 2 columns) is exactly the crop
  const out = cropAndResize({ pixels: px, height: h, width: w, channels: 3 }, { file: 'a', width: w, height: h, x1: 3, y1: 1, x2: 5, y2: 3, classId: 14 }, 'a', 2);
  assert.deepEqual(Array.from(out).filter((_, i) => i % 3 === 0), [13, 14, 23, 24]);
  throwsUser(() => cropAndResize({ pixels: px, height: h, width: w, channels: 3 }, { file: 'a', width: w, height: h, x1: 5, y1: 1, x2: 5, y2: 3, classId: 14 }, 'a.ppm'), /a\.ppm: empty region of interest/);
});

test('GTSRB fixtures: 40 stop signs → 35 train / 5 normal test; outliers from the other class, or the adversarial .npy', () => {
  assert.equal(nTestNormal(780), 100);
  assert.equal(nTestNormal(40), 5);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gtsrb-'));
  try {
    fs.cpSync(path.join(fixtures, 'data_gtsrb'), path.join(tmp, 'data_gtsrb'), { recursive: true });
    const a = loadGtsrb(tmp, true, 1);
    assert.equal(a.outliers, 'other-classes');
    assert.deepEqual([a.train.n, a.test.n], [35, 10]);
    assert.deepEqual(Array.from(a.test.labels), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    assert.equal(a.train.images.length, 35 * 32 * 32 * 3);
    // the split depends on the seed and only on it
    assert.deepEqual(loadGtsrb(tmp, true, 1).train.images, a.train.images);
    assert.notDeepEqual(loadGtsrb(tmp, true, 2).test.images, a.test.images);
    // a stop sign's ROI holds a red disc (white bar across the middle) on noise 0..59: red above the centre,
    // noise in the corner
    const c = (8 * 32 + 16) * 3;
    assert.ok(a.train.images[c] > 150 && a.train.images[c + 2] < 80, 'the crop holds the sign');
    assert.ok(Math.max(...a.train.images.subarray(0, 3)) < 80, 'the corner is background');
    for (const f of ['Images_150.npy', 'Labels_150.npy']) fs.copyFileSync(path.join(fixtures, 'adversarial', f), path.join(tmp, 'data_gtsrb', f));
    const b = loadGtsrb(path.join(tmp, 'data_gtsrb'), true, 1);
    assert.equal(b.outliers, 'adversarial');
    assert.equal(b.test.n, 5 + 4, 'the four images labelled 1');
    // channel-first 0..255 floats → channels-last bytes, rounded: pixel (0, 0) of the first adversarial image
    const first = 5 * 32 * 32 * 3;
    assert.deepEqual(Array.from(b.test.images.subarray(first, first + 3)), [5, 18, 30]);
    // only one of the two files: an error
    fs.rmSync(path.join(tmp, 'data_gtsrb', 'Labels_150.npy'));
    throwsUser(() => loadGtsrb(tmp, true, 1), /Labels_150\.npy/, /needs both/);
    // no annotation file: one line
    fs.rmSync(path.join(tmp, 'data_gtsrb', 'Final_Training', 'Images', '00014', 'GT-00014.csv'));
    throwsUser(() => locateGtsrb(tmp, true), /GT-00014\.csv not found/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('adversarial arrays: labels must match the images and include a 1', () => {
  const imgs = parseNpy(encodeNpy('u1', [1, 3, 32, 32], new Array(3072).fill(7)), 'I.npy');
  throwsUser(() => adversarialFromArrays(imgs, parseNpy(encodeNpy('i8', [2], [1, 1]), 'L.npy'), 'I.npy', 'L.npy'), /2 labels for the 1 images/);
  throwsUser(() => adversarialFromArrays(imgs, parseNpy(encodeNpy('i8', [1], [0]), 'L.npy'), 'I.npy', 'L.npy'), /no label is 1/);
  assert.equal(adversarialFromArrays(imgs, parseNpy(encodeNpy('i8', [1], [1]), 'L.npy'), 'I.npy', 'L.npy')[0], 7);
});
