// Crafted .mat files under 2 MB must fail within 5 s and 500 MB, each with a one-line error. A file of its own, so
// that this process's peak memory (maxRSS) measures these reads alone.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { constants, deflateRawSync, deflateSync } from 'node:zlib';
import { MAT_MAX_BYTES, readMatVariables } from '../../src/data/mat.js';
import { throwsUser } from '../helpers/assert.js';
import { MI, concat, matFile, matrixContent, u32 } from '../helpers/mat.js';

const MB = 1e6;

/**
 * A zlib stream that inflates to `prefix` then `zeros` zero bytes (rounded down to MiB), and then stops: no final
 * block, so inflating it fails at its end. Built from repeated raw-deflate chunks, so the test allocates little.
 */
function zerosStream(prefix: Uint8Array, zeros: number): Uint8Array {
  const flush = { finishFlush: constants.Z_SYNC_FLUSH };
  const chunk = deflateRawSync(Buffer.alloc(2 ** 20), flush);
  const parts = [Uint8Array.from([0x78, 0x9c]), deflateRawSync(prefix, flush)];
  for (let k = 0; k < Math.floor(zeros / 2 ** 20); k++) parts.push(chunk);
  return concat(parts);
}

/** An miCOMPRESSED element holding the zlib stream `z`. */
const compressedElement = (z: Uint8Array) => concat([u32(MI.COMPRESSED, true), u32(z.length, true), z]);

/** The start of an miMATRIX element for a rows×cols double matrix stored as miDOUBLE, up to its values. */
function matrixStart(rows: number, cols: number): Uint8Array {
  const header = matrixContent({ name: 'X', dims: [rows, cols], values: [] }, true).subarray(0, 40); // flags, dims, name
  const values = rows * cols * 8;
  return concat([u32(MI.MATRIX, true), u32(header.length + 8 + values, true), header, u32(MI.DOUBLE, true), u32(values, true)]);
}

/** Asserts that reading `file` (under 2 MB) fails with a one-line error holding `needles`, within 5 s. */
function failsFast(file: Uint8Array, names: string[] | undefined, ...needles: string[]): void {
  assert.ok(file.length < 2 * MB, `crafted file is ${file.length} bytes`);
  const t0 = performance.now();
  throwsUser(() => readMatVariables(file, 'crafted.mat', names), 'crafted.mat', ...needles);
  const s = (performance.now() - t0) / 1000;
  assert.ok(s < 5, `took ${s.toFixed(2)} s`);
}

describe('crafted .mat files fail fast, in bounded memory', () => {
  test('a compressed matrix that fits MAT_MAX_BYTES but whose data stops short (inflates ~128 MB, then fails)', () => {
    const rows = 4000;
    assert.ok(2 * rows * rows * 8 < MAT_MAX_BYTES);
    const file = matFile([compressedElement(zerosStream(matrixStart(rows, rows), rows * rows * 8 - 2 ** 20))]);
    failsFast(file, ['X'], 'cannot be inflated', 'unexpected end of file');
  });

  test('a compressed matrix over MAT_MAX_BYTES is refused before inflating', () => {
    const file = matFile([compressedElement(zerosStream(matrixStart(10000, 10000), 2 ** 20))]);
    failsFast(file, undefined, "variable 'X' (10000×10000 values as float64, inflated first)", 'MAT_MAX_BYTES');
  });

  test('many compressed elements, each inflating to ~1 MB from its first bytes: the peeks are charged too', () => {
    const bomb = compressedElement(zerosStream(new Uint8Array(0), 8 * 2 ** 20).subarray(0, 1024));
    const file = matFile(Array.from({ length: 1900 }, () => bomb));
    failsFast(file, ['X'], 'looking into a compressed variable', 'MAT_MAX_BYTES');
  });

  test('a file of ~100,000 tiny compressed elements: each look counts at least 64 KiB', () => {
    // each holds an empty miINT8 element, not a variable
    const tiny = compressedElement(deflateSync(concat([u32(MI.INT8, true), u32(0, true)])));
    failsFast(matFile(Array.from({ length: Math.floor(1.99 * MB / tiny.length) }, () => tiny)), ['X'], 'looking into a compressed variable', 'MAT_MAX_BYTES');
    failsFast(matFile([compressedElement(deflateRawSync(new Uint8Array(8)))]), ['X'], 'cannot be inflated'); // no zlib header
  });

  test('an uncompressed matrix declaring more bytes than the file holds', () => {
    failsFast(matFile([matrixStart(1e5, 1e5), new Uint8Array(1000)]), ['X'], 'declares', 'only');
  });

  test('the peak memory of this process stayed under 500 MB', (t) => {
    const peak = process.resourceUsage().maxRSS * 1024;
    assert.ok(peak < 500 * MB, `peak memory ${(peak / MB).toFixed(0)} MB`);
    t.diagnostic(`peak memory ${(peak / MB).toFixed(0)} MB`);
  });
});
