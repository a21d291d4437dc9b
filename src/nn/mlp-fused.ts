/**
 * The MLP networks of mlp.ts as one fused computation on Float32Arrays, without TF.js: the training step's forward
 * pass (batch norm with the batch statistics, updating the running averages), its backward pass, and the eval-mode
 * forward pass (running statistics). TF.js spends ~4 ms per thyroid-sized step on per-op overhead; these loops do
 * the same arithmetic in a fraction of that (bench/: `npm run bench -- --networks mlp-enc,mlp-ae`).
 *
 * The arithmetic follows the TF.js path of networks.ts and batchnorm.ts / backend/js-kernels.ts: values stored as
 * float32 after each layer; the sums of the dense layers, the batch-norm statistics and the weight gradients (sums
 * over the batch) in float64; batch norm eps 1e-4, running mean and unbiased variance with momentum 0.1 in float32
 * operations as batchnorm.ts does them; leaky ReLU x ≥ 0 ? x : α·x (α = 0 for ReLU), its gradient α below 0.
 * Results agree with TF.js to float32 rounding (test/unit/mlp-fused.test.ts), not bit for bit.
 *
 * ./mlp-fused-simd.ts runs the matrix products and batch-norm passes (the protected steps below) in WebAssembly SIMD
 * kernels with the same bits; this class is its fallback (not built, no SIMD, DEEP_SVDD_SIMD_MLP=0).
 *
 * A network qualifies when its layer list (layerSpecs) is a chain of bias-free dense layers, each optionally
 * followed by batch norm, an activation or a sigmoid (fusedPlan); anything else (biases, learned batch-norm scale
 * and shift, convolutions) keeps the TF.js path.
 */
import { BN_EPS, BN_MOMENTUM } from './batchnorm.js';
import { type LayerSpec } from './layers.js';

/** One dense layer of the chain and what follows it. */
export interface FusedLayer {
  /** the dense layer's name (its weight is `${name}/w`) */
  name: string;
  nin: number;
  nout: number;
  /** the batch norm's name, when one follows */
  bn?: string;
  /** an activation (leaky ReLU or ReLU) follows */
  act: boolean;
  /** a sigmoid follows (the autoencoder's output) */
  sigmoid: boolean;
}

/** The chain of a network's layer list, or undefined when it is not one the fused step computes. */
export function fusedPlan(specs: readonly LayerSpec[]): FusedLayer[] | undefined {
  const layers: FusedLayer[] = [];
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    const last = layers[layers.length - 1] as FusedLayer | undefined;
    switch (s.kind) {
      case 'flatten':
        if (i !== 0) return undefined;
        break;
      case 'reshape':
        if (i !== specs.length - 1 || !last || s.shape[0] * s.shape[1] * s.shape[2] !== last.nout) return undefined;
        break;
      case 'dense':
        if (s.bias || (last && last.nout !== s.nin)) return undefined;
        layers.push({ name: s.name, nin: s.nin, nout: s.nout, act: false, sigmoid: false });
        break;
      case 'bn':
        if (!last || last.bn !== undefined || last.act || last.sigmoid || s.channels !== last.nout) return undefined;
        last.bn = s.name;
        break;
      case 'act':
      case 'sigmoid':
        if (!last || last.act || last.sigmoid) return undefined;
        if (s.kind === 'act') last.act = true; else last.sigmoid = true;
        break;
      default:
        return undefined;
    }
  }
  return layers.length ? layers : undefined;
}

/** A layer's weights [nin × nout] row-major and, with batch norm, its running statistics (all float32, as in TF.js). */
export interface FusedWeights {
  w: Float32Array[];
  runningMean: Array<Float32Array | undefined>;
  runningVar: Array<Float32Array | undefined>;
}

const F32_MOMENTUM = Math.fround(BN_MOMENTUM);
const F32_KEEP = Math.fround(1 - BN_MOMENTUM);

/** Per-layer buffers of one batch (grown on demand). */
export interface Buffers {
  /** dense output, before batch norm */
  z: Float32Array;
  /** x̂ (with batch norm) */
  h: Float32Array;
  /** the layer's output */
  out: Float32Array;
  /** batch norm: the mean and 1/√(σ² + ε) the forward pass used (the backward pass reuses `mean` for Σg) */
  mean: Float64Array;
  invStd: Float64Array;
  /** gradient w.r.t. the layer's output, then w.r.t. z */
  g: Float32Array;
}

export class FusedMlp {
  readonly layers: readonly FusedLayer[];
  /** weight gradients of the last backward pass, float32 like the weights */
  readonly gw: Float32Array[];
  protected readonly a32: number;
  protected buf: Buffers[] = [];
  private cap = 0;
  private readonly sumGh: Float64Array;

  /** `alpha`: the leaky-ReLU slope (0: ReLU); the weights are used (and updated by the caller) in place. */
  constructor(layers: readonly FusedLayer[], readonly alpha: number, readonly weights: FusedWeights) {
    this.layers = layers;
    layers.forEach((l, i) => {
      if (weights.w[i].length !== l.nin * l.nout) throw new Error(`fused MLP: ${l.name} has ${weights.w[i].length} weights, expected ${l.nin}×${l.nout}`);
      if (l.bn && (weights.runningMean[i]?.length !== l.nout || weights.runningVar[i]?.length !== l.nout)) {
        throw new Error(`fused MLP: ${l.bn} has no running statistics of width ${l.nout}`);
      }
    });
    this.gw = layers.map((l) => new Float32Array(l.nin * l.nout));
    this.a32 = Math.fround(alpha);
    this.sumGh = new Float64Array(Math.max(...layers.map((l) => l.nout)));
  }

  get inputWidth(): number { return this.layers[0].nin; }
  get outputWidth(): number { return this.layers[this.layers.length - 1].nout; }

  private ensure(n: number): void {
    if (n <= this.cap) return;
    this.cap = n;
    this.buf = this.allocate(n);
  }

  // The steps below are the ones ./mlp-fused-simd.ts replaces with WebAssembly SIMD kernels (same bits).

  /** The buffers of a batch of up to n rows. */
  protected allocate(n: number): Buffers[] {
    return this.layers.map((l) => ({
      z: new Float32Array(n * l.nout), h: new Float32Array(l.bn ? n * l.nout : 0), out: new Float32Array(n * l.nout),
      mean: new Float64Array(l.nout), invStd: new Float64Array(l.nout), g: new Float32Array(n * l.nout),
    }));
  }

  /** The forward pass's input (x itself here), and what the backward pass reads as the first layer's input. */
  protected input(x: Float32Array, _n: number): Float32Array { return x; }
  protected backwardInput(x: Float32Array): Float32Array { return x; }

  /** z = a·W of layer li. */
  protected dense(li: number, a: Float32Array, n: number): void {
    const l = this.layers[li];
    gemm(a, l.nin, 1, this.weights.w[li], 1, l.nout, n, l.nout, l.nin, this.buf[li].z);
  }

  /** gw[li] = aᵀ·g (sums over the batch). */
  protected weightGrad(li: number, a: Float32Array, n: number): void {
    const l = this.layers[li];
    gemm(a, 1, l.nin, this.buf[li].g, 1, l.nout, l.nin, l.nout, n, this.gw[li]);
  }

  /** The previous layer's output gradient g·Wᵀ. */
  protected inputGrad(li: number, n: number): void {
    const l = this.layers[li];
    gemm(this.buf[li].g, l.nout, 1, this.weights.w[li], l.nout, 1, n, l.nin, l.nout, this.buf[li - 1].g);
  }

  /** mean[k] = Σ z[·, k] / n and, into invStd, Σ (z[·, k] − mean[k])² (float64, rows in order). */
  protected batchSums(li: number, n: number): void {
    const c = this.layers[li].nout;
    const { z, mean, invStd: s2 } = this.buf[li];
    const total = n * c;
    mean.fill(0);
    for (let i = 0; i < total; i += c) for (let k = 0; k < c; k++) mean[k] += z[i + k];
    for (let k = 0; k < c; k++) mean[k] /= n;
    s2.fill(0);
    for (let i = 0; i < total; i += c) for (let k = 0; k < c; k++) { const d = z[i + k] - mean[k]; s2[k] += d * d; }
  }

  /** x̂ = (z − mean)·invStd into h and, with an activation, its output into out. */
  protected normaliseRows(li: number, n: number): void {
    const l = this.layers[li];
    const c = l.nout;
    const { z, h, out, mean, invStd } = this.buf[li];
    const total = n * c;
    for (let i = 0; i < total; i += c) for (let k = 0; k < c; k++) h[i + k] = (z[i + k] - mean[k]) * invStd[k];
    const a32 = this.a32;
    // TF.js's leaky ReLU x < 0 ? α·x : x (α = 0: ReLU)
    if (l.act) for (let i = 0; i < total; i++) { const v = h[i]; out[i] = v >= 0 ? v : v * a32; }
  }

  /**
   * Batch norm's backward pass on g in place: through the activation (its gradient α below 0 on x̂), then
   * dz = inv/n · (n·g − Σg − x̂·Σ(g·x̂)), the sums in float64 (batchnorm.ts).
   */
  protected bnBackward(li: number, n: number): void {
    const l = this.layers[li];
    const c = l.nout;
    const m = n * c;
    const { g, h, mean: sumG, invStd } = this.buf[li];
    const a32 = this.a32;
    const sumGh = this.sumGh;
    sumG.fill(0);
    sumGh.fill(0, 0, c);
    for (let i = 0; i < m; i += c) {
      for (let k = 0; k < c; k++) {
        const hv = h[i + k];
        const v = l.act && !(hv > 0) ? (g[i + k] = g[i + k] * a32) : g[i + k];
        sumG[k] += v;
        sumGh[k] += v * hv;
      }
    }
    for (let k = 0; k < c; k++) { sumG[k] /= n; sumGh[k] /= n; }
    for (let i = 0; i < m; i += c) for (let k = 0; k < c; k++) g[i + k] = invStd[k] * (g[i + k] - sumG[k] - h[i + k] * sumGh[k]);
  }

  /**
   * The forward pass of n rows of x ([n × inputWidth]). Training: batch norm with the batch's statistics, updating
   * the running averages (as batchnorm.ts: momentum 0.1, unbiased variance; not with one row). Returns a view of
   * the output [n × outputWidth], valid until the next call.
   */
  forward(x: Float32Array, n: number, training: boolean): Float32Array {
    this.ensure(n);
    let a = this.input(x, n);
    for (let li = 0; li < this.layers.length; li++) {
      const l = this.layers[li];
      const b = this.buf[li];
      this.dense(li, a, n);
      const m = n * l.nout;
      if (l.bn) {
        if (training) this.batchStatistics(li, n);
        else this.runningStatistics(li);
        this.normalise(li, n);
      } else {
        const { z, out } = b;
        const a32 = this.a32;
        if (l.act) for (let i = 0; i < m; i++) { const v = z[i]; out[i] = v >= 0 ? v : v * a32; }
        else if (l.sigmoid) for (let i = 0; i < m; i++) out[i] = 1 / (1 + Math.exp(-z[i]));
        else out.set(z.subarray(0, m));
      }
      a = b.out;
    }
    return a.subarray(0, n * this.outputWidth);
  }

  /** The batch's mean and 1/√(σ² + ε) (sums in float64, as js-kernels.ts), and the running averages' update. */
  private batchStatistics(li: number, n: number): void {
    const c = this.layers[li].nout;
    const { mean, invStd } = this.buf[li];
    this.batchSums(li, n);
    const s2 = invStd;
    const rm = this.weights.runningMean[li]!;
    const rv = this.weights.runningVar[li]!;
    const unbias = Math.fround(n / (n - 1));
    for (let k = 0; k < c; k++) {
      const v = s2[k] / n;
      invStd[k] = 1 / Math.sqrt(v + BN_EPS);
      // running averages in float32 operations on the float32 batch statistics, as batchnorm.ts's tf ops
      rm[k] = Math.fround(Math.fround(rm[k] * F32_KEEP) + Math.fround(Math.fround(mean[k]) * F32_MOMENTUM));
      if (n > 1) {
        const unbiased = Math.fround(Math.fround(v) * unbias);
        rv[k] = Math.fround(Math.fround(rv[k] * F32_KEEP) + Math.fround(unbiased * F32_MOMENTUM));
      }
    }
  }

  /** Eval mode: the running mean and 1/√(running var + ε) (TF.js batchNorm). */
  private runningStatistics(li: number): void {
    const { mean, invStd } = this.buf[li];
    const rm = this.weights.runningMean[li]!;
    const rv = this.weights.runningVar[li]!;
    for (let k = 0; k < mean.length; k++) { mean[k] = rm[k]; invStd[k] = 1 / Math.sqrt(rv[k] + BN_EPS); }
  }

  /** x̂ = (z − mean)·invStd, then the activation (if any) into out. */
  private normalise(li: number, n: number): void {
    const l = this.layers[li];
    const { h, out } = this.buf[li];
    const total = n * l.nout;
    this.normaliseRows(li, n);
    if (l.act) return;
    if (l.sigmoid) for (let i = 0; i < total; i++) out[i] = 1 / (1 + Math.exp(-h[i]));
    else out.set(h.subarray(0, total));
  }

  /**
   * The backward pass of the last training forward pass on the same x: from dOut (the loss's gradient w.r.t. the
   * output, [n × outputWidth]) to the weight gradients in `gw`.
   */
  backward(x: Float32Array, n: number, dOut: Float32Array): void {
    const last = this.layers.length - 1;
    this.buf[last].g.set(dOut.subarray(0, n * this.layers[last].nout));
    const a32 = this.a32;
    for (let li = last; li >= 0; li--) {
      const l = this.layers[li];
      const b = this.buf[li];
      const c = l.nout;
      const m = n * c;
      const g = b.g;
      if (l.sigmoid) {
        const y = b.out;
        for (let i = 0; i < m; i++) { const v = y[i]; g[i] = g[i] * v * (1 - v); }
      }
      if (l.bn) {
        this.bnBackward(li, n);
      } else if (l.act) {
        const z = b.z;
        for (let i = 0; i < m; i++) if (!(z[i] > 0)) g[i] = g[i] * a32;
      }
      this.weightGrad(li, li === 0 ? this.backwardInput(x) : this.buf[li - 1].out, n);
      if (li > 0) this.inputGrad(li, n);
    }
  }
}

/**
 * C[i, j] = Σ_k A[i·ai + k·ak]·B[j·bj + k·bk] for i < m, j < p, k < q, into C [m × p] row-major: the three products of
 * a dense layer (a·W, aᵀ·g, g·Wᵀ) by their strides, without transposing. Every sum in a float64 register, 4 rows ×
 * 2 columns at a time (each loaded value used two or four times: ~3× faster than one at a time).
 */
export function gemm(A: Float32Array, ai: number, ak: number, B: Float32Array, bj: number, bk: number,
  m: number, p: number, q: number, C: Float32Array): void {
  const ai2 = 2 * ai;
  const ai3 = 3 * ai;
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const a0 = i * ai;
    const c0 = i * p;
    let j = 0;
    for (; j + 1 < p; j += 2) {
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      let pa = a0;
      let pb = j * bj;
      for (let k = 0; k < q; k++) {
        const y0 = B[pb];
        const y1 = B[pb + bj];
        const x0 = A[pa];
        const x1 = A[pa + ai];
        const x2 = A[pa + ai2];
        const x3 = A[pa + ai3];
        s00 += x0 * y0; s01 += x0 * y1; s10 += x1 * y0; s11 += x1 * y1;
        s20 += x2 * y0; s21 += x2 * y1; s30 += x3 * y0; s31 += x3 * y1;
        pa += ak;
        pb += bk;
      }
      const c = c0 + j;
      C[c] = s00; C[c + 1] = s01; C[c + p] = s10; C[c + p + 1] = s11;
      C[c + 2 * p] = s20; C[c + 2 * p + 1] = s21; C[c + 3 * p] = s30; C[c + 3 * p + 1] = s31;
    }
    if (j < p) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let pa = a0;
      let pb = j * bj;
      for (let k = 0; k < q; k++) {
        const y = B[pb];
        s0 += A[pa] * y; s1 += A[pa + ai] * y; s2 += A[pa + ai2] * y; s3 += A[pa + ai3] * y;
        pa += ak;
        pb += bk;
      }
      const c = c0 + j;
      C[c] = s0; C[c + p] = s1; C[c + 2 * p] = s2; C[c + 3 * p] = s3;
    }
  }
  for (; i < m; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      let pa = i * ai;
      let pb = j * bj;
      for (let k = 0; k < q; k++) { s += A[pa] * B[pb]; pa += ak; pb += bk; }
      C[i * p + j] = s;
    }
  }
}
