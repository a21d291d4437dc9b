/**
 * Kernels written in JavaScript that work on the backend's own memory (the wasm heap, or the cpu backend's arrays),
 * one or two passes over the data, where TF.js would run several ops:
 *
 *   BatchNormTrainJs     x → [x̂, μ, σ² (biased), 1/√(σ²+ε)]          channels last, statistics over all other axes;
 *                        per-channel sums in float64 (batch norm in training mode: ~5 ops)
 *   BatchNormTrainGradJs dy, x̂, 1/√(σ²+ε) → dx = inv/n · (n·dy − Σdy − x̂·Σ(dy·x̂))   (~8 ops)
 *                        both with an optional `alpha`: batch norm and the leaky ReLU after it as one kernel each way
 *   LeakyReluGradJs      dy, x → dy where x > 0, else α·dy                         (Greater, Select, Multiply)
 *   BatchNormEvalJs      x, μ, σ² → (x − μ)·s with s = 1/√(σ²+ε), optionally with the leaky ReLU: eval mode in one pass
 *                        (here wasm SIMD only, channels in fours; on native deep-svdd's own TensorFlow kernel, see
 *                        ./native-kernels.ts; elsewhere batchNormEval uses TF.js ops)
 *   ResizeNearestNeighborGrad, for exact 2× upsampling: each input pixel gets the sum of its 2×2 block of dy
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { simdKernels, type SimdKernels } from './simd/loader.js';
import { heapF32, heapOffset, type WasmBackendLike } from './wasm-heap.js';

export const BN_FORWARD = 'BatchNormTrainJs';
export const BN_BACKWARD = 'BatchNormTrainGradJs';
export const LEAKY_RELU_GRAD = 'LeakyReluGradJs';
export const BN_EVAL = 'BatchNormEvalJs';

interface Memory {
  /** the wasm SIMD kernels working on this memory (wasm only, when built and not turned off) */
  simd?: SimdKernels;
  /** where a tensor's values start in the wasm heap (wasm only) */
  offset(t: TensorInfo): number;
  read(t: TensorInfo): Float32Array;
  /** a new float32 tensor (on wasm, take views with read() after the last allocation: the heap may move) */
  alloc(shape: number[]): { info: TensorInfo; values: Float32Array };
}

type CpuBackend = tf.KernelBackend & {
  readSync(id: object): unknown;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
};

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function memoryOf(backendName: string, backend: tf.KernelBackend): Memory {
  if (backendName === 'wasm') {
    const b = backend as WasmBackendLike;
    const view = (t: TensorInfo) => heapF32(b, t);
    return {
      simd: simdKernels(backend),
      offset: (t) => heapOffset(b, t),
      read: view,
      // the allocation may grow the heap: views of inputs must be taken again after it (see run())
      alloc: (shape) => { const info = b.makeOutput(shape, 'float32'); return { info, values: view(info) }; },
    };
  }
  const b = backend as CpuBackend;
  return {
    offset: () => { throw new Error('no heap offsets on the cpu backend'); },
    read: (t) => b.readSync(t.dataId) as Float32Array,
    alloc: (shape) => { const values = new Float32Array(size(shape)); return { info: b.makeTensorInfo(shape, 'float32', values), values }; },
  };
}

function forward(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    // with `alpha`, a leaky ReLU follows in the same pass: outputs [lrelu(x̂), μ, σ², 1/√(σ²+ε), x̂]
    const { eps, alpha } = attrs as { eps: number; alpha?: number };
    const mem = memoryOf(backendName, backend as tf.KernelBackend);
    const c = x.shape[x.shape.length - 1];
    const shapes = [x.shape, [c], [c], [c], ...(alpha === undefined ? [] : [x.shape])];
    const outs = shapes.map((shape) => mem.alloc(shape).info);
    if (mem.simd && c % 2 === 0) {
      const [y, m, v, iv, xh] = outs.map((o) => mem.offset(o));
      mem.simd.bnForward(mem.offset(x), y, xh ?? 0, size(x.shape) / c, c, eps, Math.fround(alpha ?? 0), alpha === undefined ? 0 : 1, m, v, iv);
      return outs;
    }
    // views only now: each allocation above may have grown (and so moved) the heap
    const [yv, mean, variance, inv, xhv] = outs.map((o) => mem.read(o));
    const xv = mem.read(x);
    const total = xv.length;
    const n = total / c;
    const s1 = new Float64Array(c);
    for (let i = 0; i < total; i += c) for (let k = 0; k < c; k++) s1[k] += xv[i + k];
    for (let k = 0; k < c; k++) s1[k] /= n;
    const s2 = new Float64Array(c);
    for (let i = 0; i < total; i += c) {
      for (let k = 0; k < c; k++) { const d = xv[i + k] - s1[k]; s2[k] += d * d; }
    }
    const invStd = new Float64Array(c);
    for (let k = 0; k < c; k++) {
      const v = s2[k] / n;
      invStd[k] = 1 / Math.sqrt(v + eps);
      mean[k] = s1[k]; variance[k] = v; inv[k] = invStd[k];
    }
    if (alpha === undefined) {
      for (let i = 0; i < total; i += c) for (let k = 0; k < c; k++) yv[i + k] = (xv[i + k] - s1[k]) * invStd[k];
    } else {
      // the same float32 results as TF.js's LeakyRelu kernel on the stored x̂ (x < 0 ? α·x : x), branch-free:
      // a32 + (1 − a32) is exactly 1 in float64
      const a32 = Math.fround(alpha);
      const b32 = 1 - a32;
      for (let i = 0; i < total; i += c) {
        for (let k = 0; k < c; k++) {
          const h = Math.fround((xv[i + k] - s1[k]) * invStd[k]);
          xhv[i + k] = h;
          yv[i + k] = h * (a32 + b32 * ((h >= 0) as unknown as number));
        }
      }
    }
    return outs;
  };
}

function backward(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, xhat, invStd } = inputs as { dy: TensorInfo; xhat: TensorInfo; invStd: TensorInfo };
    // with `alpha`, dy first goes back through the leaky ReLU: dy·(α + (1−α)·[x̂ > 0]), rounded to float32 as the
    // separate LeakyReluGradJs kernel stores it
    const alpha = (attrs as { alpha?: number }).alpha;
    const mem = memoryOf(backendName, backend as tf.KernelBackend);
    const out = mem.alloc(dy.shape);
    const beta = alpha === undefined ? 0 : 1 - alpha;
    const a0 = alpha ?? 1;
    const channels = invStd.shape[invStd.shape.length - 1];
    if (mem.simd && channels % 2 === 0) {
      // the factors the JavaScript path below multiplies dy by where x̂ > 0 and where not, computed the same way
      mem.simd.bnBackward(mem.offset(dy), mem.offset(xhat), mem.offset(invStd), mem.offset(out.info),
        size(dy.shape) / channels, channels, alpha === undefined ? 0 : 1, a0 + beta * 1, a0 + beta * 0);
      return out.info;
    }
    const dyv = mem.read(dy);
    const xh = mem.read(xhat);
    const inv = mem.read(invStd);
    const dx = mem.read(out.info);
    const c = inv.length;
    const total = dyv.length;
    const n = total / c;
    // dy after the leaky ReLU, computed where it is needed (twice) instead of stored
    const grad = (i: number) => (alpha === undefined ? dyv[i] : Math.fround(dyv[i] * (a0 + beta * ((xh[i] > 0) as unknown as number))));
    const sumDy = new Float64Array(c);
    const sumDyXh = new Float64Array(c);
    for (let i = 0; i < total; i += c) {
      for (let k = 0; k < c; k++) { const v = grad(i + k); sumDy[k] += v; sumDyXh[k] += v * xh[i + k]; }
    }
    const a = new Float64Array(c);
    for (let k = 0; k < c; k++) a[k] = inv[k] / n;
    for (let i = 0; i < total; i += c) {
      for (let k = 0; k < c; k++) dx[i + k] = a[k] * (n * grad(i + k) - sumDy[k] - xh[i + k] * sumDyXh[k]);
    }
    return out.info;
  };
}

function leakyReluGrad(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
    const alpha = (attrs as { alpha: number }).alpha;
    const mem = memoryOf(backendName, backend as tf.KernelBackend);
    const out = mem.alloc(dy.shape);
    const g = mem.read(dy);
    const xv = mem.read(x);
    const dx = mem.read(out.info);
    // branch-free: a data-dependent branch mispredicts half the time on activations
    const beta = 1 - alpha;
    for (let i = 0; i < g.length; i++) dx[i] = g[i] * (alpha + beta * ((xv[i] > 0) as unknown as number));
    return out.info;
  };
}

/** The gradient of 2× nearest-neighbour upsampling (as the decoders use); other resizes use `fallback`. */
export function upsample2xGrad(backendName: string, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
    const { alignCorners, halfPixelCenters } = args.attrs as { alignCorners: boolean; halfPixelCenters: boolean };
    const [b, h, w, c] = images.shape;
    if (alignCorners || halfPixelCenters || dy.shape[1] !== 2 * h || dy.shape[2] !== 2 * w) return fallback(args);
    const mem = memoryOf(backendName, args.backend as tf.KernelBackend);
    const out = mem.alloc(images.shape);
    const g = mem.read(dy);
    const dx = mem.read(out.info);
    const rowG = 2 * w * c;
    for (let n = 0; n < b; n++) {
      for (let i = 0; i < h; i++) {
        const o = (n * h + i) * w * c;
        const top = (n * 2 * h + 2 * i) * rowG;
        for (let j = 0; j < w; j++) {
          const t = top + 2 * j * c;
          for (let k = 0; k < c; k++) dx[o + j * c + k] = g[t + k] + g[t + c + k] + g[t + rowG + k] + g[t + rowG + c + k];
        }
      }
    }
    return out.info;
  };
}

function bnEval(): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, mean, variance } = inputs as { x: TensorInfo; mean: TensorInfo; variance: TensorInfo };
    const { eps, alpha } = attrs as { eps: number; alpha?: number };
    const mem = memoryOf('wasm', backend as tf.KernelBackend);
    const c = x.shape[x.shape.length - 1];
    if (!mem.simd || c % 4 !== 0) throw new Error(`${BN_EVAL}: needs the SIMD kernels and channels in fours`);
    const scale = tf.tidy(() => tf.rsqrt(tf.add(variance as tf.Tensor, eps)));
    const out = mem.alloc(x.shape);
    mem.simd.bnEval(mem.offset(x), mem.offset(out.info), size(x.shape) / c, c, mem.offset(mean), mem.offset(scale),
      Math.fround(alpha ?? 0), alpha === undefined ? 0 : 1);
    scale.dispose();
    return out.info;
  };
}

/** Whether eval-mode batch norm over `channels` channels can run as one BN_EVAL kernel on the active backend. */
export function hasBnEvalKernel(channels: number): boolean {
  if (tf.getBackend() !== 'wasm') return tf.getKernel(BN_EVAL, tf.getBackend()) !== undefined;
  return channels % 4 === 0 && simdKernels(tf.backend()) !== undefined;
}

const registered = new Set<string>();

/** Registers the kernels for `backendName` ('wasm' or 'cpu'). Idempotent. */
export function registerJsKernels(backendName: 'wasm' | 'cpu'): void {
  if (registered.has(backendName)) return;
  registered.add(backendName);
  tf.registerKernel({ kernelName: BN_FORWARD, backendName, kernelFunc: forward(backendName) });
  tf.registerKernel({ kernelName: BN_BACKWARD, backendName, kernelFunc: backward(backendName) });
  tf.registerKernel({ kernelName: LEAKY_RELU_GRAD, backendName, kernelFunc: leakyReluGrad(backendName) });
  if (backendName === 'wasm') tf.registerKernel({ kernelName: BN_EVAL, backendName, kernelFunc: bnEval() });
}

/** Whether the active backend has the JavaScript kernels (otherwise the networks use plain TF.js ops). */
export function hasJsKernels(): boolean {
  return tf.getKernel(BN_FORWARD, tf.getBackend()) !== undefined;
}

/** Leaky ReLU whose gradient is one JavaScript kernel where available. */
export function leakyRelu(x: tf.Tensor, alpha: number): tf.Tensor {
  if (!hasJsKernels()) return tf.leakyRelu(x, alpha);
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xin = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([xin]);
    return {
      value: tf.leakyRelu(xin, alpha),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.engine().runKernel(LEAKY_RELU_GRAD, { dy: dy as tf.Tensor, x: saved[0] }, { alpha }) as tf.Tensor,
    };
  });
  return f(x);
}
