/**
 * The exported page's PNG decoder (src/web/png-decode.ts) gives pngjs's RGBA bytes (what `score` reads) for every
 * colour type, bit depth, filter, Adam7 interlacing, palette and tRNS transparency; damaged files are errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { decodePngRgba } from '../../src/web/png-decode.js';
import { makeRng } from '../../src/util/rng.js';

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(body).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/** A PNG from per-pixel samples, every row filtered with the next of the five filters; optional Adam7, PLTE, tRNS. */
function encode(o: { width: number; height: number; depth: number; colorType: number; interlace: boolean; samples: number[]; plte?: Uint8Array; trns?: Uint8Array }): Buffer {
  const spp = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[o.colorType];
  const passes = o.interlace ? [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] : [[0, 0, 1, 1]];
  const bpp = Math.max(1, (spp * o.depth) >> 3);
  const rows: number[] = [];
  let f = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((o.width - x0) / dx);
    const h = Math.ceil((o.height - y0) / dy);
    if (w <= 0 || h <= 0) continue;
    const rowBytes = Math.ceil((w * spp * o.depth) / 8);
    let prev = new Uint8Array(rowBytes);
    for (let y = 0; y < h; y++) {
      const line = new Uint8Array(rowBytes);
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < spp; k++) {
          const v = o.samples[((y0 + y * dy) * o.width + x0 + x * dx) * spp + k];
          const i = x * spp + k;
          if (o.depth === 16) { line[2 * i] = v >> 8; line[2 * i + 1] = v & 255; } else if (o.depth === 8) line[i] = v;
          else { const bit = i * o.depth; line[bit >> 3] |= v << (8 - o.depth - (bit & 7)); }
        }
      }
      const filter = f++ % 5;
      rows.push(filter);
      for (let i = 0; i < rowBytes; i++) {
        const a = i >= bpp ? line[i - bpp] : 0;
        const b = prev[i];
        const c = i >= bpp ? prev[i - bpp] : 0;
        const p = a + b - c;
        const pred = [0, a, b, (a + b) >> 1, Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c][filter];
        rows.push((line[i] - pred) & 255);
      }
      prev = line;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(o.width, 0); ihdr.writeUInt32BE(o.height, 4);
  ihdr[8] = o.depth; ihdr[9] = o.colorType; ihdr[12] = o.interlace ? 1 : 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    ...(o.plte ? [chunk('PLTE', o.plte)] : []), ...(o.trns ? [chunk('tRNS', o.trns)] : []),
    chunk('IDAT', deflateSync(Uint8Array.from(rows))), chunk('IEND', new Uint8Array(0)),
  ]);
}

test('every colour type, bit depth, filter and interlacing: the RGBA bytes pngjs gives', async () => {
  const rng = makeRng(3);
  const combos: Array<[number, number[]]> = [[0, [1, 2, 4, 8, 16]], [2, [8, 16]], [3, [1, 2, 4, 8]], [4, [8, 16]], [6, [8, 16]]];
  let checked = 0;
  for (const [colorType, depths] of combos) {
    for (const depth of depths) {
      for (const interlace of [false, true]) {
        for (const trnsToo of [false, true]) {
          const width = 11, height = 9;
          const spp = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
          const max = colorType === 3 ? Math.min(2 ** depth, 7) - 1 : 2 ** depth - 1;
          const samples = Array.from({ length: width * height * spp }, () => Math.floor(rng.next() * (max + 1)));
          let plte: Uint8Array | undefined;
          let trns: Uint8Array | undefined;
          if (colorType === 3) {
            plte = Uint8Array.from({ length: 3 * (max + 1) }, () => Math.floor(rng.next() * 256));
            if (trnsToo) trns = Uint8Array.from([17, 200]);
          } else if (trnsToo && (colorType === 0 || colorType === 2)) {
            // the colour of the first pixel is transparent (pngjs zeroes every channel of such pixels)
            trns = new Uint8Array(2 * spp);
            for (let k = 0; k < spp; k++) { trns[2 * k] = samples[k] >> 8; trns[2 * k + 1] = samples[k] & 255; }
          }
          const png = encode({ width, height, depth, colorType, interlace, samples, plte, trns });
          const want = PNG.sync.read(png);
          const got = await decodePngRgba(new Uint8Array(png), 4096 * 4096);
          const what = `colour type ${colorType}, depth ${depth}${interlace ? ', interlaced' : ''}${trns ? ', tRNS' : ''}`;
          assert.equal(got.width, width, what);
          assert.equal(got.color, want.color, `${what}: colour flag`);
          assert.deepEqual(Array.from(got.data), Array.from(want.data), what);
          checked++;
        }
      }
    }
  }
  assert.equal(checked, 15 * 4);
});

test('what pngjs writes (8 and 16 bit, gray to RGBA) decodes to its own bytes', async () => {
  for (const colorType of [0, 2, 4, 6]) {
    for (const bitDepth of [8, 16] as const) {
      const img = new PNG({ width: 5, height: 4 });
      for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37) & 255;
      const buf = PNG.sync.write(img, { colorType: colorType as 0 | 2 | 4 | 6, bitDepth });
      const got = await decodePngRgba(new Uint8Array(buf), 100);
      assert.deepEqual(Array.from(got.data), Array.from(PNG.sync.read(buf).data), `colour type ${colorType}, ${bitDepth} bit`);
    }
  }
});

test('damaged PNGs are errors: bad CRC, data inflating past the header, too many pixels, no signature', async () => {
  const samples = Array.from({ length: 16 }, (_, i) => i * 10);
  const good = encode({ width: 4, height: 4, depth: 8, colorType: 0, interlace: false, samples });
  const badCrc = Buffer.from(good);
  badCrc[good.length - 20] ^= 1; // inside IDAT
  await assert.rejects(decodePngRgba(new Uint8Array(badCrc), 100), /crc error in IDAT/);
  const big = Buffer.from(good);
  big.writeUInt32BE(2, 16); // the header says 2 pixels wide: the data inflates to more
  const fixed = Buffer.concat([big.subarray(0, 8), chunk('IHDR', big.subarray(16, 29)), big.subarray(33)]);
  await assert.rejects(decodePngRgba(new Uint8Array(fixed), 100), /inflates to more than the 12 bytes/);
  await assert.rejects(decodePngRgba(new Uint8Array(good), 15), /declares 4×4 pixels, more than the 15/);
  await assert.rejects(decodePngRgba(new Uint8Array(8), 100), /no PNG signature/);
});
