/**
 * Worker threads that run our SIMD kernels on the threaded wasm backend's shared memory (`--threads N`), so that a
 * kernel's work is split across cores the way XNNPACK splits its own. Each worker instantiates the same kernels
 * module on the same memory; a call hands every worker one part (its kernel name and arguments) through a small
 * shared control block, the calling thread runs part 0 itself and then waits for the others. Calls are synchronous,
 * like every TF.js kernel: nothing else touches the heap while a call runs.
 *
 * Workers spin briefly before they sleep (Atomics.wait), so that back-to-back kernels do not pay a wake-up each.
 */
import { Worker } from 'node:worker_threads';

/** The kernels' export names, in an order both sides share (the control block carries an index). */
export const KERNEL_NAMES = [
  'bnSum', 'bnSqDev', 'bnApply', 'bnGradSum', 'bnGradApply', 'bnEval', 'maxPoolGrad2x2', 'conv2dInputGrad5',
  'conv2dForward1x5', 'conv2dForward5', 'conv2dFilterGrad5',
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];
export type Part = readonly [KernelName, readonly number[]];
/** A kernels module's exports: functions of numbers (pointers, sizes, flags). */
export type Exports = Record<string, (...args: number[]) => void>;

/** Control block slots (Int32Array indices). */
export const CTRL = { seq: 0, done: 1, fn: 2, nargs: 3, state: 4, error: 5 } as const;
export const STATE = { starting: 0, ready: 1, failed: 2 } as const;
export const MAX_ARGS = 24;
/** Iterations a waiting side polls before it sleeps (roughly 50–100 µs here): back-to-back kernels skip the wake-up. */
export const SPIN = 20000;
/** How long the caller waits for a worker before it gives up (a kernel part takes milliseconds). */
const STALL_MS = 120_000;

interface Slot { worker: Worker; ctrl: Int32Array; args: Float64Array; seq: number }

export class SimdPool {
  private readonly slots: Slot[] = [];
  private ready = false;

  /** `threads` in all, counting the calling thread: threads − 1 workers. */
  constructor(memory: WebAssembly.Memory, wasmFile: string, readonly threads: number) {
    for (let i = 1; i < threads; i++) {
      const ctrl = new Int32Array(new SharedArrayBuffer(8 * 4));
      const args = new Float64Array(new SharedArrayBuffer(MAX_ARGS * 8));
      const worker = new Worker(new URL('./worker.js', import.meta.url), {
        workerData: { memory, wasmFile, ctrl: ctrl.buffer, args: args.buffer, names: KERNEL_NAMES },
        // the worker allocates next to nothing: a small JavaScript heap keeps its memory down
        resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
      });
      worker.unref();
      this.slots.push({ worker, ctrl, args, seq: 0 });
    }
  }

  /** Waits (once) until every worker has its module; false if one failed or none answered within 30 s. */
  start(): boolean {
    if (this.ready) return true;
    for (const s of this.slots) {
      if (Atomics.load(s.ctrl, CTRL.state) === STATE.starting) Atomics.wait(s.ctrl, CTRL.state, STATE.starting, 30_000);
      if (Atomics.load(s.ctrl, CTRL.state) !== STATE.ready) return false;
    }
    this.ready = true;
    return true;
  }

  /** Runs the parts in parallel: parts[0] on this thread with `own`, parts[i] on worker i − 1. */
  run(own: Exports, parts: readonly Part[]): void {
    if (parts.length > this.threads) throw new Error(`SimdPool: ${parts.length} parts for ${this.threads} threads`);
    for (let i = 1; i < parts.length; i++) this.post(this.slots[i - 1], parts[i]);
    const [name, args] = parts[0];
    own[name](...args);
    let failed = false;
    for (let i = 1; i < parts.length; i++) failed = !this.wait(this.slots[i - 1]) || failed;
    if (failed) throw new Error('a SIMD kernel failed on a worker thread');
  }

  /** Stops the workers (they also stop with the process). */
  close(): void {
    for (const s of this.slots) {
      s.ctrl[CTRL.fn] = -1;
      Atomics.store(s.ctrl, CTRL.seq, ++s.seq);
      Atomics.notify(s.ctrl, CTRL.seq);
    }
  }

  private post(s: Slot, [name, args]: Part): void {
    if (args.length > MAX_ARGS) throw new Error(`SimdPool: ${name} has more than ${MAX_ARGS} arguments`);
    s.args.set(args);
    s.ctrl[CTRL.fn] = KERNEL_NAMES.indexOf(name);
    s.ctrl[CTRL.nargs] = args.length;
    Atomics.store(s.ctrl, CTRL.seq, ++s.seq);
    Atomics.notify(s.ctrl, CTRL.seq);
  }

  /** True when the worker finished its part without an error. */
  private wait(s: Slot): boolean {
    let spins = 0;
    const t0 = Date.now();
    for (;;) {
      const done = Atomics.load(s.ctrl, CTRL.done);
      if (done === s.seq) return s.ctrl[CTRL.error] === 0;
      if (spins++ < SPIN) continue;
      if (Atomics.wait(s.ctrl, CTRL.done, done, 1000) === 'timed-out' && Date.now() - t0 > STALL_MS) {
        throw new Error(`a SIMD worker thread did not answer for ${STALL_MS / 1000} s`);
      }
    }
  }
}

/** [start, count] pieces of `n` items for `parts` threads, as even as possible (never an empty piece). */
export function splitRange(n: number, parts: number): Array<[number, number]> {
  const k = Math.max(1, Math.min(parts, n));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < k; i++) {
    const a = Math.floor((i * n) / k);
    const b = Math.floor(((i + 1) * n) / k);
    out.push([a, b - a]);
  }
  return out;
}
