/**
 * `deep-svdd data fetch` against a local HTTP server (127.0.0.1, never the internet): downloads, MD5 checks, resume,
 * servers that ignore Range, redirects, mirrors, errors, and the data folder left as it was after a failure.
 * Fixture MD5s differ from the published ones, so success cases call fetchDataset with their own source; the CLI is
 * run only for failures and the "already there" case.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { c as tarCreate, x as tarExtract } from 'tar';
import { loadCifar10 } from '../../src/data/cifar10.js';
import { CIFAR10_ARCHIVES, cifar10Source } from '../../src/data/cifar10.js';
import { fetchDataset, type FetchSource } from '../../src/data/fetch.js';
import { mnistSource } from '../../src/data/mnist.js';
import { loadMnist } from '../../src/data/mnist.js';
import { UserError } from '../../src/util/errors.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-fetch-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const quiet = { progress: 'none' as const, log: () => {}, timeoutMs: 5000 };

// ---- fixtures --------------------------------------------------------------------------------------------------

const MNIST_NAMES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const files = new Map<string, Buffer>();

function idx(magic: number, dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

function fakeMnist(n: number, seed: number): [Buffer, Buffer] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const images = new Uint8Array(n * 784).map(rnd);
  const labels = new Uint8Array(n).map((_, i) => i % 10);
  return [zlib.gzipSync(idx(0x803, [n, 28, 28], images)), zlib.gzipSync(idx(0x801, [n], labels))];
}

let cifarArchive: Buffer;
/** what the packed fixture folder holds, read when the archive is made */
let cifarRef: { train: number; test: number; labels: number[] };

function sameAsFixture(dir: string): void {
  const d = loadCifar10(dir);
  assert.equal(d.train.n, cifarRef.train);
  assert.equal(d.test.n, cifarRef.test);
  assert.deepEqual([...d.train.labels], cifarRef.labels);
}

// ---- server ------------------------------------------------------------------------------------------------------

type Mode = 'normal' | 'truncate' | 'ignore-range' | 'hang' | 'endless' | 'announce-more';
const modes = new Map<string, Mode>();
const requests: { path: string; range?: string; status: number }[] = [];
let server: http.Server;
let base: string;
let closedPort: number;

function serve(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = decodeURIComponent(req.url ?? '/');
  const range = req.headers.range;
  const note = (status: number) => requests.push({ path: url, range, status });
  if (url.startsWith('/redirect/')) {
    note(302);
    res.writeHead(302, { Location: url.slice('/redirect'.length) }).end();
    return;
  }
  const body = files.get(url);
  if (!body) {
    note(404);
    res.writeHead(404).end('not found');
    return;
  }
  const mode = modes.get(url) ?? 'normal';
  if (mode === 'hang') {
    note(0);
    return; // never answers
  }
  if (mode === 'endless') {
    // the file, then zeros without Content-Length: "for ever" to the client (64 MiB, thousands of times the
    // file, so that a client without the limit ends too)
    note(200);
    res.writeHead(200);
    res.write(body);
    const zeros = Buffer.alloc(64 * 1024);
    let left = 1024;
    const more = () => {
      while (!res.destroyed && left > 0) { left--; if (!res.write(zeros)) return; }
      if (left === 0 && !res.destroyed) res.end();
    };
    res.on('drain', more);
    res.on('close', () => res.off('drain', more));
    more();
    return;
  }
  if (mode === 'announce-more') {
    note(200);
    res.writeHead(200, { 'Content-Length': 10 * body.length });
    res.end(Buffer.concat(Array.from({ length: 10 }, () => body)));
    return;
  }
  if (mode === 'truncate') {
    modes.delete(url); // once
    note(200);
    res.writeHead(200, { 'Content-Length': body.length });
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
    return;
  }
  const m = /^bytes=(\d+)-$/.exec(range ?? '');
  if (m && mode !== 'ignore-range') {
    const start = Number(m[1]);
    if (start >= body.length) {
      note(416);
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
      return;
    }
    note(206);
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`, 'Content-Length': body.length - start });
    res.end(body.subarray(start));
    return;
  }
  note(200);
  res.writeHead(200, { 'Content-Length': body.length });
  res.end(body);
}

before(async () => {
  const [trainImages, trainLabels] = fakeMnist(30, 1);
  const [testImages, testLabels] = fakeMnist(20, 2);
  for (const [name, buf] of [[MNIST_NAMES[0], trainImages], [MNIST_NAMES[1], trainLabels], [MNIST_NAMES[2], testImages], [MNIST_NAMES[3], testLabels]] as const) {
    files.set(`/mnist/${name}`, buf);
  }
  const archive = path.join(tmp, 'cifar-10-python.tar.gz');
  await tarCreate({ gzip: true, file: archive, cwd: path.join(root, 'test/fixtures/cifar10'), portable: true }, ['cifar-10-batches-py']);
  cifarArchive = fs.readFileSync(archive);
  const check = path.join(tmp, 'ref');
  fs.mkdirSync(check);
  await tarExtract({ file: archive, cwd: check });
  const ref = loadCifar10(check);
  cifarRef = { train: ref.train.n, test: ref.test.n, labels: [...ref.train.labels] };
  assert.ok(cifarRef.train > 0 && cifarRef.test > 0);
  files.set('/cifar/cifar-10-python.tar.gz', cifarArchive);
  files.set('/cifar/not-cifar.tar.gz', zlib.gzipSync(Buffer.alloc(1024)));

  server = http.createServer(serve);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});

after(() => {
  server.closeAllConnections();
  server.close();
});

// ---- helpers -----------------------------------------------------------------------------------------------------

function cifarTest(urls: string[], md5sum = md5(cifarArchive)): FetchSource {
  return {
    title: 'CIFAR-10',
    files: [{ name: 'cifar-10-python.tar.gz', md5: md5sum, size: cifarArchive.length, urls }],
    extract: { folder: 'cifar-10-batches-py', expect: ['data_batch_1', 'data_batch_2', 'test_batch', 'batches.meta'] },
  };
}

function mnistTest(urlBase: string): FetchSource {
  return { title: 'MNIST', files: MNIST_NAMES.map((name) => ({ name, md5: md5(files.get(`/mnist/${name}`)!), size: files.get(`/mnist/${name}`)!.length, urls: [`${urlBase}/${name}`] })) };
}

/** Every path under `dir` (recursive), sorted; `.partial` left out unless asked. */
function listing(dir: string, withPartial = false): string[] {
  if (!fs.existsSync(dir)) return ['<missing>'];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((p) => p.split(path.sep).join('/'))
    .filter((p) => withPartial || !p.startsWith('.partial'))
    .sort();
}

async function rejectsUser(p: Promise<unknown>, pattern: RegExp): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${(e as Error).stack}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e;
  }
  assert.fail('expected a rejection');
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: tmp, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

function assertOneLineError(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.notEqual(r.code, 0);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `stderr should be one line, got:\n${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
}

// ---- success -----------------------------------------------------------------------------------------------------

test('cifar10: download, MD5, extraction in place; loadCifar10 reads it; a second run does nothing; --force fetches again', async () => {
  const dir = path.join(tmp, 'c-ok');
  const lines: string[] = [];
  const r = await fetchDataset(cifarTest([`${base}/cifar/cifar-10-python.tar.gz`]), { ...quiet, log: (l) => lines.push(l), dir });
  assert.equal(r.status, 'fetched');
  assert.deepEqual(fs.readdirSync(dir), ['cifar-10-batches-py'], 'no archive, .partial or temporary folder left');
  sameAsFixture(dir);
  assert.ok(lines.some((l) => /MD5 .* is correct/.test(l)));

  const n = requests.length;
  const again = await fetchDataset(cifarTest([`${base}/cifar/cifar-10-python.tar.gz`]), { ...quiet, dir });
  assert.equal(again.status, 'present');
  assert.equal(requests.length, n, 'no request when already there');

  fs.writeFileSync(path.join(dir, 'cifar-10-batches-py', 'marker'), 'old');
  const forced = await fetchDataset(cifarTest([`${base}/cifar/cifar-10-python.tar.gz`]), { ...quiet, dir, force: true });
  assert.equal(forced.status, 'fetched');
  assert.ok(!fs.existsSync(path.join(dir, 'cifar-10-batches-py', 'marker')), 'the old folder is replaced');
  assert.deepEqual(fs.readdirSync(dir), ['cifar-10-batches-py']);
});

test('mnist: four files from a base URL; loadMnist reads them; a damaged file alone is downloaded again', async () => {
  const dir = path.join(tmp, 'm-ok');
  const r = await fetchDataset(mnistTest(`${base}/mnist`), { ...quiet, dir });
  assert.equal(r.status, 'fetched');
  assert.deepEqual(fs.readdirSync(dir).sort(), [...MNIST_NAMES].sort());
  const m = loadMnist(dir, true);
  assert.equal(m.train.n, 30);
  assert.equal(m.test.n, 20);

  const n = requests.length;
  assert.equal((await fetchDataset(mnistTest(`${base}/mnist`), { ...quiet, dir })).status, 'present');
  assert.equal(requests.length, n);

  fs.writeFileSync(path.join(dir, MNIST_NAMES[2]), 'damaged');
  assert.equal((await fetchDataset(mnistTest(`${base}/mnist`), { ...quiet, dir })).status, 'fetched');
  assert.deepEqual(requests.slice(n).map((q) => q.path), [`/mnist/${MNIST_NAMES[2]}`]);
  assert.equal(loadMnist(dir, true).test.n, 20);
});

test('mnistSource / cifar10Source: base URLs, file URLs, local paths, published MD5s', () => {
  const s = mnistSource(['http://h/a', 'http://h/b/']);
  assert.deepEqual(s.files[0].urls, ['http://h/a/train-images-idx3-ubyte.gz', 'http://h/b/train-images-idx3-ubyte.gz']);
  assert.equal(s.files[3].md5, 'ec29112dd5afa0611ce80d1b7f02629c');
  const d = mnistSource();
  assert.equal(d.files[0].urls[0], 'https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz');
  assert.equal(d.files[0].urls[1], 'http://yann.lecun.com/exdb/mnist/train-images-idx3-ubyte.gz');
  assert.throws(() => mnistSource(['http://h/train-images-idx3-ubyte.gz']), /no source for train-labels-idx1-ubyte.gz/);
  const c = cifar10Source('python', ['/some/copy.tar.gz', 'http://m/']);
  assert.equal(c.files[0].urls[0], pathToFileURL('/some/copy.tar.gz').href);
  assert.equal(c.files[0].urls[1], 'http://m/cifar-10-python.tar.gz');
  assert.equal(cifar10Source('binary').files[0].md5, CIFAR10_ARCHIVES.binary.md5);
  assert.equal(cifar10Source().files[0].md5, 'c58f30108f718f92721af3b95e74349a');
  assert.throws(() => cifar10Source('python', ['ftp://x/y']), /ftp URLs are not supported/);
});

test('redirects are followed; a failing mirror moves on to the next; file:// and plain paths work', async () => {
  const dir = path.join(tmp, 'c-redirect');
  await fetchDataset(cifarTest([`${base}/nowhere/cifar-10-python.tar.gz`, `${base}/redirect/cifar/cifar-10-python.tar.gz`]), { ...quiet, dir });
  sameAsFixture(dir);

  const copy = path.join(tmp, 'copy.tar.gz');
  fs.writeFileSync(copy, cifarArchive);
  const d2 = path.join(tmp, 'c-file');
  await fetchDataset(cifarTest([pathToFileURL(copy).href]), { ...quiet, dir: d2 });
  sameAsFixture(d2);
  const d3 = path.join(tmp, 'c-path');
  await fetchDataset(cifarSourceFromPath(copy), { ...quiet, dir: d3 });
  assert.deepEqual(fs.readdirSync(d3), ['cifar-10-batches-py']);
});

function cifarSourceFromPath(p: string): FetchSource {
  const s = cifar10Source('python', [p]);
  return { ...cifarTest(s.files[0].urls), title: s.title };
}

// ---- resume ------------------------------------------------------------------------------------------------------

test('a truncated download fails, keeps .partial, and the rerun resumes it with Range', async () => {
  const dir = path.join(tmp, 'c-trunc');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'keep.txt'), 'x');
  const before = listing(dir);
  modes.set('/cifar/cifar-10-python.tar.gz', 'truncate');
  await rejectsUser(fetchDataset(cifarTest([`${base}/cifar/cifar-10-python.tar.gz`]), { ...quiet, dir }), /cannot download cifar-10-python.tar.gz from .*connection closed.*the same command resumes/);
  assert.deepEqual(listing(dir), before, 'nothing but .partial changed');
  const part = path.join(dir, '.partial', 'cifar-10-python.tar.gz.part');
  const have = fs.statSync(part).size;
  assert.ok(have > 0 && have < cifarArchive.length, `partial size ${have}`);

  const n = requests.length;
  await fetchDataset(cifarTest([`${base}/cifar/cifar-10-python.tar.gz`]), { ...quiet, dir });
  assert.deepEqual(requests.slice(n), [{ path: '/cifar/cifar-10-python.tar.gz', range: `bytes=${have}-`, status: 206 }]);
  assert.deepEqual(listing(dir, true).filter((p) => !p.includes('/')), ['cifar-10-batches-py', 'keep.txt']);
  sameAsFixture(dir);
});

test('a server that ignores Range (200) makes the download restart from the beginning', async () => {
  const dir = path.join(tmp, 'm-norange');
  const name = MNIST_NAMES[0];
  fs.mkdirSync(path.join(dir, '.partial'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.partial', `${name}.part`), files.get(`/mnist/${name}`)!.subarray(0, 1000));
  modes.set(`/mnist/${name}`, 'ignore-range');
  const lines: string[] = [];
  const n = requests.length;
  try {
    await fetchDataset(mnistTest(`${base}/mnist`), { ...quiet, log: (l) => lines.push(l), dir });
  } finally {
    modes.delete(`/mnist/${name}`);
  }
  assert.deepEqual(requests[n], { path: `/mnist/${name}`, range: 'bytes=1000-', status: 200 });
  assert.ok(lines.some((l) => /ignores resume requests/.test(l)));
  assert.deepEqual(fs.readdirSync(dir).sort(), [...MNIST_NAMES].sort());
  assert.equal(loadMnist(dir, true).train.n, 30);
});

test('a complete .part (server answers 416) and a verified earlier download are used without downloading again', async () => {
  const dir = path.join(tmp, 'c-416');
  fs.mkdirSync(path.join(dir, '.partial'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.partial', 'cifar-10-python.tar.gz.part'), cifarArchive);
  const n = requests.length;
  await fetchDataset(cifarTest([`${base}/cifar/cifar-10-python.tar.gz`]), { ...quiet, dir });
  assert.deepEqual(requests.slice(n).map((q) => q.status), [416]);
  assert.deepEqual(fs.readdirSync(dir), ['cifar-10-batches-py']);
});

// ---- failures ----------------------------------------------------------------------------------------------------

test('a wrong checksum is a UserError naming the file, both MD5s and the fix; the folder is unchanged', async () => {
  const dir = path.join(tmp, 'c-md5');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'keep.txt'), 'x');
  const before = listing(dir);
  const wrong = '0123456789abcdef0123456789abcdef';
  const e = await rejectsUser(fetchDataset(cifarTest([`${base}/cifar/cifar-10-python.tar.gz`], wrong), { ...quiet, dir }),
    new RegExp(`cifar-10-python.tar.gz has MD5 ${md5(cifarArchive)}, expected ${wrong} .*--url`));
  assert.equal(e.exitCode, 2);
  assert.deepEqual(listing(dir), before);
  assert.deepEqual(listing(dir, true), before, 'a corrupt download is not kept');

  const fresh = path.join(tmp, 'c-md5-new');
  await rejectsUser(fetchDataset(cifarTest([`${base}/cifar/cifar-10-python.tar.gz`], wrong), { ...quiet, dir: fresh }), /has MD5/);
  assert.ok(!fs.existsSync(fresh), 'a folder that did not exist is not created');

  // mnist: three good files and one bad one: nothing is moved into the folder
  const m = path.join(tmp, 'm-md5');
  const src = mnistTest(`${base}/mnist`);
  src.files[3].md5 = wrong;
  await rejectsUser(fetchDataset(src, { ...quiet, dir: m }), /t10k-labels-idx1-ubyte.gz has MD5/);
  assert.deepEqual(listing(m), [], 'no MNIST file in the folder');
  assert.equal(fs.readdirSync(path.join(m, '.partial')).length, 3, 'the three verified files wait in .partial');
});

test('an archive without the expected folder is refused and nothing is extracted into the folder', async () => {
  const dir = path.join(tmp, 'c-notcifar');
  const body = files.get('/cifar/not-cifar.tar.gz')!;
  await rejectsUser(fetchDataset(cifarTest([`${base}/cifar/not-cifar.tar.gz`], md5(body)), { ...quiet, dir }), /cannot extract|not the expected archive/);
  assert.ok(!fs.existsSync(dir) || listing(dir).length === 0, listing(dir).join(','));
});

test('404, unreachable host and timeout: one-line UserErrors; a new folder is not created', async () => {
  const d404 = path.join(tmp, 'e404');
  await rejectsUser(fetchDataset(cifarTest([`${base}/missing.tar.gz`]), { ...quiet, dir: d404 }),
    /^cannot download cifar-10-python.tar.gz from http:\/\/127.0.0.1:\d+\/missing.tar.gz: HTTP 404 Not Found; check the network or pass --url/);
  assert.ok(!fs.existsSync(d404));

  const dref = path.join(tmp, 'erefused');
  const t0 = Date.now();
  await rejectsUser(fetchDataset(mnistTest(`http://127.0.0.1:${closedPort}`), { ...quiet, dir: dref }), /cannot download train-images-idx3-ubyte.gz from .*ECONNREFUSED/);
  assert.ok(Date.now() - t0 < 3000);
  assert.ok(!fs.existsSync(dref));

  const dhang = path.join(tmp, 'ehang');
  fs.mkdirSync(dhang);
  modes.set('/cifar/cifar-10-python.tar.gz', 'hang');
  try {
    await rejectsUser(fetchDataset(cifarTest([`${base}/cifar/cifar-10-python.tar.gz`]), { ...quiet, timeoutMs: 300, dir: dhang }), /timed out/);
  } finally {
    modes.delete('/cifar/cifar-10-python.tar.gz');
  }
  assert.deepEqual(listing(dhang, true), []);
});

test('an existing but incomplete batches folder is not touched without --force', async () => {
  const dir = path.join(tmp, 'c-incomplete');
  fs.mkdirSync(path.join(dir, 'cifar-10-batches-py'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'cifar-10-batches-py', 'data_batch_1'), 'x');
  await rejectsUser(fetchDataset(cifarTest([`${base}/cifar/cifar-10-python.tar.gz`]), { ...quiet, dir }), /exists but is incomplete \(missing data_batch_2, test_batch, batches.meta\): pass --force/);
  assert.deepEqual(listing(dir, true), ['cifar-10-batches-py', 'cifar-10-batches-py/data_batch_1']);
});

// ---- the CLI -----------------------------------------------------------------------------------------------------

test('CLI: the default (internet) URL fails fast with one line, exit ≠ 0, and the folder as it was', async () => {
  const fresh = path.join(tmp, 'cli-new');
  const existing = path.join(tmp, 'cli-existing');
  fs.mkdirSync(existing);
  fs.writeFileSync(path.join(existing, 'keep.txt'), 'x');
  const [r, m] = await Promise.all([
    runCli(['data', 'fetch', 'cifar10', '--dir', fresh], { DEEP_SVDD_FETCH_TIMEOUT: '3' }),
    runCli(['data', 'fetch', 'mnist', '--dir', existing], { DEEP_SVDD_FETCH_TIMEOUT: '3' }),
  ]);
  assertOneLineError(r, /^deep-svdd: cannot download cifar-10-python.tar.gz from https:\/\/www.cs.toronto.edu\/~kriz\/cifar-10-python.tar.gz: .*; check the network or pass --url with a mirror or a local copy$/);
  assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
  assert.ok(!fs.existsSync(fresh));

  assertOneLineError(m, /cannot download train-images-idx3-ubyte.gz from https:\/\/ossci-datasets.s3.amazonaws.com\/mnist\/train-images-idx3-ubyte.gz, http:\/\/yann.lecun.com\/exdb\/mnist\/train-images-idx3-ubyte.gz: /);
  assert.deepEqual(listing(existing, true), ['keep.txt']);
});

test('CLI: --url with 404, a wrong MD5 (fixture vs published), an unreachable port; bad arguments', async () => {
  const d = (k: string) => path.join(tmp, `cli-url-${k}`);
  const [r404, rMd5C, rMd5M, rRefused, rName, rEnv] = await Promise.all([
    runCli(['data', 'fetch', 'cifar10', '--dir', d('a'), '--url', `${base}/nothing.tar.gz`]),
    runCli(['data', 'fetch', 'cifar10', '--dir', d('b'), '--url', `${base}/cifar/cifar-10-python.tar.gz`]),
    runCli(['data', 'fetch', 'mnist', '--dir', d('c'), '--url', `${base}/mnist/`]),
    runCli(['data', 'fetch', 'mnist', '--dir', d('d'), '--url', `http://127.0.0.1:${closedPort}/`]),
    runCli(['data', 'fetch', 'svhn']),
    runCli(['data', 'fetch', 'mnist'], { DEEP_SVDD_FETCH_TIMEOUT: 'soon' }),
  ]);
  assertOneLineError(r404, /HTTP 404 Not Found/);
  assertOneLineError(rMd5C, new RegExp(`cifar-10-python.tar.gz has MD5 ${md5(cifarArchive)}, expected c58f30108f718f92721af3b95e74349a`));
  assertOneLineError(rMd5M, /train-images-idx3-ubyte.gz has MD5 [0-9a-f]{32}, expected f68b3c2dcbeaaa9fbdd348bbdeb94873/);
  assertOneLineError(rRefused, /ECONNREFUSED/);
  for (const k of ['a', 'b', 'c', 'd']) assert.ok(!fs.existsSync(d(k)), `${d(k)} created`);
  assertOneLineError(rName, /unknown dataset 'svhn'/);
  assertOneLineError(rEnv, /DEEP_SVDD_FETCH_TIMEOUT=soon is invalid/);
  assert.ok(!fs.existsSync(path.join(tmp, 'data')), 'the default --dir data is not created');
});

test('CLI: data already there: says so, exit 0, no network', async () => {
  const dir = path.join(tmp, 'cli-present');
  fs.mkdirSync(path.join(dir, 'cifar-10-batches-py'), { recursive: true });
  for (const f of CIFAR10_ARCHIVES.python.expect) fs.writeFileSync(path.join(dir, 'cifar-10-batches-py', f), '');
  const r = await runCli(['data', 'fetch', 'cifar10', '--dir', dir], { DEEP_SVDD_FETCH_TIMEOUT: '1' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /CIFAR-10 is already in .*cifar-10-batches-py: nothing to do/);
});

test('a body longer than the file (endless, without Content-Length) is cut off at the file\'s size, a longer Content-Length never read', async () => {
  const url = '/cifar/endless.tar.gz';
  files.set(url, cifarArchive);
  modes.set(url, 'endless');
  const dir = path.join(tmp, 'c-endless');
  const t = Date.now();
  await rejectsUser(fetchDataset(cifarTest([`${base}${url}`]), { ...quiet, dir }),
    new RegExp(`cannot download cifar-10-python.tar.gz from .*: it sent more than the ${cifarArchive.length} bytes of cifar-10-python.tar.gz: not the right file \\(stopped there\\); check the network`));
  assert.ok(Date.now() - t < 10_000, `took ${Date.now() - t} ms`);
  assert.deepEqual(listing(dir, true), ['<missing>'], 'nothing is kept: the folder was new');
  const announce = '/cifar/announce.tar.gz';
  files.set(announce, cifarArchive);
  modes.set(announce, 'announce-more');
  await rejectsUser(fetchDataset(cifarTest([`${base}${announce}`]), { ...quiet, dir }),
    new RegExp(`it announces ${10 * cifarArchive.length} bytes, more than the ${cifarArchive.length} of cifar-10-python.tar.gz: not the right file`));
  assert.deepEqual(listing(dir, true), ['<missing>']);
  // a local source larger than the file
  const big = path.join(tmp, 'big.tar.gz');
  fs.writeFileSync(big, Buffer.concat([cifarArchive, Buffer.alloc(10)]));
  await rejectsUser(fetchDataset(cifarTest([pathToFileURL(big).href]), { ...quiet, dir }), /it announces \d+ bytes, more than the \d+ of cifar-10-python\.tar\.gz/);
  // every published source has a size
  for (const f of [...mnistSource().files, ...cifar10Source('python').files, ...cifar10Source('binary').files]) assert.ok(f.size > 0, f.name);
});
