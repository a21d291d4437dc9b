/**
 * Kernel fixes that training needs on the TF.js backends we use (why each one: src/backend/README.md):
 *
 *  - wasm has no Conv2DBackpropFilter (tfjs issue #8474): the direct SIMD kernel of ./simd for 5-wide filters with
 *    output channels in fours and few channels (the MNIST networks), else an ordinary Conv2D on transposed tensors.
 *  - wasm's native Conv2DBackpropInput is ~10× slower than a Conv2D of the same size: the direct SIMD kernel where one
 *    side has fewer than 4 channels, else a Conv2D of dy with the reversed, channel-swapped filter (the direct SIMD
 *    Conv2D on the other narrow layers, XNNPACK's on the padded dy elsewhere).
 *  - Conv2D of narrow layers (the MNIST networks) runs as direct SIMD kernels: XNNPACK rebuilds its indirection
 *    buffer for every new input tensor, which costs more than the arithmetic there; wider layers stay XNNPACK's.
 *  - wasm's Identity copies (TF.js clones every tensor saved for the backward pass): shared, reference-counted.
 *  - wasm's BatchMatMul with transposeA/B is ~40× slower than an explicit Transpose + plain BatchMatMul: re-routed.
 *  - wasm's MaxPoolGrad is slow: 2×2/stride-2 pools run as a SIMD kernel (channels in fours) or in JavaScript,
 *    directly on the wasm heap.
 *  - cpu's ResizeNearestNeighborGrad indexes dy with the input's batch stride (wrong for batch > 1): replaced.
 *
 * The wasm re-routes call the backend's own kernels on TensorInfos, so nothing is copied out of the wasm heap.
 * They cover stride 1, dilation 1, NHWC (all the LeNet networks use); anything else goes to the original kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerJsKernels, upsample2xGrad } from './js-kernels.js';
import { simdKernels } from './simd/loader.js';
import { heapF32, heapOffset, type WasmBackendLike } from './wasm-heap.js';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

type Backend = tf.KernelBackend & { disposeData(dataId: object, force?: boolean): boolean };

function kernel(name: string, backendName: string): KernelConfig {
  const k = tf.getKernel(name, backendName);
  if (!k) throw new Error(`TF.js kernel ${name} is not registered for backend ${backendName}`);
  return k;
}

function call(name: string, backendName: string, backend: Backend, inputs: NamedTensorInfoMap, attrs: object): TensorInfo {
  const out = kernel(name, backendName).kernelFunc({ inputs, backend, attrs: attrs as NamedAttrMap });
  return out as TensorInfo;
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function simpleConvInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs) {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat));
  const simple = info.strideHeight === 1 && info.strideWidth === 1 && info.dataFormat === 'channelsLast' &&
    info.dilationHeight === 1 && info.dilationWidth === 1;
  return { info, simple };
}

/**
 * Conv gradients with at most this many input × output channels run as the direct SIMD kernels; wider layers (the
 * CIFAR-10 networks) as XNNPACK convolutions, which are faster there.
 */
const DIRECT_CONV_MAX_CHANNELS = 256;

/**
 * Whether a convolution with filter [kh, kw, ci, co] is narrow enough for the direct SIMD kernels: 5 wide, at most
 * DIRECT_CONV_MAX_CHANNELS input × output channels, and the kernel's vector side (`lanes`: the channels its output
 * runs over) in fours.
 */
function directConv(kw: number, ci: number, co: number, lanes: number): boolean {
  return kw === 5 && lanes % 4 === 0 && ci * co <= DIRECT_CONV_MAX_CHANNELS;
}

const CONV_VALID = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] };

/** Conv2DBackpropFilter: dW = transpose(conv2d(transpose(pad(x),[3,1,2,0]), transpose(dy,[1,2,0,3]), valid), [1,2,0,3]). */
export function conv2dBackpropFilterViaConv(backendName: string, fallback?: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as Backend;
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
    const { info, simple } = simpleConvInfo(x.shape, attrs.filterShape, attrs);
    if (!simple) {
      if (!fallback) throw new Error('Conv2DBackpropFilter: only stride 1, dilation 1, NHWC is supported on this backend');
      return fallback(args);
    }
    const { top, bottom, left, right } = info.padInfo;
    const [kh, kw, ci, co] = attrs.filterShape;
    const simd = backendName === 'wasm' ? simdKernels(backend) : undefined;
    if (simd && directConv(kw, ci, co, co)) {
      const b = backend as unknown as WasmBackendLike;
      const at = (t: TensorInfo) => heapOffset(b, t);
      const out = b.makeOutput(attrs.filterShape, 'float32');
      const [n, h, w] = x.shape;
      simd.conv2dFilterGrad5(at(x), at(dy), at(out), n, h, w, ci, dy.shape[1], dy.shape[2], co, kh, top, left);
      return out;
    }
    const temps: TensorInfo[] = [];
    const keep = (t: TensorInfo) => { temps.push(t); return t; };
    const xp = (top || bottom || left || right)
      ? keep(call('PadV2', backendName, backend, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }))
      : x;
    const xt = keep(call('Transpose', backendName, backend, { x: xp }, { perm: [3, 1, 2, 0] }));
    const dyt = keep(call('Transpose', backendName, backend, { x: dy }, { perm: [1, 2, 0, 3] }));
    const out = keep(call('Conv2D', backendName, backend, { x: xt, filter: dyt }, CONV_VALID));
    const res = call('Transpose', backendName, backend, { x: out }, { perm: [1, 2, 0, 3] });
    for (const t of temps) backend.disposeData(t.dataId);
    return res;
  };
}

/** Conv2DBackpropInput: dx = conv2d(pad(dy, k-1-p), reverse(W,[0,1]) with in/out channels swapped, valid). */
export function conv2dBackpropInputViaConv(backendName: string, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as Backend;
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
    const { info, simple } = simpleConvInfo(attrs.inputShape, filter.shape, attrs);
    if (!simple) return fallback(args);
    const [kh, kw, ci, co] = filter.shape;
    const { top, bottom, left, right } = info.padInfo;
    const simd = backendName === 'wasm' ? simdKernels(backend) : undefined;
    // the direct kernel beats XNNPACK when one side has fewer than 4 channels (the decoders' first and last layers)
    const overCi = co < 4 && ci % 4 === 0;
    const overCo = ci < 4 && co % 4 === 0;
    if (simd && kw === 5 && (overCi || overCo)) {
      const b = backend as unknown as WasmBackendLike;
      const at = (t: TensorInfo) => heapOffset(b, t);
      // vectors over ci need W as [kh, kw, co, ci]
      const wt = overCi ? call('Transpose', backendName, backend, { x: filter }, { perm: [0, 1, 3, 2] }) : filter;
      const out = b.makeOutput(attrs.inputShape, 'float32');
      const [n, h, w] = attrs.inputShape;
      simd.conv2dInputGrad5(at(dy), at(wt), at(out), n, h, w, ci, dy.shape[1], dy.shape[2], co, kh, top, left, overCi ? 1 : 0);
      if (overCi) backend.disposeData(wt.dataId);
      return out;
    }
    // else a Conv2D of dy with the reversed, channel-swapped filter: the direct kernel on the other narrow layers,
    // XNNPACK's on the explicitly padded dy elsewhere
    const wr = call('Reverse', backendName, backend, { x: filter }, { dims: [0, 1] });
    const wt = call('Transpose', backendName, backend, { x: wr }, { perm: [0, 1, 3, 2] });
    let res: TensorInfo;
    if (simd && directConv(kw, ci, co, ci)) {
      const b = backend as unknown as WasmBackendLike;
      res = b.makeOutput(attrs.inputShape, 'float32');
      const [n, h, w] = attrs.inputShape;
      simd.conv2dForward5(heapOffset(b, dy), heapOffset(b, wt), heapOffset(b, res), n, dy.shape[1], dy.shape[2], co, h, w, ci, kh,
        kh - 1 - top, kw - 1 - left);
    } else {
      const dyp = call('PadV2', backendName, backend, { x: dy },
        { paddings: [[0, 0], [kh - 1 - top, kh - 1 - bottom], [kw - 1 - left, kw - 1 - right], [0, 0]], constantValue: 0 });
      res = call('Conv2D', backendName, backend, { x: dyp, filter: wt }, CONV_VALID);
      backend.disposeData(dyp.dataId);
    }
    for (const t of [wr, wt]) backend.disposeData(t.dataId);
    return res;
  };
}

/**
 * Conv2D for narrow layers (5-wide filters, output channels in fours, at most DIRECT_CONV_MAX_CHANNELS input ×
 * output channels: the MNIST networks) as the direct SIMD kernels: one input channel with 5×5 filters (the first
 * encoder layer, the input gradient of the last decoder layer) has its own kernel. XNNPACK's conv for the rest.
 */
export function conv2dNarrow(orig: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as WasmBackendLike & Backend;
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const [kh, kw, ci, co] = filter.shape;
    const simd = simdKernels(backend);
    if (!simd || !directConv(kw, ci, co, co)) return orig(args);
    const { info, simple } = simpleConvInfo(x.shape, filter.shape, args.attrs as unknown as ConvAttrs);
    if (!simple) return orig(args);
    const at = (t: TensorInfo) => heapOffset(backend, t);
    const out = backend.makeOutput(info.outShape, 'float32');
    const [n, h, w] = x.shape;
    const { top, left } = info.padInfo;
    if (ci === 1 && kh === 5) simd.conv2dForward1x5(at(x), at(filter), at(out), n, h, w, info.outHeight, info.outWidth, co, kh, top, left);
    else simd.conv2dForward5(at(x), at(filter), at(out), n, h, w, ci, info.outHeight, info.outWidth, co, kh, top, left);
    return out;
  };
}

/**
 * Identity without a copy: the output shares the input's memory (reference-counted, as wasm's own Reshape does and
 * as the cpu backend's Identity does). TF.js clones every tensor it saves for the backward pass, and wasm's kernel
 * copied each one; no kernel writes into its inputs, so sharing is safe.
 */
export function identityShared(orig: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return orig(args);
    (args.backend as tf.KernelBackend & { incRef(id: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** BatchMatMul with transposeA/transposeB as explicit Transposes and a plain BatchMatMul. */
export function batchMatMulViaTranspose(backendName: string, orig: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as Backend;
    const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return orig(args);
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const temps: TensorInfo[] = [];
    const t = (info: TensorInfo) => {
      const perm = info.shape.map((_, i) => i);
      const r = perm.length;
      [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
      const out = call('Transpose', backendName, backend, { x: info }, { perm });
      temps.push(out);
      return out;
    };
    const out = orig({
      inputs: { a: attrs.transposeA ? t(a) : a, b: attrs.transposeB ? t(b) : b }, backend,
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    }) as TensorInfo;
    for (const x of temps) backend.disposeData(x.dataId);
    return out;
  };
}

/**
 * ResizeNearestNeighborGrad for channels-last float tensors, computed on the host (cpu backend only): each dy
 * element is added to the input pixel that the forward pass read it from.
 */
export function resizeNearestNeighborGradCpu(): KernelFunc {
  return (args) => {
    const backend = args.backend as tf.KernelBackend & {
      readSync(id: object): Float32Array; makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfo;
    };
    const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
    const { alignCorners, halfPixelCenters } = args.attrs as { alignCorners: boolean; halfPixelCenters: boolean };
    const [batch, inH, inW, depth] = images.shape;
    const [, outH, outW] = dy.shape;
    const dyVals = backend.readSync(dy.dataId) as Float32Array;
    const out = new Float32Array(batch * inH * inW * depth);
    const eff = (inSize: number, outSize: number) =>
      alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
    const sy = eff(inH, outH);
    const sx = eff(inW, outW);
    const src = (o: number, scale: number, size: number) => {
      const frac = halfPixelCenters ? (o + 0.5) * scale : o * scale;
      const v = alignCorners ? Math.round(frac) : Math.floor(frac);
      return Math.min(size - 1, Math.max(0, v));
    };
    for (let b = 0; b < batch; b++) {
      for (let y = 0; y < outH; y++) {
        const iy = src(y, sy, inH);
        for (let x = 0; x < outW; x++) {
          const ix = src(x, sx, inW);
          const o = ((b * outH + y) * outW + x) * depth;
          const i = ((b * inH + iy) * inW + ix) * depth;
          for (let c = 0; c < depth; c++) out[i + c] += dyVals[o + c];
        }
      }
    }
    return backend.makeTensorInfo(images.shape, 'float32', out);
  };
}

/**
 * MaxPoolGrad for 2×2 windows with stride 2 and no padding (every pooling layer of the LeNet networks), written in
 * JavaScript directly on the wasm heap: each dy value goes to the first maximum of its window in row-major order,
 * as the reference kernels do. About 5× faster than the wasm kernel on MNIST shapes. Other pools use the original.
 */
export function maxPoolGrad2x2Wasm(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as WasmBackendLike;
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const { filterSize, strides, pad } = args.attrs as { filterSize: number | number[]; strides: number | number[]; pad: unknown };
    const is2 = (v: number | number[]) => (Array.isArray(v) ? v.every((x) => x === 2) : v === 2);
    const [b, h, w, c] = input.shape;
    const [, oh, ow] = dy.shape;
    if (!is2(filterSize) || !is2(strides) || pad !== 'valid' || oh !== Math.floor(h / 2) || ow !== Math.floor(w / 2)) return fallback(args);
    const out = backend.makeOutput(input.shape, 'float32');
    const simd = simdKernels(backend);
    if (simd && c % 4 === 0) {
      const at = (t: TensorInfo) => heapOffset(backend, t);
      simd.maxPoolGrad2x2(at(input), at(dy), at(out), b, h, w, c);
      return out;
    }
    // views are taken after the allocation: it may grow (and so replace) the heap
    const x = heapF32(backend, input);
    const g = heapF32(backend, dy);
    const dx = heapF32(backend, out);
    dx.fill(0);
    const rowX = w * c;
    for (let n = 0; n < b; n++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const base = ((n * h + 2 * i) * w + 2 * j) * c;
          const gb = ((n * oh + i) * ow + j) * c;
          for (let k = 0; k < c; k++) {
            const p0 = base + k;
            const p1 = p0 + c;
            const p2 = p0 + rowX;
            const p3 = p2 + c;
            let best = p0;
            let v = x[p0];
            if (x[p1] > v) { v = x[p1]; best = p1; }
            if (x[p2] > v) { v = x[p2]; best = p2; }
            if (x[p3] > v) { best = p3; }
            dx[best] += g[gb + k];
          }
        }
      }
    }
    return out;
  };
}

function replaceKernel(name: string, backendName: string, make: (orig: KernelConfig | undefined) => KernelFunc) {
  const orig = tf.getKernel(name, backendName);
  if (orig) tf.unregisterKernel(name, backendName);
  tf.registerKernel({ kernelName: name, backendName, setupFunc: orig?.setupFunc, kernelFunc: make(orig) });
}

const patched = new Set<string>();

/** Registers the fixes for `backendName` ('wasm' or 'cpu'); call before tf.setBackend. Idempotent. */
export function registerKernelFixes(backendName: 'wasm' | 'cpu'): string[] {
  if (patched.has(backendName)) return [];
  patched.add(backendName);
  if (backendName === 'wasm') {
    replaceKernel('Conv2DBackpropFilter', 'wasm', (orig) => conv2dBackpropFilterViaConv('wasm', orig?.kernelFunc));
    replaceKernel('Conv2DBackpropInput', 'wasm', (orig) => conv2dBackpropInputViaConv('wasm', orig!.kernelFunc));
    replaceKernel('Conv2D', 'wasm', (orig) => conv2dNarrow(orig!.kernelFunc));
    replaceKernel('Identity', 'wasm', (orig) => identityShared(orig!.kernelFunc));
    replaceKernel('BatchMatMul', 'wasm', (orig) => batchMatMulViaTranspose('wasm', orig!.kernelFunc));
    replaceKernel('MaxPoolGrad', 'wasm', (orig) => maxPoolGrad2x2Wasm(orig!.kernelFunc));
    replaceKernel('ResizeNearestNeighborGrad', 'wasm', (orig) => upsample2xGrad('wasm', orig!.kernelFunc));
    registerJsKernels('wasm');
    const simd = 'WebAssembly SIMD kernels (./simd)';
    return [`batch norm forward and gradient (${simd}, else JS on the wasm heap)`, 'leaky-ReLU and 2× upsampling gradients (JS on the wasm heap)',
      `Conv2DBackpropFilter (${simd} for narrow layers, else as Conv2D)`, `Conv2DBackpropInput (${simd} for narrow layers, else as Conv2D)`,
      `Conv2D (${simd} for narrow layers, else XNNPACK)`, 'Identity without a copy', 'BatchMatMul transposes', `MaxPoolGrad 2×2 (${simd}, else JS on the wasm heap)`];
  }
  replaceKernel('ResizeNearestNeighborGrad', 'cpu', () => resizeNearestNeighborGradCpu());
  registerJsKernels('cpu');
  return ['batch norm (JS)', 'ResizeNearestNeighborGrad (batch stride fix)'];
}
