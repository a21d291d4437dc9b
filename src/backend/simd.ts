/**
 * The SIMD kernels of ./simd/kernels.ts (AssemblyScript, compiled to WebAssembly by scripts/build-simd.mjs),
 * instantiated on the wasm backend's own memory so that they read and write tensors in place.
 * DEEP_SVDD_SIMD_KERNELS=0 turns them off (the JavaScript kernels run instead), for comparisons.
 */
import { readFileSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs-core';

type Ptr = number;
export interface SimdKernels {
  bnForward(x: Ptr, y: Ptr, xh: Ptr, n: number, c: number, eps: number, alpha: number, fused: number, mean: Ptr, variance: Ptr, inv: Ptr): void;
  bnBackward(dy: Ptr, xh: Ptr, inv: Ptr, dx: Ptr, n: number, c: number, fused: number, fpos: number, fneg: number): void;
  bnEval(x: Ptr, y: Ptr, n: number, c: number, mean: Ptr, scale: Ptr, alpha: number, fused: number): void;
  maxPoolGrad2x2(x: Ptr, dy: Ptr, dx: Ptr, b: number, h: number, w: number, c: number): void;
  conv2dInputGrad5(dy: Ptr, wt: Ptr, dx: Ptr, b: number, h: number, w: number, ci: number, oh: number, ow: number, co: number, kh: number, top: number, left: number, overCi: number): void;
  conv2dForward1x5(x: Ptr, w: Ptr, y: Ptr, b: number, h: number, wd: number, oh: number, ow: number, co: number, kh: number, top: number, left: number): void;
  conv2dFilterGrad5(x: Ptr, dy: Ptr, dw: Ptr, b: number, h: number, w: number, ci: number, oh: number, ow: number, co: number, kh: number, top: number, left: number): void;
}

interface WasmModuleLike { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory }

let enabled = process.env.DEEP_SVDD_SIMD_KERNELS !== '0';
const instances = new WeakMap<WebAssembly.Memory, SimdKernels | null>();

/** Turns the SIMD kernels on or off (tests compare them with the JavaScript kernels). */
export function setSimdKernels(on: boolean): void { enabled = on; }

/** The kernels bound to this wasm backend's memory, or undefined (turned off, or the module cannot load). */
export function simdKernels(backend: tf.KernelBackend): SimdKernels | undefined {
  if (!enabled) return undefined;
  const wasm = (backend as unknown as { wasm?: WasmModuleLike }).wasm;
  const memory = wasm?.asm?.memory ?? wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  let k = instances.get(memory);
  if (k === undefined) {
    k = instantiate(memory);
    instances.set(memory, k);
  }
  return k ?? undefined;
}

function instantiate(memory: WebAssembly.Memory): SimdKernels | null {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const file = new URL(shared ? './simd/kernels-shared.wasm' : './simd/kernels.wasm', import.meta.url);
  try {
    const module = new WebAssembly.Module(readFileSync(file));
    return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
  } catch {
    return null; // not built, or this engine lacks SIMD: the JavaScript kernels run instead
  }
}
