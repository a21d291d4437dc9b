/**
 * Squared Euclidean distances between the rows of two matrices (row-major, d values per row), the work horse of the
 * RBF kernel and the Gaussian KDE: ‖a−b‖² = ‖a‖² + ‖b‖² − 2a·b, norms in float64, clamped at 0. The dot products
 * come from a replaceable engine: plain JavaScript in float64 by default (exact enough for the tests' reference
 * values), or matrix products on the TF.js backend (float32, ~10–50× faster; useTfDotEngine in dot-tf.ts), which
 * the baseline command uses.
 */

/** A row-major matrix of n rows and d columns. */
export interface Rows { x: Float32Array | Float64Array; n: number; d: number }

/** Squared norm of every row. */
export function rowNorms(m: Rows): Float64Array {
  const out = new Float64Array(m.n);
  for (let i = 0; i < m.n; i++) {
    let s = 0;
    const off = i * m.d;
    for (let k = 0; k < m.d; k++) { const v = m.x[off + k]; s += v * v; }
    out[i] = s;
  }
  return out;
}

/** Dot products of rows i0..i1−1 of a with every row of b: (i1 − i0) × b.n values, row-major. */
export type DotEngine = (a: Rows, i0: number, i1: number, b: Rows) => Float32Array | Float64Array;

/** The plain JavaScript engine (float64 sums). */
export const jsDotEngine: DotEngine = (a, i0, i1, b) => {
  const d = a.d;
  const out = new Float64Array((i1 - i0) * b.n);
  const x = a.x; const y = b.x;
  for (let i = i0; i < i1; i++) {
    const xo = i * d;
    for (let j = 0; j < b.n; j++) {
      const yo = j * d;
      let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;
      let k = 0;
      for (; k + 3 < d; k += 4) {
        s0 += x[xo + k] * y[yo + k];
        s1 += x[xo + k + 1] * y[yo + k + 1];
        s2 += x[xo + k + 2] * y[yo + k + 2];
        s3 += x[xo + k + 3] * y[yo + k + 3];
      }
      for (; k < d; k++) s0 += x[xo + k] * y[yo + k];
      out[(i - i0) * b.n + j] = (s0 + s1) + (s2 + s3);
    }
  }
  return out;
};

let engine: DotEngine = jsDotEngine;

/** Sets the engine every distance computation uses (null: back to plain JavaScript). */
export function useDotEngine(e: DotEngine | null): void {
  engine = e ?? jsDotEngine;
}

/** Rows of `a` per engine call: bounds the block of dot products held at once to ~32 MB. */
function blockRows(nb: number): number {
  return Math.max(1, Math.min(1024, Math.floor(4_000_000 / Math.max(1, nb))));
}

/**
 * Calls `row(i, dist)` for every row i of `a`, with dist[j] = ‖a_i − b_j‖² for every row j of `b` (dist is reused
 * between calls). Norms may be passed in when they are already known.
 */
export function forEachDistanceRow(a: Rows, b: Rows, row: (i: number, dist: Float64Array) => void, normsA?: Float64Array, normsB?: Float64Array): void {
  if (a.d !== b.d) throw new Error(`distances: rows of ${a.d} and ${b.d} values`);
  const na = normsA ?? rowNorms(a);
  const nb = normsB ?? rowNorms(b);
  const dist = new Float64Array(b.n);
  const step = blockRows(b.n);
  for (let i0 = 0; i0 < a.n; i0 += step) {
    const i1 = Math.min(a.n, i0 + step);
    const dots = engine(a, i0, i1, b);
    for (let i = i0; i < i1; i++) {
      const off = (i - i0) * b.n;
      for (let j = 0; j < b.n; j++) {
        const v = na[i] + nb[j] - 2 * dots[off + j];
        dist[j] = v > 0 ? v : 0;
      }
      row(i, dist);
    }
  }
}

/** The full n_a × n_b matrix of squared distances (row-major, float64). */
export function squaredDistances(a: Rows, b: Rows): Float64Array {
  const out = new Float64Array(a.n * b.n);
  forEachDistanceRow(a, b, (i, dist) => out.set(dist, i * b.n));
  return out;
}

/** Rows `idx` of m, as a new matrix. */
export function takeRows(m: Rows, idx: ArrayLike<number>): Rows {
  const x = new Float32Array(idx.length * m.d);
  for (let k = 0; k < idx.length; k++) x.set(m.x.subarray(idx[k] * m.d, (idx[k] + 1) * m.d), k * m.d);
  return { x, n: idx.length, d: m.d };
}

/** The rows of a, then those of b (the same d). */
export function concatRows(a: Rows, b: Rows): Rows {
  const x = new Float32Array((a.n + b.n) * a.d);
  x.set(a.x, 0);
  x.set(b.x, a.n * a.d);
  return { x, n: a.n + b.n, d: a.d };
}
