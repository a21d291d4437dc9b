/**
 * Hypersphere-collapse diagnostics (Ruff et al. 2018, Prop. 2–3: a network with biases, or a learnt centre, can map
 * every input to one point and reach the one-class objective's trivial minimum). PyOD shipped such a DeepSVDD for
 * years (one distinct score on 10 of 17 datasets; PyOD #606, #641, PR #711) while its tests passed. Pure functions on
 * the squared training distances d = ‖φ(x) − c‖², the test scores and c.
 *
 * The figures:
 *   train_distance_spread   (p95 − p5) / median of d: the spread of the training distances relative to their size.
 *                           A network mapping every input to one point a ≠ c gives d ≈ ‖a − c‖² for all: near 0.
 *   distance_to_c           median(d) / ‖c‖²: how far the outputs lie from c, relative to c's own size.
 *                           A network mapping every input onto c gives 0 (up to rounding).
 *   distance_shrink         mean(d) after training / mean(d) at the start (the outputs' move towards c); only a record,
 *                           not part of the rule (a long healthy run shrinks a lot too), absent when unknown.
 *   n_distinct_test_scores  distinct float32 test scores; distinct_test_score_fraction, that over the test size.
 *
 * The rule (COLLAPSE_LIMITS; README "Collapse diagnostics" says how the limits were chosen from measured runs):
 * collapsed when the spread is below 0.5, or the distance to c below 1e-6, or at most 1 % of the test scores (and
 * at most 2 when the test set is small) are distinct.
 */
import { quantile } from './metrics.js';

export const COLLAPSE_LIMITS = {
  /** healthy runs measured: ≥ 0.90 (183 paper-setting runs); collapsed: 0.10–0.19 */
  minSpread: 0.5,
  /** healthy runs measured: ≥ 8.6e-5 (ODDS shuttle), ≥ 1.7e-4 (MNIST) */
  minDistanceToC: 1e-6,
  /** PyOD's collapse: one distinct score */
  minDistinctFraction: 0.01,
} as const;

export interface CollapseDiagnostics {
  train_distance_spread: number;
  distance_to_c: number;
  distance_shrink?: number;
  n_distinct_test_scores: number;
  distinct_test_score_fraction: number;
  collapsed: boolean;
  /** the figures that crossed their limits, in words */
  reasons: string[];
}

/** The number of distinct values of `v` as float32 (the precision scores are kept in). */
export function distinctFloat32(v: ArrayLike<number>): number {
  return new Set(Float32Array.from(v as ArrayLike<number>)).size;
}

export function collapseDiagnostics(o: {
  trainDistances: ArrayLike<number>; testScores: ArrayLike<number>; c: ArrayLike<number>; initialMeanDistance?: number;
}): CollapseDiagnostics {
  const d = o.trainDistances;
  if (d.length === 0 || o.testScores.length === 0) throw new Error('collapseDiagnostics: empty input');
  const median = quantile(d, 0.5);
  const spreadAbs = quantile(d, 0.95) - quantile(d, 0.05);
  // every distance 0: no spread at all (0 / 0 counts as collapsed)
  const spread = median > 0 ? spreadAbs / median : spreadAbs > 0 ? Infinity : 0;
  let c2 = 0;
  for (let j = 0; j < o.c.length; j++) c2 += o.c[j] * o.c[j];
  const toC = c2 > 0 ? median / c2 : median > 0 ? Infinity : 0;
  let mean = 0;
  for (let i = 0; i < d.length; i++) mean += d[i];
  mean /= d.length;
  const nDistinct = distinctFloat32(o.testScores);
  const fraction = nDistinct / o.testScores.length;
  const reasons: string[] = [];
  const L = COLLAPSE_LIMITS;
  if (spread < L.minSpread) reasons.push(`the training distances hardly differ (spread (p95 − p5)/median ${fmt(spread)} < ${L.minSpread})`);
  if (toC < L.minDistanceToC) reasons.push(`the outputs sit on c (median distance / ‖c‖² ${fmt(toC)} < ${L.minDistanceToC})`);
  if (fraction <= L.minDistinctFraction || nDistinct <= Math.min(2, o.testScores.length - 1)) reasons.push(`${nDistinct} distinct test score${nDistinct === 1 ? '' : 's'} of ${o.testScores.length}`);
  return {
    train_distance_spread: spread, distance_to_c: toC,
    ...(o.initialMeanDistance !== undefined && o.initialMeanDistance > 0 ? { distance_shrink: mean / o.initialMeanDistance } : {}),
    n_distinct_test_scores: nDistinct, distinct_test_score_fraction: fraction, collapsed: reasons.length > 0, reasons,
  };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(3) : String(v);
}
