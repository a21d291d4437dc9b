/**
 * A worker thread of ./pool.ts: instantiates the SIMD kernels on the shared wasm memory, then runs the parts it
 * is handed until it is told to stop (fn = −1).
 */
import { readFileSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { CTRL, MAX_ARGS, SPIN, STATE, type Exports } from './pool.js';

interface Data { memory: WebAssembly.Memory; wasmFile: string; ctrl: SharedArrayBuffer; args: SharedArrayBuffer; names: string[] }
const { memory, wasmFile, ctrl: ctrlBuf, args: argsBuf, names } = workerData as Data;
const ctrl = new Int32Array(ctrlBuf);
const args = new Float64Array(argsBuf);

let kernels: Exports | undefined;
try {
  kernels = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmFile)), { env: { memory } }).exports as typeof kernels;
  Atomics.store(ctrl, CTRL.state, STATE.ready);
} catch {
  Atomics.store(ctrl, CTRL.state, STATE.failed);
}
Atomics.notify(ctrl, CTRL.state);

const argv: number[] = new Array<number>(MAX_ARGS).fill(0);
let seen = 0;
while (kernels) {
  let spins = 0;
  while (Atomics.load(ctrl, CTRL.seq) === seen && spins++ < SPIN) { /* spin */ }
  Atomics.wait(ctrl, CTRL.seq, seen);
  seen = Atomics.load(ctrl, CTRL.seq);
  const fn = ctrl[CTRL.fn];
  if (fn < 0) break;
  try {
    // copied into one reused array, so nothing is allocated; slots past nargs are past the function's own
    // parameters, which wasm ignores
    for (let i = 0, n = ctrl[CTRL.nargs]; i < n; i++) argv[i] = args[i];
    kernels[names[fn]].apply(undefined, argv);
    ctrl[CTRL.error] = 0;
  } catch {
    ctrl[CTRL.error] = 1;
  }
  Atomics.store(ctrl, CTRL.done, seen);
  Atomics.notify(ctrl, CTRL.done);
}
