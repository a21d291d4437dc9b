/**
 * One-class SVM (Schölkopf et al. 2001) with an RBF kernel k(x, y) = exp(−γ‖x − y‖²), trained by libsvm (the npm
 * package libsvm-js, libsvm compiled to WebAssembly; the same solver scikit-learn's OneClassSVM wraps). libsvm-js
 * does not return decision values, so they are computed here from the trained model's support vectors (their
 * indices into the training set), dual coefficients and offset ρ, read from libsvm's own model file:
 *
 *   f(x) = Σ_i α_i k(sv_i, x) − ρ        (> 0 inside the boundary; scikit-learn's decision_function)
 *
 * The anomaly score is −f(x); a sample is predicted an outlier when f(x) < 0 (libsvm's predict gives −1).
 */
import { createRequire } from 'node:module';
import { forEachDistanceRow, rowNorms, takeRows, type Rows } from './distances.js';

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
export function parseLibsvmModel(text: string): { rho: number; coef: Float64Array; gamma: number } {
  const lines = text.split('\n');
  const value = (key: string) => {
    const l = lines.find((s) => s.startsWith(`${key} `));
    if (!l) throw new Error(`libsvm model: no ${key}`);
    return Number(l.slice(key.length + 1));
  };
  const at = lines.indexOf('SV');
  if (at < 0) throw new Error('libsvm model: no SV section');
  const coef = lines.slice(at + 1).filter((l) => l.trim()).map((l) => Number(l.trim().split(/\s+/)[0]));
  return { rho: value('rho'), gamma: value('gamma'), coef: Float64Array.from(coef) };
}

/** Trains a one-class SVM on the rows of `train`. */
export async function fitOcsvm(train: Rows, o: { gamma: number; nu: number; cacheMb?: number; tolerance?: number }): Promise<OcsvmModel> {
  const SVM = await loadLibsvm();
  const svm = new SVM({
    type: SVM.SVM_TYPES.ONE_CLASS, kernel: SVM.KERNEL_TYPES.RBF, gamma: o.gamma, nu: o.nu,
    cacheSize: o.cacheMb ?? 200, tolerance: o.tolerance ?? 1e-3, shrinking: true, quiet: true,
  });
  const samples: Float64Array[] = [];
  for (let i = 0; i < train.n; i++) samples.push(Float64Array.from(train.x.subarray(i * train.d, (i + 1) * train.d)));
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
