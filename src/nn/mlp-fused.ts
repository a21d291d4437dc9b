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
interface Buffers {
  /** dense output, before batch norm */
  z: Float32Array;
  /** x̂ (with batch norm) */
  h: Float32Array;
  /** the layer's output */
  out: Float32Array;
  /** batch norm: 1/√(σ² + ε) */
  invStd: Float64Array;
  /** gradient w.r.t. the layer's output, then w.r.t. z */
  g: Float32Array;
}

export class FusedMlp {
  readonly layers: readonly FusedLayer[];
  /** weight gradients of the last backward pass, float32 like the weights */
  readonly gw: Float32Array[];
  private readonly a32: number;
  private readonly b32: number;
  private buf: Buffers[] = [];
  private cap = 0;
  private readonly acc: Float64Array;

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
    this.b32 = 1 - this.a32;
    this.acc = new Float64Array(Math.max(...layers.map((l) => l.nin * l.nout)));
  }

  get inputWidth(): number { return this.layers[0].nin; }
  get outputWidth(): number { return this.layers[this.layers.length - 1].nout; }

  private ensure(n: number): void {
    if (n <= this.cap) return;
    this.cap = n;
    this.buf = this.layers.map((l) => ({
      z: new Float32Array(n * l.nout), h: new Float32Array(l.bn ? n * l.nout : 0), out: new Float32Array(n * l.nout),
      invStd: new Float64Array(l.nout), g: new Float32Array(n * l.nout),
    }));
  }

  /**
   * The forward pass of n rows of x ([n × inputWidth]). Training: batch norm with the batch's statistics, updating
   * the running averages (as batchnorm.ts: momentum 0.1, unbiased variance; not with one row). Returns a view of
   * the output [n × outputWidth], valid until the next call.
   */
  forward(x: Float32Array, n: number, training: boolean): Float32Array {
    this.ensure(n);
    let a = x;
    for (let li = 0; li < this.layers.length; li++) {
      const l = this.layers[li];
      const b = this.buf[li];
      dense(a, this.weights.w[li], n, l.nin, l.nout, b.z, this.acc);
      let pre = b.z;
      if (l.bn) {
        if (training) this.bnTrain(li, n);
        else this.bnEval(li, n);
        pre = b.h;
      }
      const out = b.out.subarray(0, n * l.nout);
      const m = n * l.nout;
      if (l.act) {
        const a32 = this.a32;
        const b32 = this.b32;
        // TF.js's leaky ReLU (x < 0 ? α·x : x) in the branch-free form of js-kernels.ts
        for (let i = 0; i < m; i++) { const v = pre[i]; out[i] = v * (a32 + b32 * ((v >= 0) as unknown as number)); }
      } else if (l.sigmoid) {
        for (let i = 0; i < m; i++) out[i] = 1 / (1 + Math.exp(-pre[i]));
      } else {
        out.set(pre.subarray(0, m));
      }
      a = out;
    }
    return a;
  }

  /** x̂ with the batch statistics (sums in float64, as js-kernels.ts), and the running averages' update. */
  private bnTrain(li: number, n: number): void {
    const c = this.layers[li].nout;
    const { z, h, invStd } = this.buf[li];
    const total = n * c;
    const s1 = new Float64Array(c);
    for (let i = 0; i < total; i += c) for (let k = 0; k < c; k++) s1[k] += z[i + k];
    for (let k = 0; k < c; k++) s1[k] /= n;
    const s2 = new Float64Array(c);
    for (let i = 0; i < total; i += c) for (let k = 0; k < c; k++) { const d = z[i + k] - s1[k]; s2[k] += d * d; }
    const rm = this.weights.runningMean[li]!;
    const rv = this.weights.runningVar[li]!;
    const unbias = Math.fround(n / (n - 1));
    for (let k = 0; k < c; k++) {
      const v = s2[k] / n;
      invStd[k] = 1 / Math.sqrt(v + BN_EPS);
      // running averages in float32 operations on the float32 batch statistics, as batchnorm.ts's tf ops
      rm[k] = Math.fround(Math.fround(rm[k] * F32_KEEP) + Math.fround(Math.fround(s1[k]) * F32_MOMENTUM));
      if (n > 1) {
        const unbiased = Math.fround(Math.fround(v) * unbias);
        rv[k] = Math.fround(Math.fround(rv[k] * F32_KEEP) + Math.fround(unbiased * F32_MOMENTUM));
      }
    }
    for (let i = 0; i < total; i += c) for (let k = 0; k < c; k++) h[i + k] = (z[i + k] - s1[k]) * invStd[k];
  }

  /** x̂ with the running statistics (TF.js batchNorm: (x − μ)·1/√(σ² + ε)). */
  private bnEval(li: number, n: number): void {
    const c = this.layers[li].nout;
    const { z, h, invStd } = this.buf[li];
    const rm = this.weights.runningMean[li]!;
    const rv = this.weights.runningVar[li]!;
    for (let k = 0; k < c; k++) invStd[k] = 1 / Math.sqrt(rv[k] + BN_EPS);
    const total = n * c;
    for (let i = 0; i < total; i += c) for (let k = 0; k < c; k++) h[i + k] = (z[i + k] - rm[k]) * invStd[k];
  }

  /**
   * The backward pass of the last training forward pass on the same x: from dOut (the loss's gradient w.r.t. the
   * output, [n × outputWidth]) to the weight gradients in `gw`.
   */
  backward(x: Float32Array, n: number, dOut: Float32Array): void {
    const last = this.layers.length - 1;
    const top = this.buf[last].g;
    top.set(dOut.subarray(0, n * this.layers[last].nout));
    for (let li = last; li >= 0; li--) {
      const l = this.layers[li];
      const b = this.buf[li];
      const c = l.nout;
      const m = n * c;
      const g = b.g;
      if (l.sigmoid) {
        const y = b.out;
        for (let i = 0; i < m; i++) g[i] = g[i] * y[i] * (1 - y[i]);
      } else if (l.act) {
        // the leaky-ReLU gradient on its input (x̂ with batch norm): α below 0
        const pre = l.bn ? b.h : b.z;
        const a32 = this.a32;
        const b32 = this.b32;
        for (let i = 0; i < m; i++) g[i] = g[i] * (a32 + b32 * ((pre[i] > 0) as unknown as number));
      }
      if (l.bn) {
        // dz = inv/n · (n·g − Σg − x̂·Σ(g·x̂)), sums in float64 (batchnorm.ts)
        const h = b.h;
        const sumG = new Float64Array(c);
        const sumGh = new Float64Array(c);
        for (let i = 0; i < m; i += c) for (let k = 0; k < c; k++) { const v = g[i + k]; sumG[k] += v; sumGh[k] += v * h[i + k]; }
        const inv = b.invStd;
        for (let i = 0; i < m; i += c) {
          for (let k = 0; k < c; k++) g[i + k] = (inv[k] / n) * (n * g[i + k] - sumG[k] - h[i + k] * sumGh[k]);
        }
      }
      const a = li === 0 ? x : this.buf[li - 1].out;
      weightGrad(a, g, n, l.nin, c, this.gw[li], this.acc);
      if (li > 0) inputGrad(g, this.weights.w[li], n, l.nin, c, this.buf[li - 1].g);
    }
  }
}

/** z = a·W for a [n × nin], W [nin × nout]; row sums in float64. */
function dense(a: Float32Array, w: Float32Array, n: number, nin: number, nout: number, z: Float32Array, acc: Float64Array): void {
  for (let i = 0; i < n; i++) {
    acc.fill(0, 0, nout);
    const ai = i * nin;
    for (let k = 0; k < nin; k++) {
      const v = a[ai + k];
      if (v === 0) continue;
      const wk = k * nout;
      for (let j = 0; j < nout; j++) acc[j] += v * w[wk + j];
    }
    const zi = i * nout;
    for (let j = 0; j < nout; j++) z[zi + j] = acc[j];
  }
}

/** gW = aᵀ·g, the sum over the batch in float64. */
function weightGrad(a: Float32Array, g: Float32Array, n: number, nin: number, nout: number, gw: Float32Array, acc: Float64Array): void {
  const size = nin * nout;
  acc.fill(0, 0, size);
  for (let i = 0; i < n; i++) {
    const ai = i * nin;
    const gi = i * nout;
    for (let k = 0; k < nin; k++) {
      const v = a[ai + k];
      if (v === 0) continue;
      const wk = k * nout;
      for (let j = 0; j < nout; j++) acc[wk + j] += v * g[gi + j];
    }
  }
  for (let q = 0; q < size; q++) gw[q] = acc[q];
}

/** dA = g·Wᵀ, into the previous layer's gradient buffer. */
function inputGrad(g: Float32Array, w: Float32Array, n: number, nin: number, nout: number, da: Float32Array): void {
  for (let i = 0; i < n; i++) {
    const gi = i * nout;
    const di = i * nin;
    for (let k = 0; k < nin; k++) {
      const wk = k * nout;
      let s = 0;
      for (let j = 0; j < nout; j++) s += g[gi + j] * w[wk + j];
      da[di + k] = s;
    }
  }
}
