import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { convertChannels, luma601, resizeBilinear, resizeBilinearU8, toModelInput } from '../../src/data/resize.js';
import { UserError } from '../../src/util/errors.js';
import { closeEach } from '../helpers/assert.js';

const close = (actual: ArrayLike<number>, expected: number[], tol = 1e-12): void => closeEach(actual, expected, tol);

describe('resizeBilinear (half-pixel centres)', () => {
  test('equal size is exactly the identity (gray 28×28 and RGB 5×3)', () => {
    const g = Uint8Array.from({ length: 28 * 28 }, (_, i) => (i * 37) % 256);
    assert.deepEqual(Array.from(resizeBilinear(g, { height: 28, width: 28, channels: 1 }, 28, 28)), Array.from(g));
    assert.deepEqual(resizeBilinearU8(g, { height: 28, width: 28, channels: 1 }, 28, 28), g);
    const rgb = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 101) % 256);
    assert.deepEqual(resizeBilinearU8(rgb, { height: 5, width: 3, channels: 3 }, 5, 3), rgb);
  });

  test('2×2 → 4×4: border pixels repeated, ¾/¼ mixes inside', () => {
    // [a b; c d] = [0 40; 80 120]. Output coordinates (x + .5)/2 − .5 = −.25 (clamped to 0), .25, .75, 1.25 (clamped to 1),
    // so each axis uses weights (1,0), (.75,.25), (.25,.75), (0,1).
    // row 0 (y = 0):   0, 10, 30, 40
    // row 1 (y = .25): .75·row0 + .25·row1 where row1 = 80, 90, 110, 120  → 20, 30, 50, 60
    // row 2 (y = .75): .25·row0 + .75·row1                                 → 60, 70, 90, 100
    // row 3 (y = 1):   80, 90, 110, 120
    const out = resizeBilinear([0, 40, 80, 120], { height: 2, width: 2, channels: 1 }, 4, 4);
    close(out, [0, 10, 30, 40, 20, 30, 50, 60, 60, 70, 90, 100, 80, 90, 110, 120]);
  });

  test('4×4 → 2×2 averages 2×2 blocks', () => {
    // source coordinates (x + .5)·2 − .5 = .5 and 2.5: the mean of pixels 0,1 and of pixels 2,3 on each axis
    const src = [
      0, 4, 8, 12,
      16, 20, 24, 28,
      100, 104, 200, 204,
      108, 112, 208, 212,
    ];
    const out = resizeBilinear(src, { height: 4, width: 4, channels: 1 }, 2, 2);
    close(out, [(0 + 4 + 16 + 20) / 4, (8 + 12 + 24 + 28) / 4, (100 + 104 + 108 + 112) / 4, (200 + 204 + 208 + 212) / 4]);
    close(out, [10, 18, 106, 206]);
  });

  test('channels are interpolated independently (RGB 1×2 → 1×4)', () => {
    const out = resizeBilinear([0, 100, 200, 40, 60, 0], { height: 1, width: 2, channels: 3 }, 1, 4);
    close(out, [0, 100, 200, 10, 90, 150, 30, 70, 50, 40, 60, 0]);
  });

  test('U8 variant rounds halves up and clamps', () => {
    // 1×2 [0, 2] → 1×4: 0, .5, 1.5, 2 → 0, 1, 2, 2
    assert.deepEqual(Array.from(resizeBilinearU8(Uint8Array.from([0, 2]), { height: 1, width: 2, channels: 1 }, 1, 4)), [0, 1, 2, 2]);
  });

  test('32×32 from 28×28 keeps a constant image constant', () => {
    const src = new Uint8Array(28 * 28).fill(77);
    const out = resizeBilinearU8(src, { height: 28, width: 28, channels: 1 }, 32, 32);
    assert.equal(out.length, 32 * 32);
    assert.ok(out.every((v) => v === 77));
  });

  test('a wrong length is a UserError', () => {
    assert.throws(() => resizeBilinear([1, 2, 3], { height: 2, width: 2, channels: 1 }, 4, 4), UserError);
  });
});

describe('channel conversion', () => {
  test('luma601: 0.299 R + 0.587 G + 0.114 B, rounded', () => {
    assert.equal(luma601(255, 0, 0), 76); // 76.245
    assert.equal(luma601(0, 255, 0), 150); // 149.685
    assert.equal(luma601(0, 0, 255), 29); // 29.07
    assert.equal(luma601(255, 255, 255), 255);
    assert.equal(luma601(10, 20, 30), 18); // 2.99 + 11.74 + 3.42 = 18.15
    assert.equal(luma601(200, 100, 50), 124); // 59.8 + 58.7 + 5.7 = 124.2
  });

  test('gray stays exact through RGB → luma for every value', () => {
    for (let v = 0; v < 256; v++) assert.equal(luma601(v, v, v), v);
  });

  test('RGB → gray, gray → RGB, alpha dropped', () => {
    assert.deepEqual(Array.from(convertChannels(Uint8Array.from([255, 0, 0, 10, 20, 30]), 2, 3, 1)), [76, 18]);
    assert.deepEqual(Array.from(convertChannels(Uint8Array.from([7, 200]), 2, 1, 3)), [7, 7, 7, 200, 200, 200]);
    assert.deepEqual(Array.from(convertChannels(Uint8Array.from([1, 2, 3, 9, 4, 5, 6, 0]), 2, 4, 3)), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(Array.from(convertChannels(Uint8Array.from([255, 0, 0, 9]), 1, 4, 1)), [76]);
    assert.deepEqual(Array.from(convertChannels(Uint8Array.from([5, 128, 6, 0]), 2, 2, 1)), [5, 6]);
    assert.deepEqual(Array.from(convertChannels(Uint8Array.from([5, 128]), 1, 2, 3)), [5, 5, 5]);
  });

  test('toModelInput: convert channels, then resize', () => {
    const rgb = Uint8Array.from([255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0]); // 2×2 red
    const out = toModelInput(rgb, { height: 2, width: 2, channels: 3 }, { height: 4, width: 4, channels: 1 });
    assert.equal(out.length, 16);
    assert.ok(out.every((v) => v === 76));
  });
});
