/**
 * Isolation Forest (Liu, Ting & Zhou 2008) as scikit-learn's IsolationForest builds it: each tree is grown on
 * `maxSamples` training samples drawn without replacement, splitting a node on a feature drawn uniformly among the
 * features not constant in that node, at a threshold uniform between the node's minimum and maximum, down to depth
 * ceil(log2(maxSamples)). A sample's path length is its depth plus c(size) of the leaf it lands in, and its anomaly
 * score is s(x) = 2^(−E[h(x)] / c(maxSamples)) ∈ (0, 1] (higher = more anomalous; sklearn's score_samples is −s).
 */
import { permutation, type Rng } from '../util/rng.js';
import { type Rows } from './distances.js';

const EULER_GAMMA = 0.5772156649015329;

/** The most tree nodes' samples an Isolation Forest may hold: --n-estimators × --max-samples (each sample costs two nodes of 28 bytes). */
export const MAX_FOREST_SAMPLES = 4 * 1024 * 1024;

/**
 * Average path length of an unsuccessful search in a binary search tree of n points, the normaliser c(n):
 * c(n) = 2H(n−1) − 2(n−1)/n with H(i) ≈ ln i + γ; c(1) = 0 and c(2) = 1 (sklearn's _average_path_length).
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** A tree in flat arrays: feature < 0 marks a leaf, whose `size` training samples ended there. */
interface Tree { feature: Int32Array; threshold: Float64Array; left: Int32Array; right: Int32Array; size: Int32Array; depth: Int32Array }

export interface IsolationForest { trees: Tree[]; maxSamples: number; d: number }

export interface IsolationForestOptions { nEstimators: number; maxSamples: number }

/** Grows the forest on the rows of `train`. maxSamples larger than the training set is capped at its size (as sklearn). */
export function fitIsolationForest(train: Rows, o: IsolationForestOptions, rng: Rng): IsolationForest {
  const psi = Math.min(o.maxSamples, train.n);
  const maxDepth = Math.ceil(Math.log2(Math.max(2, psi)));
  const trees: Tree[] = [];
  for (let t = 0; t < o.nEstimators; t++) {
    const sample = permutation(train.n, rng).subarray(0, psi);
    trees.push(growTree(train, Int32Array.from(sample), maxDepth, rng));
  }
  return { trees, maxSamples: psi, d: train.d };
}

function growTree(m: Rows, sample: Int32Array, maxDepth: number, rng: Rng): Tree {
  const cap = 2 * sample.length;
  const tree: Tree = {
    feature: new Int32Array(cap).fill(-1), threshold: new Float64Array(cap), left: new Int32Array(cap), right: new Int32Array(cap),
    size: new Int32Array(cap), depth: new Int32Array(cap),
  };
  let next = 0;
  const d = m.d;
  const allFeatures = Int32Array.from({ length: d }, (_, k) => k);
  // candidates: the features not constant in the parent (a feature constant there is constant in every child)
  const build = (idx: Int32Array, depth: number, candidates: Int32Array): number => {
    const node = next++;
    tree.size[node] = idx.length;
    tree.depth[node] = depth;
    if (depth >= maxDepth || idx.length <= 1) return node;
    // draw features without replacement until one varies in this node
    const pool = Int32Array.from(candidates);
    let live = pool.length;
    let feature = -1; let lo = 0; let hi = 0;
    const varying: number[] = [];
    while (live > 0) {
      const r = Math.floor(rng.next() * live);
      const f = pool[r];
      pool[r] = pool[live - 1]; pool[live - 1] = f; live--;
      let mn = Infinity; let mx = -Infinity;
      for (let k = 0; k < idx.length; k++) { const v = m.x[idx[k] * d + f]; if (v < mn) mn = v; if (v > mx) mx = v; }
      if (mx > mn) { feature = f; lo = mn; hi = mx; varying.push(f); break; }
    }
    if (feature < 0) return node; // every sample in the node is the same point
    // the features still untried may vary too; those tried and found constant are dropped for the children
    for (let k = 0; k < live; k++) varying.push(pool[k]);
    let thr = lo + rng.next() * (hi - lo);
    if (thr >= hi) thr = lo; // guard against rounding up to the maximum
    const l: number[] = []; const r: number[] = [];
    for (const i of idx) (m.x[i * d + feature] <= thr ? l : r).push(i);
    tree.feature[node] = feature;
    tree.threshold[node] = thr;
    const childCandidates = Int32Array.from(varying);
    tree.left[node] = build(Int32Array.from(l), depth + 1, childCandidates);
    tree.right[node] = build(Int32Array.from(r), depth + 1, childCandidates);
    return node;
  };
  build(sample, 0, allFeatures);
  return tree;
}

/** h(x) of one sample in one tree: the depth of its leaf plus c(leaf size). */
export function pathLength(tree: Tree, x: Float32Array | Float64Array, off: number): number {
  let node = 0;
  while (tree.feature[node] >= 0) node = x[off + tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
  return tree.depth[node] + averagePathLength(tree.size[node]);
}

/** s(x) = 2^(−E[h(x)] / c(maxSamples)) for every row of `query`. */
export function isolationScores(forest: IsolationForest, query: Rows): Float64Array {
  if (query.d !== forest.d) throw new Error(`isolation forest: fitted on ${forest.d} features, given ${query.d}`);
  const out = new Float64Array(query.n);
  const c = averagePathLength(forest.maxSamples);
  for (let i = 0; i < query.n; i++) {
    let s = 0;
    for (const t of forest.trees) s += pathLength(t, query.x, i * query.d);
    out[i] = 2 ** (-(s / forest.trees.length) / (c || 1));
  }
  return out;
}
