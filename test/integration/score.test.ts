/**
 * `score` end to end: train a tiny MNIST model in-process, then score the run's own test images (as an IDX file and
 * as PNGs) and check that the scores equal the ones the training run recorded in results.json.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { selectBackend } from '../../src/backend/select.js';
import { buildTrainConfig } from '../../src/config/build.js';
import { readIdxFile } from '../../src/data/idx.js';
import { readInputs } from '../../src/data/inputs.js';
import { embeddedMnistDir } from '../../src/data/mnist.js';
import { runTraining } from '../../src/experiments/train-run.js';
import { scoreInputs, type ScoreResult } from '../../src/experiments/score.js';
import { type TestScore } from '../../src/io/results.js';
import { UserError } from '../../src/util/errors.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const D = 28 * 28;


let tmp: string;
let modelDir: string;
let idxFile: string;
let pngDir: string;
let expected: TestScore[];
let idxResult: ScoreResult;
/** position in the test set of each PNG, by its relative path */
const pngSource: Record<string, number> = { 'a.png': 0, 'c_rgb.png': 2, 'sub/b.png': 1 };

function writeIdx(file: string, images: Uint8Array, n: number, h: number, w: number): void {
  const head = Buffer.alloc(16);
  head.writeUInt32BE(0x803, 0);
  head.writeUInt32BE(n, 4);
  head.writeUInt32BE(h, 8);
  head.writeUInt32BE(w, 12);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(images.buffer, images.byteOffset, images.byteLength)]));
}

function writePng(file: string, gray: Uint8Array, rgb: boolean): void {
  const png = new PNG({ width: 28, height: 28 });
  if (rgb) {
    png.data = Buffer.alloc(D * 3);
    for (let p = 0; p < D; p++) png.data[3 * p] = png.data[3 * p + 1] = png.data[3 * p + 2] = gray[p];
  } else {
    png.data = Buffer.from(gray);
  }
  const type = rgb ? 2 : 0;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, PNG.sync.write(png, { colorType: type, inputColorType: type, bitDepth: 8 }));
}

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'score', ...args], { encoding: 'utf8', env: { ...process.env, DEEP_SVDD_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertOneLineError(r: { status: number | null; stderr: string }, pattern: RegExp): void {
  assert.notEqual(r.status, 0);
  const lines = r.stderr.trim().split('\n');
  const err = lines.filter((l) => !l.startsWith('deep-svdd: using backend'));
  assert.equal(err.length, 1, `expected one error line, got:\n${r.stderr}`);
  assert.match(err[0], /^deep-svdd: /);
  assert.match(err[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('score', () => {
  before(async () => {
    await selectBackend({ backend: 'wasm', device: 'cpu', threads: 1 });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-score-'));
    const run = path.join(tmp, 'run');
    const cfg = buildTrainConfig({
      dataset: 'mnist', normal: '0', nTrain: '200', nTest: '100', nEpochs: '1', aeNEpochs: '1', batchSize: '100',
      xpDir: run, force: '1', backend: 'wasm',
    });
    const { results } = await runTraining(cfg, { quiet: true });
    assert.equal(results.status, 'finished');
    modelDir = path.join(run, 'model');
    expected = results.test_scores as TestScore[];
    assert.equal(expected.length, 100);

    // the run's test images, in the run's order, as a small IDX file
    const all = readIdxFile(path.join(embeddedMnistDir(), 't10k-images-idx3-ubyte'));
    const picked = new Uint8Array(expected.length * D);
    expected.forEach((t, i) => picked.set(all.data.subarray(t.index * D, (t.index + 1) * D), i * D));
    idxFile = path.join(tmp, 'picked-idx3-ubyte');
    writeIdx(idxFile, picked, expected.length, 28, 28);

    pngDir = path.join(tmp, 'pngs');
    for (const [rel, pos] of Object.entries(pngSource)) {
      writePng(path.join(pngDir, rel), picked.subarray(pos * D, (pos + 1) * D), rel.includes('rgb'));
    }
    fs.writeFileSync(path.join(pngDir, 'notes.txt'), 'not an image');
    fs.mkdirSync(path.join(tmp, 'empty', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'empty', 'sub', 'readme.txt'), 'no pngs here');

    idxResult = scoreInputs({ modelDir, input: idxFile, batchSize: 1000 });
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('IDX input: exactly the scores of the training run, same order', (t) => {
    assert.equal(idxResult.ids.length, expected.length);
    assert.deepEqual(idxResult.ids, expected.map((_, i) => String(i)));
    let maxDiff = 0;
    expected.forEach((e, i) => { maxDiff = Math.max(maxDiff, Math.abs(idxResult.scores[i] - e.score)); });
    t.diagnostic(`max |score − results.json score| = ${maxDiff}`);
    assert.equal(maxDiff, 0);
    expected.forEach((e, i) => assert.equal(idxResult.anomalies[i], e.score > idxResult.meta.threshold ? 1 : 0));
    assert.equal(idxResult.meta.threshold, 0);
  });

  test('smaller batches give the same scores', () => {
    const r = scoreInputs({ modelDir, input: idxFile, batchSize: 7 });
    assert.deepEqual(Array.from(r.scores), Array.from(idxResult.scores));
  });

  test('gzip-compressed IDX input', () => {
    const gz = `${idxFile}.gz`;
    fs.writeFileSync(gz, gzipSync(fs.readFileSync(idxFile)));
    assert.deepEqual(Array.from(scoreInputs({ modelDir, input: gz }).scores), Array.from(idxResult.scores));
  });

  test('PNG folder (gray, RGB, nested): sorted by relative path, same scores as the IDX file', (t) => {
    const r = scoreInputs({ modelDir, input: pngDir });
    assert.deepEqual(r.ids, ['a.png', 'c_rgb.png', 'sub/b.png']);
    let maxDiff = 0;
    r.ids.forEach((id, i) => { maxDiff = Math.max(maxDiff, Math.abs(r.scores[i] - idxResult.scores[pngSource[id]])); });
    t.diagnostic(`max |PNG score − IDX score| = ${maxDiff}`);
    assert.equal(maxDiff, 0);
  });

  test('single PNG file', () => {
    const r = scoreInputs({ modelDir, input: path.join(pngDir, 'sub', 'b.png') });
    assert.deepEqual(r.ids, ['b.png']);
    assert.equal(r.scores[0], idxResult.scores[1]);
  });

  test('PNG pixels at 28×28 pass through unchanged (resize is the identity)', () => {
    const imgs = readInputs(pngDir, { height: 28, width: 28, channels: 1 });
    const idx = readInputs(idxFile, { height: 28, width: 28, channels: 1 });
    imgs.ids.forEach((id, i) => {
      const pos = pngSource[id];
      assert.deepEqual(imgs.pixels.subarray(i * D, (i + 1) * D), idx.pixels.subarray(pos * D, (pos + 1) * D));
    });
  });

  test('RGBA PNG of another size: alpha dropped, converted to gray and resized (half-pixel bilinear)', () => {
    // 56×56 RGBA made of 2×2 blocks; halving averages each block, so every output pixel is one block's luma
    const png = new PNG({ width: 56, height: 56 });
    for (let y = 0; y < 56; y++) {
      for (let x = 0; x < 56; x++) {
        const o = (y * 56 + x) * 4;
        const v = ((x >> 1) * 9 + (y >> 1) * 5) % 256;
        png.data[o] = v; png.data[o + 1] = 255 - v; png.data[o + 2] = 0; png.data[o + 3] = (x * 7) % 256;
      }
    }
    const file = path.join(tmp, 'rgba56.png');
    fs.writeFileSync(file, PNG.sync.write(png));
    const r = readInputs(file, { height: 28, width: 28, channels: 1 });
    assert.equal(r.n, 1);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const v = (x * 9 + y * 5) % 256;
        assert.equal(r.pixels[y * 28 + x], Math.round(0.299 * v + 0.587 * (255 - v)));
      }
    }
    // gray IDX for a 3-channel 28×28 model: replicated
    const rgb = readInputs(idxFile, { height: 28, width: 28, channels: 3 });
    const gray = readInputs(idxFile, { height: 28, width: 28, channels: 1 });
    assert.equal(rgb.pixels.length, 3 * gray.pixels.length);
    for (let i = 0; i < gray.pixels.length; i += 97) assert.deepEqual(Array.from(rgb.pixels.subarray(3 * i, 3 * i + 3)), [gray.pixels[i], gray.pixels[i], gray.pixels[i]]);
  });

  test('CLI: writes id,score,anomaly and a summary line', () => {
    const out = path.join(tmp, 'out', 'scores.csv');
    const r = runCli(['--model', modelDir, '--input', idxFile, '--out', out, '--backend', 'wasm']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /using backend wasm/);
    const flagged = expected.filter((e) => e.score > 0).length;
    assert.match(r.stderr, new RegExp(`scored 100 inputs, ${flagged} flagged`));
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'id,score,anomaly');
    assert.equal(lines.length, 101);
    lines.slice(1).forEach((line, i) => {
      const [id, score, anomaly] = line.split(',');
      assert.equal(id, String(i));
      assert.equal(Number(score), expected[i].score);
      assert.equal(anomaly, expected[i].score > 0 ? '1' : '0');
    });
  });

  test('CLI on another backend (cpu) than the one that trained (wasm): same scores up to float rounding', (t) => {
    const out = path.join(tmp, 'cpu.csv');
    const r = runCli(['--model', modelDir, '--input', pngDir, '--out', out, '--backend', 'cpu']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /using backend cpu/);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    assert.deepEqual(rows.map((row) => row[0]), ['a.png', 'c_rgb.png', 'sub/b.png']);
    let maxDiff = 0;
    for (const [id, score] of rows) maxDiff = Math.max(maxDiff, Math.abs(Number(score) - idxResult.scores[pngSource[id]]));
    t.diagnostic(`cpu vs wasm: max |score difference| = ${maxDiff}`);
    assert.ok(maxDiff < 1e-5, `cpu and wasm scores differ by ${maxDiff}`);
  });

  test('CLI errors: one line, exit code ≠ 0, no stack trace', () => {
    const out = path.join(tmp, 'err.csv');
    assertOneLineError(runCli(['--model', path.join(tmp, 'nope'), '--input', idxFile, '--out', out, '--backend', 'wasm']), /model folder not found/);
    assertOneLineError(runCli(['--model', modelDir, '--input', path.join(tmp, 'empty'), '--out', out, '--backend', 'wasm']), /no \.png images/);
    assert.equal(fs.existsSync(out), false);
  });

  test('validation errors name the problem', () => {
    const err = (f: () => unknown, pattern: RegExp) => assert.throws(f, (e: unknown) => e instanceof UserError && pattern.test(e.message) && !e.message.includes('\n'));
    // run folder instead of model folder
    err(() => scoreInputs({ modelDir: path.dirname(modelDir), input: idxFile }), /is a run folder.*--model .*model/);
    // input missing
    err(() => scoreInputs({ modelDir, input: path.join(tmp, 'missing.png') }), /missing\.png: not found/);
    // IDX of another image size: both sizes named
    const big = path.join(tmp, 'big-idx3-ubyte');
    writeIdx(big, new Uint8Array(2 * 32 * 32), 2, 32, 32);
    err(() => scoreInputs({ modelDir, input: big }), /32×32 pixels.*28×28/);
    // undecodable PNG: named
    const bad = path.join(tmp, 'bad');
    fs.mkdirSync(bad);
    fs.copyFileSync(path.join(pngDir, 'a.png'), path.join(bad, 'good.png'));
    fs.writeFileSync(path.join(bad, 'broken.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
    err(() => scoreInputs({ modelDir, input: bad }), /broken\.png: cannot decode/);
    // unknown file type: lists what is supported
    const txt = path.join(tmp, 'data_batch_1.bin');
    fs.writeFileSync(txt, Buffer.alloc(100, 7));
    err(() => scoreInputs({ modelDir, input: txt }), /CIFAR-10 batch files are not supported yet.*IDX.*png/);
    const other = path.join(tmp, 'other.dat');
    fs.writeFileSync(other, 'hello');
    err(() => scoreInputs({ modelDir, input: other }), /unknown file type.*IDX.*png/);

    // damaged model folders
    const copy = (name: string) => {
      const dir = path.join(tmp, name);
      fs.cpSync(modelDir, dir, { recursive: true });
      return dir;
    };
    const noMeta = copy('m-nometa');
    fs.rmSync(path.join(noMeta, 'model.json'));
    err(() => scoreInputs({ modelDir: noMeta, input: idxFile }), /model\.json not found/);
    const v2 = copy('m-v2');
    const meta = JSON.parse(fs.readFileSync(path.join(v2, 'model.json'), 'utf8'));
    fs.writeFileSync(path.join(v2, 'model.json'), JSON.stringify({ ...meta, version: 2 }));
    err(() => scoreInputs({ modelDir: v2, input: idxFile }), /version 2/);
    const noBin = copy('m-nobin');
    fs.rmSync(path.join(noBin, 'weights.bin'));
    err(() => scoreInputs({ modelDir: noBin, input: idxFile }), /weights\.bin not found/);
    for (const cut of [3, 4, -4]) {
      const dir = copy(`m-size${cut}`);
      const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
      fs.writeFileSync(path.join(dir, 'weights.bin'), cut > 0 ? bin.subarray(0, bin.length - cut) : Buffer.concat([bin, Buffer.alloc(-cut)]));
      err(() => scoreInputs({ modelDir: dir, input: idxFile }), /weights\.bin has \d+ bytes but model\.json lists/);
    }
  });
});
