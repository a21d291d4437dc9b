/**
 * Hostile inputs to the readers this round added: Fashion-MNIST's IDX files (src/data/fmnist.ts through
 * idx-files.ts) and a validation split of the user's own (--val-data, src/data/validation-data.ts). Each is one line,
 * a non-zero exit, within 5 s of CPU and 500 MB, and leaves the input folder as it was.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { refusedCheaply } from '../helpers/cli-run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const top = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-hard-data-'));
process.on('exit', () => fs.rmSync(top, { recursive: true, force: true }));
const quick = ['--n-epochs', '1', '--ae-n-epochs', '1', '--backend', 'wasm'];

/** a copy of the Fashion-MNIST fixture folder with `file` replaced by `bytes` */
function fmnistWith(name: string, file: string, bytes: (orig: Buffer) => Buffer): string {
  const dir = path.join(top, name);
  fs.cpSync(path.join(root, 'test/fixtures/fmnist/fashion-mnist'), dir, { recursive: true });
  fs.writeFileSync(path.join(dir, file), bytes(fs.readFileSync(path.join(dir, file))));
  return dir;
}

test('Fashion-MNIST: a truncated gzip, a truncated raw IDX file and an IDX header claiming 2^31 images are refused in one line', () => {
  const gz = fmnistWith('gz', 'train-images-idx3-ubyte.gz', (b) => b.subarray(0, b.length >> 1));
  refusedCheaply(['train', '--dataset', 'fmnist', '--data-dir', gz, ...quick, '--xp-dir', path.join(top, 'xp-gz')], /train-images-idx3-ubyte\.gz: .*cannot be decompressed/, gz);
  const raw = fmnistWith('raw', 't10k-images-idx3-ubyte', (b) => b.subarray(0, 16 + 100));
  refusedCheaply(['train', '--dataset', 'fmnist', '--data-dir', raw, ...quick, '--xp-dir', path.join(top, 'xp-raw')], /t10k-images-idx3-ubyte/, raw);
  const huge = fmnistWith('huge', 't10k-images-idx3-ubyte', (b) => { const h = Buffer.from(b); h.writeUInt32BE(2 ** 31 - 1, 4); return h; });
  refusedCheaply(['train', '--dataset', 'fmnist', '--data-dir', huge, ...quick, '--xp-dir', path.join(top, 'xp-huge')], /t10k-images-idx3-ubyte/, huge);
});

test('--val-data: a FIFO, /dev/zero and a table that is not one are refused in one line', () => {
  const dir = path.join(top, 'val');
  fs.mkdirSync(dir);
  const fifo = path.join(dir, 'fifo.csv');
  execFileSync('mkfifo', [fifo]);
  const junk = path.join(dir, 'junk.csv');
  fs.writeFileSync(junk, Buffer.alloc(4096, 0xff));
  const table = ['--dataset', 'table', '--data-file', path.join(root, 'test/fixtures/tables/table.csv'), '--label-column', 'class', '--normal', 'normal', '--threshold', 'f1'];
  refusedCheaply(['train', ...table, '--val-data', fifo, ...quick, '--xp-dir', path.join(top, 'xp-fifo')], /fifo\.csv: .*FIFO/, dir);
  refusedCheaply(['train', ...table, '--val-data', '/dev/zero', ...quick, '--xp-dir', path.join(top, 'xp-zero')], /\/dev\/zero/, dir);
  refusedCheaply(['train', ...table, '--val-data', junk, ...quick, '--xp-dir', path.join(top, 'xp-junk')], /junk\.csv/, dir);
});
