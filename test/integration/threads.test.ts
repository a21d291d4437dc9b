/**
 * `--threads N` on wasm: our SIMD kernels split across worker threads (src/backend/simd/pool.ts) give the gradients
 * of one thread. Convolutions split by images or channels change no sum's order, so those parts are equal; the
 * training batch norm adds float64 sums of row ranges, so values may differ in the last bits. Each side runs in its
 * own process (a process has one backend).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { splitRange } from '../../src/backend/simd/pool.js';
import { assertClose } from '../helpers/tf.js';

const probe = path.join(path.dirname(fileURLToPath(import.meta.url)), '../helpers/grad-probe.js');

interface Probe { threads: number; xnnpackThreads: number; notes: string[]; out: Record<string, number[]> }
function run(threads: number): Probe {
  const r = spawnSync(process.execPath, [probe, String(threads)], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `grad-probe ${threads} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Probe;
}

test('splitRange: even pieces, none empty, covering the range', () => {
  assert.deepEqual(splitRange(200, 2), [[0, 100], [100, 100]]);
  assert.deepEqual(splitRange(7, 3), [[0, 2], [2, 2], [4, 3]]);
  assert.deepEqual(splitRange(1, 4), [[0, 1]]);
  assert.deepEqual(splitRange(0, 2), [[0, 0]]);
});

test('--threads 2: the SIMD kernels run on two threads and give the one-thread gradients', () => {
  const one = run(1);
  const two = run(2);
  assert.equal(one.threads, 1);
  assert.equal(two.threads, 2, `the kernels did not get two threads: ${two.notes.join('; ')}`);
  assert.equal(two.xnnpackThreads, 1);
  assert.deepEqual(Object.keys(two.out), Object.keys(one.out));
  assert.equal(Object.keys(one.out).length, 10); // encoder: 3 weights + eval output; autoencoder: 6 weights
  for (const [k, v] of Object.entries(one.out)) {
    assert.ok(v.some((e) => e !== 0), `${k} is all zeros`);
    assertClose(two.out[k], v, 1e-5, k);
  }
});
