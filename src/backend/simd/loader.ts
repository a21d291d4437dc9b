/**
 * The SIMD kernels of ./assembly/kernels.ts (AssemblyScript, compiled to WebAssembly by scripts/build-simd.mjs),
 * instantiated on the wasm backend's own memory so that they read and write tensors in place.
 *
 * - Where the engine has relaxed SIMD, the build whose multiply-adds are fused (f32x4.relaxed_madd) loads; Node 20
 *   has it behind a V8 flag, which is turned on for this. DEEP_SVDD_FMA=0 keeps the plain build.
 * - On the threaded backend (`--threads N`), each call is split across N threads (./pool.ts): the convolutions
 *   and max-pool gradient by images, the filter gradient by channels (neither changes any sum's order), batch norm
 *   by rows (its float64 sums of the row ranges are added in order: the same numbers for every run with that N).
 * DEEP_SVDD_SIMD_KERNELS=0 turns the kernels off (the JavaScript kernels run instead), for comparisons.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import type * as tf from '@tensorflow/tfjs-core';
import { SimdPool, splitRange, type Exports, type KernelName, type Part } from './pool.js';

type Ptr = number;
export interface SimdKernels {
  bnForward(x: Ptr, y: Ptr, xh: Ptr, n: number, c: number, eps: number, alpha: number, fused: number, mean: Ptr, variance: Ptr, inv: Ptr): void;
  bnBackward(dy: Ptr, xh: Ptr, inv: Ptr, dx: Ptr, n: number, c: number, fused: number, fpos: number, fneg: number): void;
  bnEval(x: Ptr, y: Ptr, n: number, c: number, mean: Ptr, scale: Ptr, alpha: number, fused: number): void;
  maxPoolGrad2x2(x: Ptr, dy: Ptr, dx: Ptr, b: number, h: number, w: number, c: number): void;
  conv2dInputGrad5(dy: Ptr, wt: Ptr, dx: Ptr, b: number, h: number, w: number, ci: number, oh: number, ow: number, co: number, kh: number, top: number, left: number, overCi: number): void;
  conv2dForward1x5(x: Ptr, w: Ptr, y: Ptr, b: number, h: number, wd: number, oh: number, ow: number, co: number, kh: number, top: number, left: number): void;
  conv2dForward5(x: Ptr, w: Ptr, y: Ptr, b: number, h: number, wd: number, ci: number, oh: number, ow: number, co: number, kh: number, top: number, left: number): void;
  conv2dFilterGrad5(x: Ptr, dy: Ptr, dw: Ptr, b: number, h: number, w: number, ci: number, oh: number, ow: number, co: number, kh: number, top: number, left: number): void;
}

/** Which build loaded, and on how many threads it runs. */
export interface SimdInfo { fma: boolean; threads: number }

interface WasmModuleLike {
  asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory;
  _malloc?(bytes: number): number; _free?(ptr: number): void;
}
interface Loaded { kernels: SimdKernels; info: SimdInfo }

let enabled = process.env.DEEP_SVDD_SIMD_KERNELS !== '0';
let simdThreads = 1;
const instances = new WeakMap<WebAssembly.Memory, Loaded | null>();

/** Turns the SIMD kernels on or off (tests compare them with the JavaScript kernels). */
export function setSimdKernels(on: boolean): void { enabled = on; }

/** The threads the kernels split their work across on the threaded backend (set before it starts: ./select.ts). */
export function setSimdThreads(n: number): void { simdThreads = n; }

function load(backend: tf.KernelBackend): Loaded | undefined {
  if (!enabled) return undefined;
  const wasm = (backend as unknown as { wasm?: WasmModuleLike }).wasm;
  const memory = wasm?.asm?.memory ?? wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  let k = instances.get(memory);
  if (k === undefined) {
    k = wasm?._malloc && wasm._free ? instantiate(memory, scratchHeap(memory, wasm._malloc, wasm._free)) : null;
    instances.set(memory, k);
  }
  return k ?? undefined;
}

/** The kernels bound to this wasm backend's memory, or undefined (turned off, or the module cannot load). */
export function simdKernels(backend: tf.KernelBackend): SimdKernels | undefined {
  return load(backend)?.kernels;
}

/** What simdKernels(backend) runs: the fused multiply-add build or not, and the threads. */
export function simdInfo(backend: tf.KernelBackend): SimdInfo | undefined {
  return load(backend)?.info;
}

function compile(file: URL, relaxed: boolean): WebAssembly.Module {
  const bytes = readFileSync(file);
  try {
    return new WebAssembly.Module(bytes);
  } catch (e) {
    // Node 20's V8 has relaxed SIMD behind a flag; it is read when a module compiles
    if (!relaxed || !(e instanceof WebAssembly.CompileError)) throw e;
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    return new WebAssembly.Module(bytes);
  }
}

function instantiate(memory: WebAssembly.Memory, heap: Heap): Loaded | null {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const builds = process.env.DEEP_SVDD_FMA === '0' ? [false] : [true, false];
  for (const fma of builds) {
    const file = new URL(`./kernels${fma ? '-fma' : ''}${shared ? '-shared' : ''}.wasm`, import.meta.url);
    let raw: Exports;
    try {
      raw = new WebAssembly.Instance(compile(file, fma), { env: { memory } }).exports as unknown as Exports;
    } catch {
      continue; // not built, or this engine lacks (relaxed) SIMD: the next build, or the JavaScript kernels
    }
    const threads = shared ? simdThreads : 1;
    let pool: SimdPool | undefined;
    if (threads > 1) {
      pool = new SimdPool(memory, fileURLToPath(file), threads);
      if (!pool.start()) { pool.close(); pool = undefined; }
    }
    return { kernels: bind(raw, pool, heap), info: { fma, threads: pool?.threads ?? 1 } };
  }
  return null;
}

/** Σ_p f[p·c + k] over the P row ranges, in range order. */
function sumParts(f: Float64Array, P: number, c: number, k: number): number {
  let s = f[k];
  for (let p = 1; p < P; p++) s += f[p * c + k];
  return s;
}

/** The kernels' float64 scratch (per-channel sums), allocated once on the backend's heap and grown when needed. */
interface Heap { buffer(): ArrayBufferLike; scratch(bytes: number): number }

function scratchHeap(memory: WebAssembly.Memory, malloc: (bytes: number) => number, free: (ptr: number) => void): Heap {
  let ptr = 0;
  let size = 0;
  return {
    buffer: () => memory.buffer,
    scratch(bytes) {
      if (bytes > size) {
        if (ptr) free(ptr);
        size = Math.max(bytes, 2 * size);
        ptr = malloc(size + 16);
      }
      return (ptr + 15) & ~15; // 16-byte aligned
    },
  };
}

/** Below this many float32 values touched, a call runs on one thread (the hand-off costs more than it saves). */
const MIN_PARALLEL_WORK = 1 << 15;

/** The public kernels over the module's exports: full ranges on one thread, or split across the pool's threads. */
function bind(raw: Exports, pool: SimdPool | undefined, heap: Heap): SimdKernels {
  const threads = pool?.threads ?? 1;
  const run = (parts: Part[]) => {
    if (pool && parts.length > 1) pool.run(raw, parts);
    else raw[parts[0][0]](...parts[0][1]);
  };
  /** [start, n] pieces of `count` items (images, rows or channel groups): one per thread, or one for small work. */
  const pieces = (count: number, work: number) => splitRange(count, work < MIN_PARALLEL_WORK ? 1 : threads);
  /** `count` items split across threads; `args(start, n)` for each piece. */
  const split = (name: KernelName, count: number, work: number, args: (start: number, n: number) => number[]) =>
    run(pieces(count, work).map(([s, n]): Part => [name, args(s, n)]));
  const f4 = 4; // bytes per float32
  return {
    // batch norm in phases over rows; the per-channel float64 sums of the row ranges are added here in range order
    bnForward: (x, y, xh, n, c, eps, alpha, fused, mean, variance, inv) => {
      const ranges = pieces(n, n * c);
      const P = ranges.length;
      const base = heap.scratch((P + 2) * c * 8);
      const part = (p: number) => base + p * c * 8;
      const M = part(P), I = part(P + 1);
      const at = (r0: number) => r0 * c * f4;
      run(ranges.map(([r0, nr], p): Part => ['bnSum', [x + at(r0), nr, c, part(p)]]));
      // nothing allocates on the heap during the call, so these views stay valid
      const buf = heap.buffer();
      const f = new Float64Array(buf, base, (P + 2) * c);
      for (let k = 0; k < c; k++) f[P * c + k] = sumParts(f, P, c, k) / n;
      run(ranges.map(([r0, nr], p): Part => ['bnSqDev', [x + at(r0), nr, c, M, part(p)]]));
      const [m32, v32, i32] = [mean, variance, inv].map((ptr) => new Float32Array(buf, ptr, c));
      for (let k = 0; k < c; k++) {
        const v = sumParts(f, P, c, k) / n;
        const iv = 1 / Math.sqrt(v + eps);
        f[(P + 1) * c + k] = iv;
        m32[k] = f[P * c + k]; v32[k] = v; i32[k] = iv;
      }
      run(ranges.map(([r0, nr]): Part => ['bnApply', [x + at(r0), y + at(r0), fused ? xh + at(r0) : 0, nr, c, M, I, alpha, fused]]));
    },
    bnBackward: (dy, xh, inv, dx, n, c, fused, fpos, fneg) => {
      const ranges = pieces(n, n * c);
      const P = ranges.length;
      const base = heap.scratch((2 * P + 3) * c * 8);
      const arr = (i: number) => base + i * c * 8;
      const S = arr(2 * P), SG = arr(2 * P + 1), SGH = arr(2 * P + 2);
      const at = (r0: number) => r0 * c * f4;
      run(ranges.map(([r0, nr], p): Part => ['bnGradSum', [dy + at(r0), xh + at(r0), nr, c, fused, fpos, fneg, arr(p), arr(P + p)]]));
      const buf = heap.buffer();
      const f = new Float64Array(buf, base, (2 * P + 3) * c);
      const iv = new Float32Array(buf, inv, c);
      for (let k = 0; k < c; k++) {
        f[2 * P * c + k] = iv[k] / n;
        f[(2 * P + 1) * c + k] = sumParts(f, P, c, k);
        f[(2 * P + 2) * c + k] = sumParts(f.subarray(P * c), P, c, k);
      }
      run(ranges.map(([r0, nr]): Part => ['bnGradApply', [dy + at(r0), xh + at(r0), dx + at(r0), nr, c, fused, fpos, fneg, S, SG, SGH, n]]));
    },
    bnEval: (x, y, n, c, mean, scale, alpha, fused) =>
      split('bnEval', n, n * c, (i, ni) => [x + i * c * f4, y + i * c * f4, ni, c, mean, scale, alpha, fused]),
    maxPoolGrad2x2: (x, dy, dx, b, h, w, c) => {
      const img = h * w * c * f4;
      const dyImg = (h >> 1) * (w >> 1) * c * f4;
      split('maxPoolGrad2x2', b, b * h * w * c, (i, nb) => [x + i * img, dy + i * dyImg, dx + i * img, nb, h, w, c]);
    },
    conv2dInputGrad5: (dy, wt, dx, b, h, w, ci, oh, ow, co, kh, top, left, overCi) =>
      split('conv2dInputGrad5', b, b * h * w * ci * co, (i, nb) =>
        [dy + i * oh * ow * co * f4, wt, dx + i * h * w * ci * f4, nb, h, w, ci, oh, ow, co, kh, top, left, overCi]),
    conv2dForward1x5: (x, wf, y, b, h, w, oh, ow, co, kh, top, left) =>
      split('conv2dForward1x5', b, b * oh * ow * co, (i, nb) =>
        [x + i * h * w * f4, wf, y + i * oh * ow * co * f4, nb, h, w, oh, ow, co, kh, top, left]),
    conv2dForward5: (x, wf, y, b, h, w, ci, oh, ow, co, kh, top, left) =>
      split('conv2dForward5', b, b * oh * ow * ci * co, (i, nb) =>
        [x + i * h * w * ci * f4, wf, y + i * oh * ow * co * f4, nb, h, w, ci, oh, ow, co, kh, top, left]),
    // parts of dW: by groups of four output channels where there are enough, else by input channels
    conv2dFilterGrad5: (x, dy, dw, b, h, w, ci, oh, ow, co, kh, top, left) => {
      const common = [x, dy, dw, b, h, w, ci, oh, ow, co, kh, top, left];
      const work = b * oh * ow * ci * co;
      if (co / 4 >= threads || ci < threads) {
        split('conv2dFilterGrad5', co / 4, work, (g, ng) => [...common, 0, ci, 4 * g, 4 * (g + ng)]);
      } else {
        split('conv2dFilterGrad5', ci, work, (c0, nc) => [...common, c0, c0 + nc, 0, co]);
      }
    },
  };
}
