/**
 * Deep SVDD radius rules and the centre fix, as pure functions.
 *
 * Conventions: `R` is always the RADIUS of the hypersphere; `d` are always SQUARED distances ‖φ(x) − c‖²
 * (non-negative; tiny negative values from rounding are treated as 0).
 */
import { quantile } from '../eval/metrics.js';

function checkNu(nu: number, fn: string): void {
  if (!(nu > 0 && nu <= 1)) throw new RangeError(`${fn}: nu must lie in (0, 1], got ${nu}`);
}

function checkNonEmpty(d: ArrayLike<number>, fn: string): void {
  if (d.length === 0) throw new Error(`${fn}: empty distance array`);
}

/**
 * One-class radius: R = sqrt of the (1−ν)-quantile of the squared distances (NumPy 'linear' quantile),
 * so that about a fraction ν of the points lies outside the sphere.
 */
export function oneClassRadius(d: ArrayLike<number>, nu: number): number {
  checkNu(nu, 'oneClassRadius');
  checkNonEmpty(d, 'oneClassRadius');
  return Math.sqrt(Math.max(0, quantile(d, 1 - nu)));
}

/**
 * Soft-boundary objective in the radius: F(R) = R² + 1/(ν·n) · Σ_i max(0, d_i − R²).
 */
export function softBoundaryObjective(d: ArrayLike<number>, R: number, nu: number): number {
  checkNu(nu, 'softBoundaryObjective');
  checkNonEmpty(d, 'softBoundaryObjective');
  const s = R * R;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    const e = d[i] - s;
    if (e > 0) sum += e;
  }
  return s + sum / (nu * d.length);
}

/**
 * ⌊ν·n⌋, robust to the rounding of ν·n just below an integer (e.g. 0.29·100 = 28.999999999999996).
 * Either choice at such a point is a minimiser of F (see softBoundaryRadius); this picks the smaller ball.
 */
function floorNuN(nu: number, n: number): number {
  const vn = nu * n;
  return Math.min(n, Math.floor(vn + vn * 1e-12));
}

/**
 * The exact minimiser over R ≥ 0 of the soft-boundary objective F(R) (see softBoundaryObjective).
 *
 * Derivation. Write s = R² ≥ 0 and G(s) = s + 1/(νn)·Σ max(0, d_i − s): convex and piecewise linear, with
 * breakpoints at the d_i. Let d_(1) ≤ … ≤ d_(n) be the sorted distances and N(s) = #{i : d_i > s}. The right
 * derivative is G'(s⁺) = 1 − N(s)/(νn), non-decreasing in s. G is minimised at the smallest s ≥ 0 where
 * G'(s⁺) ≥ 0, i.e. where N(s) ≤ νn ⇔ N(s) ≤ m with m = ⌊νn⌋. N(s) ≤ m holds exactly for s ≥ d_(n−m), so
 *
 *     s* = d_(n−m)  (the (m+1)-th LARGEST distance, m = ⌊νn⌋),   R* = sqrt(s*),
 *
 * and s* = 0 (R* = 0) when m = n, i.e. ν = 1 (then G is flat on [0, d_(1)] and 0 is a minimiser).
 * When νn is an integer, G'(s⁺) = 0 on [d_(n−m), d_(n−m+1)): every s in that interval is a minimiser, and
 * the smallest one, d_(n−m), is returned (R is rounded up by at most an ulp or two so that R·R ≥ s* in
 * float64). With s = s*, the fraction of points outside the sphere,
 * N(s*)/n, is ≤ m/n ≤ ν, and equals m/n > ν − 1/n when the distances are distinct.
 */
export function softBoundaryRadius(d: ArrayLike<number>, nu: number): number {
  checkNu(nu, 'softBoundaryRadius');
  checkNonEmpty(d, 'softBoundaryRadius');
  const n = d.length;
  const m = floorNuN(nu, n);
  const k = n - m; // 1-based rank (ascending) of the minimiser
  if (k <= 0) return 0;
  const sorted = Float64Array.from(d as ArrayLike<number>);
  for (let i = 0; i < n; i++) if (Number.isNaN(sorted[i])) return NaN;
  sorted.sort();
  const s = Math.max(0, sorted[k - 1]);
  // sqrt(s)² can round to just below s, which would count the boundary point d_(n−m) as outside (d > R²).
  // Step R up by one ulp in that case, so that #{d_i > R·R} ≤ ⌊νn⌋ holds exactly in float64.
  let R = Math.sqrt(s);
  while (R * R < s) R = nextUp(R);
  return R;
}

/** The next float64 above a finite non-negative x. */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const buf = new Float64Array([x]);
  const bits = new BigUint64Array(buf.buffer);
  bits[0] += 1n;
  return buf[0];
}

/**
 * The PyTorch port's radius rule: numpy.quantile(sqrt(d), 1 − ν) with linear interpolation (the quantile is
 * taken over the distances, not the squared distances, so it differs from oneClassRadius between points).
 */
export function batchQuantileRadius(d: ArrayLike<number>, nu: number): number {
  checkNu(nu, 'batchQuantileRadius');
  checkNonEmpty(d, 'batchQuantileRadius');
  const dist = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) dist[i] = Math.sqrt(Math.max(0, d[i]));
  return quantile(dist, 1 - nu);
}

/**
 * Pushes centre components away from zero: every c_j with |c_j| < eps becomes −eps if c_j < 0 and +eps
 * otherwise. An EXACT zero (including −0) becomes +eps — a project decision; the original code leaves
 * exact zeros at 0. Returns a new array; `c` is not modified. NaN components are left as they are.
 */
export function centerEpsFix(c: Float32Array, eps = 0.1): Float32Array {
  if (!(eps >= 0)) throw new RangeError(`centerEpsFix: eps must be non-negative, got ${eps}`);
  const out = new Float32Array(c);
  for (let j = 0; j < out.length; j++) {
    const v = out[j];
    if (Math.abs(v) < eps) out[j] = v < 0 ? -eps : eps;
  }
  return out;
}
