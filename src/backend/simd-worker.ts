/**
 * A worker thread of ./simd-pool.ts: instantiates the SIMD kernels on the shared wasm memory, then runs the parts it
 * is handed until it is told to stop (fn = −1).
 */
import { readFileSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { CTRL, SPIN, STATE } from './simd-pool.js';

interface Data { memory: WebAssembly.Memory; wasmFile: string; ctrl: SharedArrayBuffer; args: SharedArrayBuffer; names: string[] }
const { memory, wasmFile, ctrl: ctrlBuf, args: argsBuf, names } = workerData as Data;
const ctrl = new Int32Array(ctrlBuf);
const args = new Float64Array(argsBuf);

let kernels: Record<string, (...a: number[]) => void> | undefined;
try {
  kernels = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmFile)), { env: { memory } }).exports as typeof kernels;
  Atomics.store(ctrl, CTRL.state, STATE.ready);
} catch {
  Atomics.store(ctrl, CTRL.state, STATE.failed);
}
Atomics.notify(ctrl, CTRL.state);

let seen = 0;
while (kernels) {
  let spins = 0;
  while (Atomics.load(ctrl, CTRL.seq) === seen && spins++ < SPIN) { /* spin */ }
  Atomics.wait(ctrl, CTRL.seq, seen);
  seen = Atomics.load(ctrl, CTRL.seq);
  const fn = ctrl[CTRL.fn];
  if (fn < 0) break;
  try {
    // every argument slot, read straight from the block: wasm ignores the extra ones, and nothing is allocated
    const a = args;
    kernels[names[fn]](a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14],
      a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22], a[23]);
    ctrl[CTRL.error] = 0;
  } catch {
    ctrl[CTRL.error] = 1;
  }
  Atomics.store(ctrl, CTRL.done, seen);
  Atomics.notify(ctrl, CTRL.done);
}
