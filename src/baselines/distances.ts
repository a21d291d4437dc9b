/**
 * Squared Euclidean distances between the rows of two matrices (row-major, d values per row), the work horse of the
 * RBF kernel and the Gaussian KDE. ‖a−b‖² = ‖a‖² + ‖b‖² − 2a·b with float64 sums, clamped at 0.
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

function dot(x: Float32Array | Float64Array, xo: number, y: Float32Array | Float64Array, yo: number, d: number): number {
  let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;
  let k = 0;
  for (; k + 3 < d; k += 4) {
    s0 += x[xo + k] * y[yo + k];
    s1 += x[xo + k + 1] * y[yo + k + 1];
    s2 += x[xo + k + 2] * y[yo + k + 2];
    s3 += x[xo + k + 3] * y[yo + k + 3];
  }
  for (; k < d; k++) s0 += x[xo + k] * y[yo + k];
  return (s0 + s1) + (s2 + s3);
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
  const d = a.d;
  for (let i = 0; i < a.n; i++) {
    const ai = i * d;
    for (let j = 0; j < b.n; j++) {
      const v = na[i] + nb[j] - 2 * dot(a.x, ai, b.x, j * d, d);
      dist[j] = v > 0 ? v : 0;
    }
    row(i, dist);
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
