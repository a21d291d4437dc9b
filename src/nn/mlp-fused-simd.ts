/**
 * The fused MLP step of ./mlp-fused.ts with its matrix products and batch-norm passes in WebAssembly SIMD kernels
 * (src/backend/simd/assembly/mlp.ts): the same arithmetic in the same order, so the same bits as the JavaScript
 * loops (test/unit/mlp-fused-simd.test.ts), about twice as fast on the tables' networks (src/backend/README.md).
 *
 * The activations, gradients and a copy of the weights live in a WebAssembly.Memory of this network's own (the
 * buffers are Float32Array / Float64Array views over it); each forward pass copies the input rows and the current
 * weights in (adam updates the caller's weights between steps), each backward pass copies the weight gradients out
 * into `gw`. Growing to a larger batch makes a new memory.
 *
 * fusedMlp() picks this class where the kernels load (built, and the engine has WebAssembly SIMD), else the JavaScript
 * FusedMlp; DEEP_SVDD_SIMD_MLP=0 (or DEEP_SVDD_SIMD_KERNELS=0, all our SIMD kernels) runs the JavaScript FusedMlp.
 */
import { mlpKernels, SIMD_MLP_ENV, simdMlpAvailable, type MlpKernelExports } from '../backend/simd/mlp-loader.js';
import { FusedMlp, type Buffers, type FusedLayer, type FusedWeights } from './mlp-fused.js';

/** The fused MLP of these layers: on the SIMD kernels where they load, else the JavaScript loops. */
export function fusedMlp(layers: readonly FusedLayer[], alpha: number, weights: FusedWeights): FusedMlp {
  return simdMlpAvailable() ? new FusedMlpSimd(layers, alpha, weights) : new FusedMlp(layers, alpha, weights);
}

/** What fusedMlp() runs now, for the log. */
export function fusedMlpKernels(): string {
  return simdMlpAvailable() ? `WebAssembly SIMD kernels; ${SIMD_MLP_ENV}=0 runs the JavaScript loops` : 'JavaScript loops';
}

/** Byte offsets of one layer's arrays in the memory. */
interface LayerPtrs { w: number; wt: number; gw: number; sumGh: number }

export class FusedMlpSimd extends FusedMlp {
  private k?: MlpKernelExports;
  private x = new Float32Array(0);
  private ptrs: LayerPtrs[] = [];
  /** the weight copies and their gradients, views over the memory */
  private wv: Float32Array[] = [];
  private gwv: Float32Array[] = [];

  protected override allocate(n: number): Buffers[] {
    // the layout: per layer W, Wᵀ, gW, then the input rows, then per layer z, x̂, out, g and the float64 arrays
    let at = 0;
    const take = (bytes: number) => { const p = at; at += Math.ceil(bytes / 16) * 16; return p; };
    const ptrs = this.layers.map((l) => ({ w: take(4 * l.nin * l.nout), wt: take(4 * l.nin * l.nout), gw: take(4 * l.nin * l.nout), sumGh: take(8 * l.nout) }));
    const xp = take(4 * n * this.inputWidth);
    const bufs = this.layers.map((l) => ({
      z: take(4 * n * l.nout), h: take(l.bn ? 4 * n * l.nout : 0), out: take(4 * n * l.nout), g: take(4 * n * l.nout),
      mean: take(8 * l.nout), invStd: take(8 * l.nout),
    }));
    const kernels = mlpKernels(at);
    if (!kernels) throw new Error('fused MLP: the SIMD kernels no longer load (they did when this network was made)');
    this.k = kernels.k;
    const buf = kernels.memory.buffer;
    const f32 = (p: number, len: number) => new Float32Array(buf, p, len);
    const f64 = (p: number, len: number) => new Float64Array(buf, p, len);
    this.ptrs = ptrs;
    this.wv = this.layers.map((l, i) => f32(ptrs[i].w, l.nin * l.nout));
    this.gwv = this.layers.map((l, i) => f32(ptrs[i].gw, l.nin * l.nout));
    this.x = f32(xp, n * this.inputWidth);
    return this.layers.map((l, i) => {
      const b = bufs[i];
      const m = n * l.nout;
      return {
        z: f32(b.z, m), h: f32(b.h, l.bn ? m : 0), out: f32(b.out, m), g: f32(b.g, m),
        mean: f64(b.mean, l.nout), invStd: f64(b.invStd, l.nout),
      };
    });
  }

  protected override input(x: Float32Array, n: number): Float32Array {
    const len = n * this.inputWidth;
    this.x.set(len === x.length ? x : x.subarray(0, len));
    this.layers.forEach((_, i) => this.wv[i].set(this.weights.w[i]));
    return this.x;
  }

  protected override backwardInput(): Float32Array { return this.x; }

  protected override dense(li: number, a: Float32Array, n: number): void {
    const l = this.layers[li];
    this.k!.gemm(a.byteOffset, l.nin, 1, this.ptrs[li].w, l.nout, n, l.nout, l.nin, this.buf[li].z.byteOffset);
  }

  protected override weightGrad(li: number, a: Float32Array, n: number): void {
    const l = this.layers[li];
    this.k!.gemm(a.byteOffset, 1, l.nin, this.buf[li].g.byteOffset, l.nout, l.nin, l.nout, n, this.ptrs[li].gw);
    this.gw[li].set(this.gwv[li]);
  }

  protected override inputGrad(li: number, n: number): void {
    const l = this.layers[li];
    const { w, wt } = this.ptrs[li];
    // g·Wᵀ with Wᵀ [nout × nin] stored, so that the kernel reads its rows
    this.k!.transpose(w, l.nin, l.nout, wt);
    this.k!.gemm(this.buf[li].g.byteOffset, l.nout, 1, wt, l.nin, n, l.nin, l.nout, this.buf[li - 1].g.byteOffset);
  }

  protected override batchSums(li: number, n: number): void {
    const b = this.buf[li];
    this.k!.batchSums(b.z.byteOffset, n, this.layers[li].nout, b.mean.byteOffset, b.invStd.byteOffset);
  }

  protected override normaliseRows(li: number, n: number): void {
    const l = this.layers[li];
    const b = this.buf[li];
    this.k!.normalise(b.z.byteOffset, b.h.byteOffset, b.out.byteOffset, n, l.nout, b.mean.byteOffset, b.invStd.byteOffset, l.act ? 1 : 0, this.a32);
  }

  protected override bnBackward(li: number, n: number): void {
    const l = this.layers[li];
    const b = this.buf[li];
    this.k!.bnBackward(b.g.byteOffset, b.h.byteOffset, n, l.nout, b.invStd.byteOffset, b.mean.byteOffset, this.ptrs[li].sumGh, l.act ? 1 : 0, this.a32);
  }
}
