/**
 * The fused MLP step's WebAssembly SIMD kernels (./assembly/mlp.ts, compiled by scripts/build-simd.mjs into
 * mlp.wasm), each instance on a WebAssembly.Memory of its own: the caller lays its arrays out in that memory and
 * passes byte offsets. The module compiles once; an instance (with its memory) is cheap to make.
 *
 * DEEP_SVDD_SIMD_KERNELS=0 turns them off with the backend's kernels (./loader.ts), DEEP_SVDD_SIMD_MLP=0 only them:
 * mlpKernels() then returns undefined and the fused MLP runs its JavaScript loops (the same bits, slower). setSimdMlp()
 * does the same for tests.
 */
import { readFileSync } from 'node:fs';

type Ptr = number;
export interface MlpKernelExports {
  gemm(A: Ptr, ai: number, ak: number, B: Ptr, bk: number, m: number, p: number, q: number, C: Ptr): void;
  transpose(W: Ptr, r: number, c: number, T: Ptr): void;
  batchSums(z: Ptr, n: number, c: number, mean: Ptr, s2: Ptr): void;
  normalise(z: Ptr, h: Ptr, out: Ptr, n: number, c: number, mean: Ptr, invStd: Ptr, act: number, alpha: number): void;
  bnBackward(g: Ptr, h: Ptr, n: number, c: number, invStd: Ptr, sumG: Ptr, sumGh: Ptr, act: number, alpha: number): void;
}

/** An instance of the kernels and the memory they work on. */
export interface MlpKernels { memory: WebAssembly.Memory; k: MlpKernelExports }

export const SIMD_MLP_ENV = 'DEEP_SVDD_SIMD_MLP';
let enabled = process.env.DEEP_SVDD_SIMD_KERNELS !== '0' && process.env[SIMD_MLP_ENV] !== '0';
let module: WebAssembly.Module | null | undefined;

/** Turns the fused MLP's SIMD kernels on or off (tests compare them with the JavaScript loops). */
export function setSimdMlp(on: boolean): void { enabled = on; }

/** Whether mlpKernels() would give kernels now. */
export function simdMlpAvailable(): boolean { return enabled && compiled() !== null; }

function compiled(): WebAssembly.Module | null {
  if (module === undefined) {
    try {
      module = new WebAssembly.Module(readFileSync(new URL('./mlp.wasm', import.meta.url)));
    } catch {
      module = null; // not built, or this engine lacks SIMD: the JavaScript loops
    }
  }
  return module;
}

const PAGE = 65536;

/** A new instance on a memory of at least `bytes` bytes, or undefined (turned off, not built, no SIMD). */
export function mlpKernels(bytes: number): MlpKernels | undefined {
  if (!enabled) return undefined;
  const mod = compiled();
  if (!mod) return undefined;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
  const k = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as MlpKernelExports;
  return { memory, k };
}
