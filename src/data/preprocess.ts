/**
 * Image preprocessing of the Deep SVDD PyTorch port (lukasruff/Deep-SVDD-PyTorch, MNIST_Dataset):
 *
 *   ToTensor (pixels / 255)  ->  global contrast normalization with l1 scale  ->  min-max scaling to [0, 1]
 *
 * All functions work on a Float32Array holding N images of D values each, row-major: image i occupies
 * [i*D, (i+1)*D).
 */
import { UserError, check } from '../util/errors.js';
import { applyZca, fitZca, type ZcaTransform } from './zca.js';

export type GcnNorm = 'l1' | 'l2' | 'std';

export interface PreprocessConstants {
  /** global minimum of the GCN-normalized training set, subtracted before scaling */
  min: number;
  /** global maximum of the GCN-normalized training set */
  max: number;
  /** the contrast normalisation applied before min–max ('none' = --gcn 0) */
  gcn: GcnNorm | 'none';
  /** tables: the per-feature scaling fitted on the training split (src/data/tables.ts), with the feature names */
  table?: { mean: number[]; std: number[]; min: number[]; max: number[]; features: string[] };
}

export interface PreprocessOptions {
  /**
   * Use these min/max constants instead of computing them from `u8train` (e.g. the constants stored with a
   * trained model, so that new data is scaled exactly as the training data was).
   */
  minMax?: { min: number; max: number };
  /** contrast normalisation: 'l1' (default), 'l2', 'std', or 'none' (--gcn 0) */
  gcn?: GcnNorm | 'none';
  /** ZCA whitening after GCN, fitted on the training set (zca.ts), or this saved transform */
  zca?: boolean | ZcaTransform;
}

/** Pixel bytes 0..255 -> float32 in [0, 1] (what torchvision's ToTensor does). */
export function toUnitScale(u8: Uint8Array): Float32Array {
  const out = new Float32Array(u8.length);
  for (let i = 0; i < u8.length; i++) out[i] = u8[i] / 255;
  return out;
}

/**
 * Global contrast normalization, per image, in place. For each image x (all D values):
 *
 *   x <- x - mean(x)
 *   x <- x / scale, where scale is
 *     'l1':  mean(|x|)             = sum|x| / D      (PyTorch port: x_scale = torch.mean(torch.abs(x)))
 *     'l2':  sqrt(sum x^2) / D                       (PyTorch port: torch.sqrt(torch.sum(x ** 2)) / n_features)
 *     'std': sqrt(sum x^2 / D)  (population standard deviation, ddof = 0, as np.std in the original Theano code)
 *
 * (x is the already-centred image in all three.) The 'l1' definition — the MEAN, not the sum, of the absolute
 * deviations — is the one that reproduces the port's hard-coded per-class MNIST min/max table to better than
 * 1e-6 relative (checked in test/unit/preprocess.test.ts).
 *
 * Sums are accumulated in float64 and results stored as float32. An image with a constant value (scale 0) would
 * give 0/0 = NaN in the port; here it becomes all zeros instead.
 */
export function gcnInPlace(x: Float32Array, d: number, norm: GcnNorm): void {
  check(Number.isInteger(d) && d > 0, `GCN: image size must be a positive integer, got ${d}`);
  check(x.length % d === 0, `GCN: data length ${x.length} is not a multiple of the image size ${d}`);
  const n = x.length / d;
  for (let i = 0; i < n; i++) {
    const off = i * d;
    let sum = 0;
    for (let j = 0; j < d; j++) sum += x[off + j];
    const mean = sum / d;
    let acc = 0;
    if (norm === 'l1') {
      for (let j = 0; j < d; j++) acc += Math.abs(x[off + j] - mean);
    } else {
      for (let j = 0; j < d; j++) {
        const c = x[off + j] - mean;
        acc += c * c;
      }
    }
    let scale: number;
    switch (norm) {
      case 'l1': scale = acc / d; break;
      case 'l2': scale = Math.sqrt(acc) / d; break;
      case 'std': scale = Math.sqrt(acc / d); break;
      default: throw new UserError(`GCN: unknown norm '${String(norm)}'; use l1, l2 or std`);
    }
    if (scale === 0) scale = 1; // constant image: centred values are all 0
    for (let j = 0; j < d; j++) x[off + j] = (x[off + j] - mean) / scale;
  }
}

/** Global scalar minimum and maximum over all values. */
export function minMax(x: Float32Array): { min: number; max: number } {
  check(x.length > 0, 'min-max scaling: no data (empty set)');
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** x <- (x - min) / (max - min), in place. */
export function applyMinMaxInPlace(x: Float32Array, min: number, max: number): void {
  check(
    Number.isFinite(min) && Number.isFinite(max) && max > min,
    `min-max scaling: the training data has min ${min} and max ${max} after contrast normalization, so (x - min) / (max - min) is undefined; the normal-class training images must not all be blank`,
  );
  const range = max - min;
  for (let i = 0; i < x.length; i++) x[i] = (x[i] - min) / range;
}

/**
 * Full preprocessing: /255 -> GCN (l1, or opts.gcn) -> (ZCA whitening) -> min-max, where min and max are the global extremes of the processed
 * training set (or `opts.minMax`) and are applied to every set.
 */
export function preprocess(
  u8train: Uint8Array,
  u8others: Uint8Array[],
  d: number,
  opts: PreprocessOptions = {},
): { train: Float32Array; others: Float32Array[]; constants: PreprocessConstants; zca?: ZcaTransform } {
  const gcn = opts.gcn ?? 'l1';
  const train = toUnitScale(u8train);
  if (gcn !== 'none') gcnInPlace(train, d, gcn);
  const others = u8others.map((u8) => {
    const x = toUnitScale(u8);
    if (gcn !== 'none') gcnInPlace(x, d, gcn);
    return x;
  });
  const zca = opts.zca === true ? fitZca(train, train.length / d, d) : opts.zca || undefined;
  if (zca) {
    applyZca(train, zca);
    for (const x of others) applyZca(x, zca);
  }
  const { min, max } = opts.minMax ?? minMax(train);
  applyMinMaxInPlace(train, min, max);
  for (const x of others) applyMinMaxInPlace(x, min, max);
  return { train, others, constants: { min, max, gcn }, zca };
}
