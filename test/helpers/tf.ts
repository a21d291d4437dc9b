/** Test helpers: one wasm backend per test process, and small numeric comparisons. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/backend/select.js';

let ready: Promise<unknown> | undefined;
export function useWasm(): Promise<unknown> {
  ready ??= selectBackend({ backend: 'wasm', device: 'cpu', threads: 1 });
  return ready;
}

export async function onBackend<T>(name: 'wasm' | 'cpu', f: () => T): Promise<T> {
  await useWasm();
  await tf.setBackend(name);
  try { return f(); } finally { await tf.setBackend('wasm'); }
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: lengths differ`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (!(diff <= rtol * Math.max(scale, 1e-12))) {
      assert.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (|diff| ${diff} > ${rtol} × ${scale})`);
    }
  }
}

export function seededArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}
