/**
 * Dictionary initialisation of the first convolution (the original's `--weight_dict_init 1`, `learn_dictionary`):
 * all 5×5 patches of 500 random training images, each patch dimension standardised by its mean and standard
 * deviation over all patches, then scikit-learn's MiniBatchDictionaryLearning(n_components = number of filters,
 * alpha = 1, n_iter = 1000, batch_size = 10, shuffle = True) as scikit-learn 0.19 (the original's) ran it:
 *
 *   init    D = the top-k right singular vectors of the data, each scaled by its singular value (k > d: the extra
 *           atoms random unit vectors, where scikit-learn resampled its zero atoms)
 *   repeat  n_iter times, on the next batch of the shuffled patches (cycling):
 *             codes  c = argmin ½‖x − Dᵀc‖² + α‖c‖₁ for each patch (the Lasso scikit-learn solves by LARS; here by
 *                    coordinate descent on the Gram matrix, the same minimiser)
 *             A ← β·A + Σ c cᵀ,  B ← β·B + Σ x cᵀ, β = (θ + 1 − b)/(θ + 1), θ = (t+1)·b for t < b − 1, else b² + t + 1 − b
 *             atoms  for each k: R = B − D·A + d_k a_kᵀ; d_k = R·a_k, normalised to unit length (a random unit
 *                    vector if it vanishes)
 *
 * The atoms, reshaped to 5×5×C (patches are read in the images' own height, width, channel order, so RGB images are
 * not scrambled as the original's reshape scrambled them), become conv1's filters. Pure functions; the random numbers
 * come from the caller's generator.
 */
import { gaussian, permutation, type Rng } from '../util/rng.js';

export interface DictionaryOptions {
  nComponents: number;
  alpha?: number;
  nIter?: number;
  batchSize?: number;
}

/** What the fit needs of the data: n rows of d values, their Gram matrix XᵀX, and a way to read row i. */
export interface DictionaryData {
  n: number;
  d: number;
  /** XᵀX, d × d row-major */
  gram: Float64Array;
  row(i: number, out: Float64Array): void;
}

/** Learns k atoms (k × d row-major, unit rows). */
export function fitDictionary(data: DictionaryData, o: DictionaryOptions, rng: Rng): Float64Array {
  const { n, d } = data;
  const k = o.nComponents;
  const alpha = o.alpha ?? 1;
  const nIter = o.nIter ?? 1000;
  const b = o.batchSize ?? 10;
  // initial dictionary from the SVD: right singular vectors = eigenvectors of XᵀX, singular values = √eigenvalues
  const { values, vectors } = symmetricEigen(data.gram, d);
  const order = Array.from(values.keys()).sort((p, q) => values[q] - values[p]);
  const D = new Float64Array(k * d);
  for (let j = 0; j < k; j++) {
    if (j < d) {
      const s = Math.sqrt(Math.max(0, values[order[j]]));
      for (let i = 0; i < d; i++) D[j * d + i] = s * vectors[i * d + order[j]];
    } else randomUnit(D, j, d, rng);
  }
  const perm = permutation(n, rng);
  const A = new Float64Array(k * k);
  const B = new Float64Array(d * k);
  const X = new Float64Array(b * d);
  const C = new Float64Array(b * k);
  let pos = 0;
  for (let t = 0; t < nIter; t++) {
    // the next batch of the shuffled rows, cycling (scikit-learn's gen_batches: the last one may be shorter)
    const m = Math.min(b, n - pos);
    for (let r = 0; r < m; r++) data.row(perm[pos + r], X.subarray(r * d, (r + 1) * d));
    pos = pos + m >= n ? 0 : pos + m;
    lassoCodes(D, k, d, X, m, alpha, C);
    const theta = t < b - 1 ? (t + 1) * b : b * b + t + 1 - b;
    const beta = (theta + 1 - b) / (theta + 1);
    for (let i = 0; i < A.length; i++) A[i] *= beta;
    for (let i = 0; i < B.length; i++) B[i] *= beta;
    for (let r = 0; r < m; r++) {
      const c = C.subarray(r * k, (r + 1) * k);
      const x = X.subarray(r * d, (r + 1) * d);
      for (let p = 0; p < k; p++) {
        if (c[p] === 0) continue;
        for (let q = 0; q < k; q++) A[p * k + q] += c[p] * c[q];
        for (let i = 0; i < d; i++) B[i * k + p] += x[i] * c[p];
      }
    }
    updateDictionary(D, k, d, A, B, rng);
  }
  return D;
}

/** The same fit on an explicit n × d matrix (tests, small data). */
export function fitDictionaryMatrix(X: Float64Array, n: number, d: number, o: DictionaryOptions, rng: Rng): Float64Array {
  const gram = new Float64Array(d * d);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) {
      const xi = X[r * d + i];
      if (xi === 0) continue;
      for (let j = 0; j < d; j++) gram[i * d + j] += xi * X[r * d + j];
    }
  }
  return fitDictionary({ n, d, gram, row: (i, out) => out.set(X.subarray(i * d, (i + 1) * d)) }, o, rng);
}

/** scikit-learn 0.19's _update_dict(D, Y = B, code = A), atoms as rows of D. */
function updateDictionary(D: Float64Array, k: number, d: number, A: Float64Array, B: Float64Array, rng: Rng): void {
  // R = B − D·A  (d × k), with D as columns: (Dᵀ)[i][p] = D[p*d+i]
  const R = Float64Array.from(B);
  for (let i = 0; i < d; i++) {
    for (let q = 0; q < k; q++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += D[p * d + i] * A[p * k + q];
      R[i * k + q] -= s;
    }
  }
  for (let p = 0; p < k; p++) {
    // R += d_p a_pᵀ ; d_p = R a_p ; normalise ; R -= d_p a_pᵀ
    for (let i = 0; i < d; i++) for (let q = 0; q < k; q++) R[i * k + q] += D[p * d + i] * A[p * k + q];
    let norm2 = 0;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += R[i * k + q] * A[p * k + q];
      D[p * d + i] = s;
      norm2 += s * s;
    }
    if (norm2 < 1e-20) randomUnit(D, p, d, rng);
    else { const inv = 1 / Math.sqrt(norm2); for (let i = 0; i < d; i++) D[p * d + i] *= inv; }
    for (let i = 0; i < d; i++) for (let q = 0; q < k; q++) R[i * k + q] -= D[p * d + i] * A[p * k + q];
  }
}

/**
 * Lasso codes of m rows: argmin ½‖x − Dᵀc‖² + α‖c‖₁ by cyclic coordinate descent on G = D·Dᵀ. Each coordinate's
 * ρ_p = q_p − Σ_{q≠p} G_pq c_q sums over the nonzero codes only, in ascending q (`active`): the skipped terms are exact
 * zeros, so the result is the full sum's bit for bit, at O(nonzeros) instead of O(k) a coordinate — with MNIST
 * architecture 2's 256 atoms on 25-value patches (a few dozen nonzeros) the full sum made the fit take minutes.
 */
export function lassoCodes(D: Float64Array, k: number, d: number, X: Float64Array, m: number, alpha: number, out: Float64Array): void {
  const G = new Float64Array(k * k);
  for (let p = 0; p < k; p++) {
    for (let q = p; q < k; q++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += D[p * d + i] * D[q * d + i];
      G[p * k + q] = G[q * k + p] = s;
    }
  }
  const qv = new Float64Array(k);
  const active = new Int32Array(k);
  for (let r = 0; r < m; r++) {
    const c = out.subarray(r * k, (r + 1) * k);
    c.fill(0);
    let nActive = 0;
    for (let p = 0; p < k; p++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += D[p * d + i] * X[r * d + i];
      qv[p] = s;
    }
    for (let sweep = 0; sweep < 1000; sweep++) {
      let maxDelta = 0;
      let maxC = 0;
      for (let p = 0; p < k; p++) {
        const gpp = G[p * k + p];
        if (gpp <= 0) continue;
        let rho = qv[p];
        const row = p * k;
        for (let j = 0; j < nActive; j++) {
          const q = active[j];
          if (q !== p) rho -= G[row + q] * c[q];
        }
        const v = rho > alpha ? (rho - alpha) / gpp : rho < -alpha ? (rho + alpha) / gpp : 0;
        maxDelta = Math.max(maxDelta, Math.abs(v - c[p]));
        if ((v !== 0) !== (c[p] !== 0)) nActive = v !== 0 ? insertSorted(active, nActive, p) : removeSorted(active, nActive, p);
        c[p] = v;
        maxC = Math.max(maxC, Math.abs(v));
      }
      if (maxDelta <= 1e-10 * Math.max(1, maxC)) break;
    }
  }
}

/** Inserts p into the ascending list a[0..n) (p not in it); returns the new length. */
function insertSorted(a: Int32Array, n: number, p: number): number {
  let j = n;
  while (j > 0 && a[j - 1] > p) { a[j] = a[j - 1]; j--; }
  a[j] = p;
  return n + 1;
}

/** Removes p from the ascending list a[0..n) (p in it); returns the new length. */
function removeSorted(a: Int32Array, n: number, p: number): number {
  let j = a.indexOf(p);
  for (; j < n - 1; j++) a[j] = a[j + 1];
  return n - 1;
}

/** Eigen-decomposition of a symmetric d × d matrix by cyclic Jacobi rotations: values, and vectors as columns. */
export function symmetricEigen(M: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(M);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) { const x = a[i * d + j] ** 2; total += x; if (i !== j) off += x; }
    if (off <= 1e-24 * total || off === 0) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < d; r++) {
          const arp = a[r * d + p], arq = a[r * d + q];
          a[r * d + p] = c * arp - s * arq;
          a[r * d + q] = s * arp + c * arq;
        }
        for (let r = 0; r < d; r++) {
          const apr = a[p * d + r], aqr = a[q * d + r];
          a[p * d + r] = c * apr - s * aqr;
          a[q * d + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < d; r++) {
          const vrp = v[r * d + p], vrq = v[r * d + q];
          v[r * d + p] = c * vrp - s * vrq;
          v[r * d + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: d }, (_, i) => a[i * d + i]), vectors: v };
}

function randomUnit(D: Float64Array, p: number, d: number, rng: Rng): void {
  let n2 = 0;
  for (let i = 0; i < d; i++) { const g = gaussian(rng); D[p * d + i] = g; n2 += g * g; }
  const inv = 1 / Math.sqrt(n2 || 1);
  for (let i = 0; i < d; i++) D[p * d + i] *= inv;
}

/**
 * The original's learn_dictionary on channels-last images (n × h × w × c float32): the 5×5 (size × size) patches of
 * `nSample` images drawn with `rng`, standardised per dimension, then fitDictionary. Returns the atoms (k × size·size·c,
 * each in height, width, channel order) — conv1's filters [size, size, c, k] after a transpose.
 */
export function learnDictionary(images: Float32Array, dims: { n: number; height: number; width: number; channels: number },
  o: DictionaryOptions & { nSample?: number; size?: number }, rng: Rng): Float64Array {
  const { height: h, width: w, channels: ch } = dims;
  const size = o.size ?? 5;
  const nImg = Math.min(o.nSample ?? 500, dims.n);
  const imgs = permutation(dims.n, rng).subarray(0, nImg);
  const ph = h - size + 1;
  const pw = w - size + 1;
  const d = size * size * ch;
  const n = nImg * ph * pw;
  const rowRaw = (i: number, out: Float64Array) => {
    const img = imgs[Math.floor(i / (ph * pw))];
    const rem = i % (ph * pw);
    const y0 = Math.floor(rem / pw);
    const x0 = rem % pw;
    let k = 0;
    for (let y = 0; y < size; y++) {
      const base = ((img * h + y0 + y) * w + x0) * ch;
      for (let t = 0; t < size * ch; t++) out[k++] = images[base + t];
    }
  };
  // per-dimension mean and standard deviation, and the raw Gram matrix, in one pass over all patches
  const sum = new Float64Array(d);
  const raw = new Float64Array(d * d);
  const x = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    rowRaw(i, x);
    for (let a = 0; a < d; a++) {
      const xa = x[a];
      sum[a] += xa;
      for (let b = a; b < d; b++) raw[a * d + b] += xa * x[b];
    }
  }
  const mean = Float64Array.from(sum, (s) => s / n);
  const std = new Float64Array(d);
  for (let a = 0; a < d; a++) {
    const v = raw[a * d + a] / n - mean[a] * mean[a];
    std[a] = v > 1e-24 ? Math.sqrt(v) : 1;
  }
  // Gram matrix of the standardised patches: (XᵀX − n·μμᵀ) / (σσᵀ)
  const gram = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      gram[a * d + b] = gram[b * d + a] = (raw[a * d + b] - n * mean[a] * mean[b]) / (std[a] * std[b]);
    }
  }
  const row = (i: number, out: Float64Array) => {
    rowRaw(i, out);
    for (let a = 0; a < d; a++) out[a] = (out[a] - mean[a]) / std[a];
  };
  return fitDictionary({ n, d, gram, row }, o, rng);
}

/** Atoms (k × size·size·c) as a conv filter [size, size, c, k] (TF.js layout). */
export function atomsToFilter(atoms: Float64Array, k: number, size: number, ch: number): Float32Array {
  const d = size * size * ch;
  const out = new Float32Array(d * k);
  for (let p = 0; p < k; p++) for (let i = 0; i < d; i++) out[i * k + p] = atoms[p * d + i];
  return out;
}
