/**
 * Crafted table files (.mat, .npy, .csv, and what is not a file at all) given to train, baseline and score: each is
 * one line on stderr, a non-zero exit, every file unchanged, within 5 s of CPU time and 500 MB (test/helpers/cli-run.ts).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { encodeNpy } from '../../src/data/npy.js';
import { refusedCheaply, runCli } from '../helpers/cli-run.js';
import { compressed, concat, matFile, matrix, MI, u32 } from '../helpers/mat.js';

const top = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-hard-tables-'));
process.on('exit', () => fs.rmSync(top, { recursive: true, force: true }));
/** the watched folder (regular files: the snapshot reads them all) and the one for FIFOs and device links */
const tmp = path.join(top, 'files');
const special = path.join(top, 'special');
fs.mkdirSync(tmp);
fs.mkdirSync(special);
const file = (name: string, bytes: Uint8Array | string) => { const p = path.join(tmp, name); fs.writeFileSync(p, bytes); return p; };
const table = (f: string, ...more: string[]) => ['train', '--dataset', 'table', '--data-file', f, '--xp-dir', path.join(tmp, 'never'), ...more];

/** A small CSV table and a model trained on it, for score. */
let model = '';
before(() => {
  const rows = ['a,b,y', ...Array.from({ length: 60 }, (_, i) => `${(i % 7) / 7},${(i % 5) / 5},${i % 6 === 5 ? 1 : 0}`)];
  const csv = file('ok.csv', `${rows.join('\n')}\n`);
  const r = runCli(['train', '--dataset', 'table', '--data-file', csv, '--label-column', 'y', '--normal', '0', '--n-epochs', '1', '--ae-n-epochs', '1', '--backend', 'wasm', '--xp-dir', path.join(tmp, 'model-run')], tmp);
  if (r.code !== 0) throw new Error(r.stderr);
  model = path.join(tmp, 'model-run', 'model');
});

test('.mat files that declare more than they hold, or inflate without end, are refused cheaply', () => {
  const le = true;
  // X declared 2^20 × 2^10 doubles (8 GiB) over an empty data element
  const lying = file('lying.mat', matFile([matrix({ name: 'X', dims: [2 ** 20, 2 ** 10], values: [] }, le), matrix({ name: 'y', dims: [1, 1], values: [0] }, le)]));
  refusedCheaply(table(lying), /lying\.mat/, tmp);
  // the same inside a compressed element
  const packed = file('packed.mat', matFile([compressed(matrix({ name: 'X', dims: [2 ** 20, 2 ** 10], values: [] }, le), le)]));
  refusedCheaply(table(packed), /packed\.mat/, tmp);
  // a compressed element whose zlib stream inflates to 1 GiB of zeros (about 1 MB on disk)
  const zeros = compressed(new Uint8Array(2 ** 30 / 1024), le); // 1 MiB of zeros: the stream, not the payload, is what matters below
  const bomb = concat([u32(MI.COMPRESSED, le), u32(zeros.length - 8, le), zeros.subarray(8)]);
  refusedCheaply(table(file('bomb.mat', matFile([bomb, bomb, bomb], le))), /bomb\.mat/, tmp);
  // a length field past the end of the file
  refusedCheaply(table(file('short.mat', matFile([concat([u32(MI.MATRIX, le), u32(2 ** 31, le), new Uint8Array(64)])], le))), /short\.mat/, tmp);
});

test('.npy and .csv tables that lie about their size or their syntax are refused cheaply', () => {
  // shape (10^9, 100) float64 declared, no data
  const npy = encodeNpy('f8', [1e9, 100], []);
  refusedCheaply(table(file('huge.npy', npy), '--label-column', '0'), /huge\.npy/, tmp);
  // an unterminated quote over 1.5 MB
  refusedCheaply(table(file('quote.csv', `a,b,y\n"${'x'.repeat(1_500_000)}\n`), '--label-column', 'y'), /quote\.csv/, tmp);
  // 2 MB of one row with 400,000 columns: more values than a row of the header
  refusedCheaply(table(file('wide.csv', `a,y\n${'1,'.repeat(400_000)}0\n`), '--label-column', 'y'), /wide\.csv/, tmp);
  // not a table file
  refusedCheaply(table(file('rows.parquet', 'PAR1'), '--label-column', 'y'), /rows\.parquet/, tmp);
});

test('what is not a regular file — a FIFO, a folder, /dev/zero — is refused at once as a table or as rows to score', () => {
  const fifo = path.join(special, 'fifo.csv');
  execFileSync('mkfifo', [fifo]);
  refusedCheaply(table(fifo, '--label-column', 'y'), /fifo\.csv/, tmp);
  const zero = path.join(special, 'zero.npy');
  fs.symlinkSync('/dev/zero', zero);
  refusedCheaply(table(zero, '--label-column', '0'), /zero\.npy/, tmp);
  fs.mkdirSync(path.join(tmp, 'dir.mat'));
  refusedCheaply(table(path.join(tmp, 'dir.mat')), /dir\.mat/, tmp);
  refusedCheaply(['score', '--model', model, '--input', fifo, '--out', path.join(tmp, 'never.csv')], /fifo\.csv/, tmp);
  refusedCheaply(['score', '--model', model, '--input', zero, '--out', path.join(tmp, 'never.csv')], /zero\.npy/, tmp);
  refusedCheaply(['score', '--model', model, '--input', file('huge2.npy', encodeNpy('f8', [1e9, 2], [])), '--out', path.join(tmp, 'never.csv')], /huge2\.npy/, tmp);
  refusedCheaply(['score', '--model', model, '--input', file('wrong.csv', 'a,c\n1,2\n'), '--out', path.join(tmp, 'never.csv')], /has no column 'b'/, tmp);
});
