/**
 * One-class SVM (Schölkopf et al. 2001) with an RBF kernel k(x, y) = exp(−γ‖x − y‖²), trained by libsvm (the npm
 * package libsvm-js, libsvm compiled to WebAssembly; the same solver scikit-learn's OneClassSVM wraps). For up to
 * PRECOMPUTED_MAX training samples the kernel matrix is handed to libsvm precomputed (libsvm's kernel type 4), from
 * squared distances computed once per training set (trainDistances) for the whole γ grid: libsvm's own RBF kernel
 * recomputes every entry with a scalar loop in WebAssembly, several times slower for MNIST-sized problems. Both give
 * the same solution. libsvm-js does not return decision values, so they are computed here from the trained model's
 * support vectors (their indices into the training set), dual coefficients and offset ρ, read from libsvm's own
 * model file:
 *
 *   f(x) = Σ_i α_i k(sv_i, x) − ρ        (> 0 inside the boundary; scikit-learn's decision_function)
 *
 * The anomaly score is −f(x); a sample is predicted an outlier when f(x) < 0 (libsvm's predict gives −1).
 */
import { createRequire } from 'node:module';
import { forEachDistanceRow, rowNorms, takeRows, type Rows } from './distances.js';

/**
 * Largest training set whose kernel matrix is precomputed: libsvm holds it as 16-byte nodes in its WebAssembly heap
 * (n² · 16 bytes: 1 GB at 8000), which cannot grow past 2 GB.
 */
export const PRECOMPUTED_MAX = 8000;

/** Squared distances between all training samples (n × n, float32), for precomputed kernels. */
export function trainDistances(train: Rows): Float32Array {
  const out = new Float32Array(train.n * train.n);
  const norms = rowNorms(train);
  forEachDistanceRow(train, train, (i, dist) => out.set(dist, i * train.n), norms, norms);
  return out;
}

/** Squared distances of a set of n samples (row-major n × n), and the rows of the training set within it. */
export interface PrecomputedDistances { dist: Float32Array; n: number; idx?: ArrayLike<number> }

type Libsvm = Awaited<typeof import('libsvm-js')['default']>;
let loading: Promise<Libsvm> | undefined;

/** libsvm-js, loaded once. Its loader tries fetch() on a file path first and warns; without fetch it reads the file. */
export function loadLibsvm(): Promise<Libsvm> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    const g = globalThis as { fetch?: unknown };
    const fetchBefore = g.fetch;
    g.fetch = undefined;
    try {
      return await (require('libsvm-js') as Promise<Libsvm>);
    } finally {
      g.fetch = fetchBefore;
    }
  })();
  return loading;
}

export interface OcsvmModel {
  gamma: number;
  nu: number;
  rho: number;
  /** α_i of each support vector */
  coef: Float64Array;
  /** indices of the support vectors in the training set */
  svIndices: number[];
  sv: Rows;
}

/** Reads ρ and the dual coefficients from a libsvm model file (one "coef idx:val ..." line per support vector after "SV"). */
export function parseLibsvmModel(text: string): { rho: number; coef: Float64Array; gamma: number | null } {
  const lines = text.split('\n');
  const value = (key: string) => {
    const l = lines.find((s) => s.startsWith(`${key} `));
    if (!l) throw new Error(`libsvm model: no ${key}`);
    return Number(l.slice(key.length + 1));
  };
  const at = lines.indexOf('SV');
  if (at < 0) throw new Error('libsvm model: no SV section');
  const coef = lines.slice(at + 1).filter((l) => l.trim()).map((l) => Number(l.trim().split(/\s+/)[0]));
  // a precomputed kernel's model has no gamma line
  return { rho: value('rho'), gamma: lines.some((l) => l.startsWith('gamma ')) ? value('gamma') : null, coef: Float64Array.from(coef) };
}

/**
 * libsvm's input rows for a precomputed kernel, made when libsvm-js copies them into its heap (so that the n × n
 * kernel matrix never exists in JavaScript): row i is [i + 1 (libsvm's serial number), k(x_i, x_1), …, k(x_i, x_n)].
 */
function kernelRows(pre: PrecomputedDistances, n: number, gamma: number): ArrayLike<number>[] {
  const at = (i: number) => (pre.idx ? pre.idx[i] : i);
  const row = (i: number) => {
    const r = new Float64Array(n + 1);
    r[0] = i + 1;
    const off = at(i) * pre.n;
    for (let j = 0; j < n; j++) r[j + 1] = Math.exp(-gamma * pre.dist[off + at(j)]);
    return r;
  };
  return new Proxy([] as ArrayLike<number>[], {
    get(target, prop) {
      if (prop === 'length') return n;
      if (typeof prop === 'string' && /^\d+$/.test(prop)) return row(Number(prop));
      return Reflect.get(target, prop);
    },
  });
}

/**
 * Trains a one-class SVM on the rows of `train`. With `pre` (the squared distances of the training samples, see
 * trainDistances) the kernel matrix is precomputed from it; without, libsvm evaluates the RBF kernel itself.
 */
export async function fitOcsvm(train: Rows, o: { gamma: number; nu: number; cacheMb?: number; tolerance?: number }, pre?: PrecomputedDistances): Promise<OcsvmModel> {
  const SVM = await loadLibsvm();
  const svm = new SVM({
    type: SVM.SVM_TYPES.ONE_CLASS, kernel: pre ? SVM.KERNEL_TYPES.PRECOMPUTED : SVM.KERNEL_TYPES.RBF, gamma: o.gamma, nu: o.nu,
    cacheSize: o.cacheMb ?? 200, tolerance: o.tolerance ?? 1e-3, shrinking: true, quiet: true,
  });
  let samples: ArrayLike<number>[];
  if (pre) {
    samples = kernelRows(pre, train.n, o.gamma);
  } else {
    samples = [];
    for (let i = 0; i < train.n; i++) samples.push(Float64Array.from(train.x.subarray(i * train.d, (i + 1) * train.d)));
  }
  try {
    svm.train(samples, new Array<number>(train.n).fill(1));
    const svIndices = svm.getSVIndices();
    const { rho, coef } = parseLibsvmModel(svm.serializeModel());
    if (coef.length !== svIndices.length) throw new Error(`libsvm model: ${coef.length} coefficients for ${svIndices.length} support vectors`);
    const model: OcsvmModel = { gamma: o.gamma, nu: o.nu, rho, coef, svIndices, sv: takeRows(train, svIndices) };
    model.rho = exactRho(model) ?? rho;
    return model;
  } finally {
    svm.free();
  }
}

/**
 * libsvm writes ρ with six significant digits only. libsvm's ρ is the mean of Σ_j α_j k(sv_j, sv_i) over the free
 * support vectors (0 < α_i < 1), so it is recomputed here to full precision; null when no support vector is free.
 */
function exactRho(model: OcsvmModel): number | null {
  const free = model.svIndices.map((_, i) => i).filter((i) => model.coef[i] > 1e-12 && model.coef[i] < 1 - 1e-12);
  if (!free.length) return null;
  const g = ocsvmDecision({ ...model, rho: 0 }, takeRows(model.sv, free));
  return g.reduce((a, v) => a + v, 0) / g.length;
}

/** f(x) for every row of `query` (> 0 = inside the boundary = normal). */
export function ocsvmDecision(model: OcsvmModel, query: Rows): Float64Array {
  const out = new Float64Array(query.n);
  const svNorms = rowNorms(model.sv);
  forEachDistanceRow(query, model.sv, (i, dist) => {
    let s = 0;
    for (let j = 0; j < dist.length; j++) s += model.coef[j] * Math.exp(-model.gamma * dist[j]);
    out[i] = s - model.rho;
  }, undefined, svNorms);
  return out;
}
