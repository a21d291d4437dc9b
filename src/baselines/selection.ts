/**
 * Hyperparameter selection of the shallow baselines: the original's γ grid for the OC-SVM and the hold-out split
 * it selected γ on (a slice of the test set), plus the leakage-free hold-out on training data.
 */
import { permutation, type Rng } from '../util/rng.js';

/** The original's γ grid for the RBF OC-SVM: 2^−10, 2^−9, …, 2^−1. */
export const GAMMA_GRID: readonly number[] = Array.from({ length: 10 }, (_, i) => 2 ** (i - 10));

/** Both classes among labels[idx]? */
function hasBoth(labels: ArrayLike<number>, idx: ArrayLike<number>): boolean {
  let n0 = 0; let n1 = 0;
  for (let k = 0; k < idx.length; k++) { if (labels[idx[k]] === 1) n1++; else n0++; }
  return n0 > 0 && n1 > 0;
}

/** Test images in the hold-out slice of a test set of n: round(fraction·n), at least 1. */
export function testSliceSize(n: number, fraction: number): number {
  return Math.max(1, Math.round(fraction * n));
}

/**
 * The original's protocol: a random `fraction` of the test set becomes the hold-out set γ is chosen on, the rest is
 * the test set reported; redrawn until both parts hold both classes (at most 1000 draws). Indices ascending.
 */
export function splitTestSlice(labels: ArrayLike<number>, fraction: number, rng: Rng): { holdout: Int32Array; rest: Int32Array } {
  const n = labels.length;
  const nHold = testSliceSize(n, fraction);
  if (nHold >= n) throw new Error(`test slice: ${nHold} of ${n} test images leaves none to report on`);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const p = permutation(n, rng);
    const holdout = p.slice(0, nHold).sort();
    const rest = p.slice(nHold).sort();
    if (hasBoth(labels, holdout) && hasBoth(labels, rest)) return { holdout, rest };
  }
  throw new Error(`test slice: no split of the ${n} test images gives both parts normal and outlier images; use more test images`);
}

/** A seeded split of 0..n−1 into a hold-out part of round(fraction·n) (at least 1) and the rest, both ascending. */
export function splitHoldout(n: number, fraction: number, rng: Rng): { holdout: Int32Array; rest: Int32Array } {
  const nHold = Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
  const p = permutation(n, rng);
  return { holdout: p.slice(0, nHold).sort(), rest: p.slice(nHold).sort() };
}

export interface GridPoint<P> { params: P; value: number }

/** The first grid point with the largest value (the order of the grid breaks ties, as sklearn's GridSearchCV). */
export function bestOf<P>(points: ReadonlyArray<GridPoint<P>>): GridPoint<P> {
  if (!points.length) throw new Error('grid search: empty grid');
  let best = points[0];
  for (const p of points) if (p.value > best.value) best = p;
  return best;
}
