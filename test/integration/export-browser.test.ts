/**
 * `deep-svdd export` end to end: tiny MNIST and table models are trained, exported, and the exported page, opened
 * from file:// in headless Chromium, scores PNG files (gray, RGB, gray + alpha, RGBA, 16 bit, other sizes) and CSV
 * rows, and real files dropped onto it and picked in its file input (over the DevTools protocol, test/helpers/cdp.ts);
 * its scores and decisions must be `deep-svdd score`'s within 1e-4, with no console or script error. The
 * TF.js model of the export loads in Node with tf.loadLayersModel from its model.json and weightsManifest. Bad
 * inputs get one-line errors and leave everything as it was.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { PNG } from 'pngjs';
import * as tf from '@tensorflow/tfjs';
import { readIdxFile } from '../../src/data/idx.js';
import { embeddedMnistDir } from '../../src/data/mnist.js';
import { loadModel } from '../../src/io/model.js';
import { PipePage } from '../helpers/cdp.js';
import { chromiumMissing, probePage } from '../helpers/chromium.js';
import { refused, runCli } from '../helpers/cli-run.js';
import { makeRng } from '../../src/util/rng.js';
import { assertClose, useWasm } from '../helpers/tf.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-export-'));
process.on('exit', () => { if (!process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true }); });

interface Row { id: string; score: number; anomaly: number }

/** `deep-svdd score`'s rows for `input`. */
function scoreRows(model: string, input: string, out: string): Row[] {
  const r = runCli(['score', '--model', model, '--input', input, '--out', out, '--backend', 'wasm'], tmp);
  assert.equal(r.code, 0, r.stderr);
  return (parse(fs.readFileSync(out), { columns: true }) as Array<Record<string, string>>).map((x) => ({ id: x.id, score: Number(x.score), anomaly: Number(x.anomaly) }));
}

function exportTo(model: string, out: string): void {
  const r = runCli(['export', '--model', model, '--out', out], tmp);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '', 'nothing on stdout');
  assert.match(r.stderr, /exported the .* model/);
}

/** The page's rows, by id, against score's: scores within 1e-4, the same decisions. */
function sameAsScore(page: { rows: Array<{ id: string; score?: string; anomaly?: string; error?: string }> }, want: Row[]): number {
  assert.equal(page.rows.length, want.length, `one row per input: ${JSON.stringify(page.rows)}`);
  const byId = new Map(page.rows.map((r) => [r.id, r]));
  let maxDiff = 0;
  for (const w of want) {
    const got = byId.get(w.id);
    assert.ok(got && got.error === undefined && got.score !== undefined, `${w.id}: scored in the page (${JSON.stringify(got)})`);
    const diff = Math.abs(Number(got.score) - w.score);
    maxDiff = Math.max(maxDiff, diff);
    assert.ok(diff <= 1e-4, `${w.id}: page ${got.score} vs score ${w.score}`);
    assert.equal(Number(got.anomaly), w.anomaly, `${w.id}: decision`);
  }
  return maxDiff;
}

const PROBE_ROWS = `[...document.querySelectorAll('#results tbody tr')].map((tr) => ({ ...tr.dataset }))`;

/**
 * The page's input files, as the page reads them (name and bytes). Not File objects: under --virtual-time-budget a
 * File's bytes come from the browser process and virtual time runs past them (the budget ends before they arrive).
 */
const INPUT_FILE = `const inputFile = (name, bytes) => ({ name, arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });`;

describe('export', { skip: chromiumMissing && 'no /usr/bin/chromium' }, () => {
  const mnistRun = path.join(tmp, 'mnist');
  const mnistModel = path.join(mnistRun, 'model');
  const mnistWeb = path.join(tmp, 'mnist-web');
  const pngs = path.join(tmp, 'pngs');

  before(() => {
    const r = runCli(['train', '--normal', '0', '--n-train', '200', '--n-test', '50', '--n-epochs', '1', '--ae-n-epochs', '1', '--batch-size', '100', '--backend', 'wasm', '--xp-dir', mnistRun], tmp);
    assert.equal(r.code, 0, r.stderr);
    exportTo(mnistModel, mnistWeb);
    // test images as PNGs of several kinds: gray, RGB, gray + alpha, RGBA (alpha dropped, not composited), 16 bit,
    // larger and smaller (resized), a digit of another class
    const all = readIdxFile(path.join(embeddedMnistDir(), 't10k-images-idx3-ubyte'));
    const digit = (i: number) => all.data.subarray(i * 784, (i + 1) * 784);
    fs.mkdirSync(pngs);
    const write = (name: string, w: number, h: number, gray: (x: number, y: number) => number, colorType: 0 | 2 | 4 | 6, bitDepth: 8 | 16 = 8) => {
      const png = new PNG({ width: w, height: h });
      const rng = makeRng(name.length);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const o = 4 * (y * w + x);
          const v = gray(x, y);
          const tint = colorType === 2 || colorType === 6 ? Math.floor(rng.next() * 40) : 0;
          png.data[o] = v; png.data[o + 1] = Math.min(255, v + tint); png.data[o + 2] = v; png.data[o + 3] = colorType >= 4 ? Math.floor(rng.next() * 256) : 255;
        }
      }
      fs.writeFileSync(path.join(pngs, name), PNG.sync.write(png, { colorType, bitDepth }));
    };
    const at = (i: number) => (x: number, y: number) => digit(i)[y * 28 + x];
    write('gray0.png', 28, 28, at(3), 0);
    write('gray7.png', 28, 28, at(0), 0);
    write('rgb.png', 28, 28, at(10), 2);
    write('gray-alpha.png', 28, 28, at(13), 4);
    write('rgba.png', 28, 28, at(25), 6);
    write('gray16.png', 28, 28, at(1), 0, 16);
    write('big.png', 45, 37, (x, y) => at(28)(Math.floor((x * 28) / 45), Math.floor((y * 28) / 37)), 2);
    write('small.png', 20, 20, (x, y) => at(4)(Math.floor((x * 28) / 20), Math.floor((y * 28) / 20)), 0);
  });

  test('the page scores PNG images as `deep-svdd score` does (within 1e-4, the same decisions), no console error', (t) => {
    const want = scoreRows(mnistModel, pngs, path.join(tmp, 'mnist-scores.csv'));
    assert.equal(want.length, 8);
    const files = fs.readdirSync(pngs).map((name) => ({ name, b64: fs.readFileSync(path.join(pngs, name)).toString('base64') }));
    const page = probePage<{ ready: boolean; rows: Array<{ id: string; score?: string; anomaly?: string; error?: string }>; status: string }>(path.join(mnistWeb, 'index.html'), `${INPUT_FILE}
window.addEventListener('load', async () => {
  const ready = await window.deepSvdd.ready;
  const files = ${JSON.stringify(files)}.map((f) => inputFile(f.name, Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))));
  if (ready) await window.deepSvdd.scoreFiles(files);
  window.__report({ ready, rows: ${PROBE_ROWS}, status: document.getElementById('status').textContent });
});`, path.join(tmp, 'profile'));
    assert.deepEqual(page.errors, [], 'no console or script errors');
    assert.equal(page.ready, true, page.status);
    const maxDiff = sameAsScore(page, want);
    t.diagnostic(`max |page − score| over ${want.length} PNGs: ${maxDiff}`);
    assert.match(page.status, /^Scored 8 inputs: \d+ anomalous/);
  });

  test('real files dropped onto the page and picked in its file input are scored as `deep-svdd score` does', async () => {
    const want = scoreRows(mnistModel, pngs, path.join(tmp, 'mnist-scores-drop.csv'));
    const files = fs.readdirSync(pngs).sort().map((name) => path.join(pngs, name));
    const page = await PipePage.open(path.join(tmp, 'profile-cdp'));
    try {
      await page.goto(path.join(mnistWeb, 'index.html'));
      assert.equal(await page.evaluate('window.deepSvdd.ready'), true);
      const rows = () => page.evaluate<Array<{ id: string; score?: string; anomaly?: string; error?: string }>>(PROBE_ROWS);
      const status = () => page.evaluate<string>(`document.getElementById('status').textContent`);
      // a drag and drop of the files from disk onto the drop zone (the browser reads them: File objects, real bytes)
      await page.dropFiles('#drop', files);
      await page.waitFor(`/^Scored/.test(document.getElementById('status').textContent)`);
      assert.match(await status(), /^Scored 8 inputs/);
      sameAsScore({ rows: await rows() }, want);
      // the file dialog's choice of two of them: their rows are added, scored the same
      await page.pickFiles('#pick', files.slice(0, 2));
      await page.waitFor(`document.querySelectorAll('#results tbody tr').length === 10`);
      assert.match(await status(), /^Scored 2 inputs/);
      sameAsScore({ rows: (await rows()).slice(8) }, want.filter((w) => files.slice(0, 2).some((f) => path.basename(f) === w.id)));
      assert.deepEqual(page.errors, [], 'no console or script errors');
    } finally {
      await page.close();
    }
  });

  test('an unreadable file gets its own row with the reason; the others are scored', () => {
    const good = fs.readFileSync(path.join(pngs, 'gray0.png')).toString('base64');
    const page = probePage<{ rows: Array<{ id: string; score?: string; error?: string }> }>(path.join(mnistWeb, 'index.html'), `${INPUT_FILE}
window.addEventListener('load', async () => {
  await window.deepSvdd.ready;
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const broken = bytes(${JSON.stringify(good)}); broken[40] ^= 0xff;
  await window.deepSvdd.scoreFiles([inputFile('ok.png', bytes(${JSON.stringify(good)})), inputFile('broken.png', broken), inputFile('notes.txt', new TextEncoder().encode('hello'))]);
  window.__report({ rows: ${PROBE_ROWS} });
});`, path.join(tmp, 'profile'));
    assert.deepEqual(page.errors, []);
    const by = new Map(page.rows.map((r) => [r.id, r]));
    assert.ok(by.get('ok.png')?.score !== undefined);
    assert.match(by.get('broken.png')?.error ?? '', /cannot decode the PNG image \(crc error/);
    assert.match(by.get('notes.txt')?.error ?? '', /not an image this page reads/);
  });

  test('model.json loads with tf.loadLayersModel (its weightsManifest) and computes the network of the model folder', async () => {
    await useWasm();
    const json = JSON.parse(fs.readFileSync(path.join(mnistWeb, 'model.json'), 'utf8')) as { format: string; modelTopology: object; weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }> };
    assert.equal(json.format, 'layers-model');
    const [group] = json.weightsManifest;
    const bin = fs.readFileSync(path.join(mnistWeb, group.paths[0]));
    const model = await tf.loadLayersModel({ load: async () => ({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }) });
    const { net } = loadModel(mnistModel);
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 5);
    const want = tf.tidy(() => net.forward(x as tf.Tensor4D, false));
    assertClose((model.predict(x) as tf.Tensor).dataSync(), want.dataSync(), 1e-5, 'exported model vs model folder');
    net.dispose(); model.dispose(); tf.dispose([x, want]);
    const meta = JSON.parse(fs.readFileSync(path.join(mnistWeb, 'deep-svdd.json'), 'utf8')) as { c: number[]; R2: number; threshold: number; preprocessing: { gcn: string; min: number; max: number } };
    const saved = JSON.parse(fs.readFileSync(path.join(mnistModel, 'model.json'), 'utf8')) as { c: number[]; R: number; R2?: number; threshold: number; preprocessing: { min: number; max: number } };
    assert.deepEqual(meta.c, saved.c);
    assert.equal(meta.R2, saved.R2 ?? saved.R * saved.R);
    assert.equal(meta.threshold, saved.threshold);
    assert.equal(meta.preprocessing.min, saved.preprocessing.min);
  });

  test('a table model: the page scores pasted CSV rows as `deep-svdd score` does', (t) => {
    const rng = makeRng(11);
    const lines = ['id,a,status,b,c'];
    for (let i = 0; i < 90; i++) {
      const bad = i % 6 === 5;
      const v = Array.from({ length: 3 }, () => ((rng.next() - 0.5) * 2 + (bad ? 3 : 0)).toFixed(4));
      lines.push([`r${i}`, v[0], bad ? 'fault' : 'ok', v[1], v[2]].join(','));
    }
    const table = path.join(tmp, 'readings.csv');
    fs.writeFileSync(table, `${lines.map((l) => l.split(',').slice(1).join(',')).join('\n')}\n`);
    const run = path.join(tmp, 'table');
    const r = runCli(['train', '--dataset', 'table', '--data-file', table, '--label-column', 'status', '--normal', 'ok', '--n-epochs', '3', '--ae-n-epochs', '3', '--backend', 'wasm', '--xp-dir', run], tmp);
    assert.equal(r.code, 0, r.stderr);
    const web = path.join(tmp, 'table-web');
    exportTo(path.join(run, 'model'), web);
    // rows to score: an id column, the columns in another order, an extra column, values outside the training range
    const rows = ['name,c,id,b,a', ...lines.slice(1, 31).map((l, i) => { const [id, a, , b, c] = l.split(','); return ['x', c, id, b, String(Number(a) * (i % 5 === 0 ? 4 : 1))].join(','); })].join('\n');
    const rowsFile = path.join(tmp, 'rows.csv');
    fs.writeFileSync(rowsFile, `${rows}\n`);
    const want = scoreRows(path.join(run, 'model'), rowsFile, path.join(tmp, 'table-scores.csv'));
    assert.equal(want.length, 30);
    const page = probePage<{ rows: Array<{ id: string; score?: string; anomaly?: string; error?: string }>; status: string }>(path.join(web, 'index.html'), `
window.addEventListener('load', async () => {
  await window.deepSvdd.ready;
  await window.deepSvdd.scoreCsv(${JSON.stringify(rows)});
  window.__report({ rows: ${PROBE_ROWS}, status: document.getElementById('status').textContent });
});`, path.join(tmp, 'profile'));
    assert.deepEqual(page.errors, [], 'no console or script errors');
    const maxDiff = sameAsScore(page, want);
    t.diagnostic(`max |page − score| over ${want.length} rows: ${maxDiff}`);
    // a CSV without a feature column: the page says which, as score does
    const bad = probePage<{ status: string }>(path.join(web, 'index.html'), `
window.addEventListener('load', async () => {
  await window.deepSvdd.ready;
  await window.deepSvdd.scoreCsv('id,a,b\\n1,2,3\\n');
  window.__report({ status: document.getElementById('status').textContent });
});`, path.join(tmp, 'profile'));
    assert.deepEqual(bad.errors, []);
    assert.match(bad.status, /has no column 'c'/);
  });

  test('bad input: one-line errors, nothing written', () => {
    const watch = path.join(tmp, 'watch');
    fs.mkdirSync(watch);
    fs.writeFileSync(path.join(watch, 'mine.txt'), 'a file of the user\'s');
    refused(['export', '--model', path.join(tmp, 'nope'), '--out', path.join(watch, 'w1')], /--model .*nope: model folder not found/, watch);
    refused(['export', '--model', mnistRun, '--out', path.join(watch, 'w2')], /is a run folder, not a model folder: use --model .*model/, watch);
    refused(['export', '--model', watch, '--out', path.join(tmp, 'w3')], /model\.json not found/, watch);
    refused(['export', '--model', mnistModel, '--out', mnistWeb], /--out .*mnist-web already exists: pass --force 1/, watch);
    refused(['export', '--model', mnistModel, '--out', watch, '--force', '1'], /holds other files and no deep-svdd\.json/, watch);
    refused(['export', '--model', mnistModel, '--out', path.join(mnistModel, 'web')], /--out .* is inside .*model, which this command reads/, watch);
    refused(['export', '--model', mnistModel, '--out', path.join(watch, 'mine.txt')], /is a file, not a folder/, watch);
    refused(['export', '--model', mnistModel, '--out', ''], /--out is empty/, watch);
    refused(['export', '--model', mnistModel, '--out', path.join(watch, 'w4'), '--force', 'yes'], /--force yes is invalid/, watch);
    assert.ok(!fs.existsSync(path.join(mnistModel, 'web')));
    // an earlier export is replaced with --force 1
    const r = runCli(['export', '--model', mnistModel, '--out', mnistWeb, '--force', '1'], tmp);
    assert.equal(r.code, 0, r.stderr);
  });
});
