/**
 * Mini-batches on typed arrays: a seeded per-sample reshuffle each epoch, the last partial batch kept
 * (a trailing batch of one image is dropped: batch norm needs two), batches copied into one reused buffer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { permutation, type Rng } from '../util/rng.js';

export interface ImageSet {
  /** n images of h×w×c float32 values, channels last */
  x: Float32Array;
  n: number;
  height: number;
  width: number;
  channels: number;
}

export function imageSize(s: ImageSet): number {
  return s.height * s.width * s.channels;
}

/**
 * Index lists of the batches of one epoch. With `dropLast`, a last batch shorter than `batchSize` is left out when
 * there is at least one full batch (PyTorch's drop_last; the original code trained on a multiple of the batch size).
 */
export function epochBatches(n: number, batchSize: number, rng: Rng | null, dropLast = false): Int32Array[] {
  const order = rng ? permutation(n, rng) : Int32Array.from({ length: n }, (_, i) => i);
  const out: Int32Array[] = [];
  for (let s = 0; s < n; s += batchSize) {
    const b = order.subarray(s, Math.min(n, s + batchSize));
    if (b.length === 1 && out.length > 0 && rng) continue;
    if (dropLast && b.length < batchSize && out.length > 0) continue;
    out.push(b);
  }
  return out;
}

/** Copies the images at `idx` into a reused host buffer; returns a view of the batch [b × h·w·c], valid until the next call. */
export function makeRowGatherer(set: ImageSet, maxBatch: number) {
  const d = imageSize(set);
  const buf = new Float32Array(maxBatch * d);
  return (idx: ArrayLike<number>): Float32Array => {
    const b = idx.length;
    const x = set.x;
    if (d >= 64) {
      for (let i = 0; i < b; i++) buf.set(x.subarray(idx[i] * d, (idx[i] + 1) * d), i * d);
    } else {
      // short rows (tables): a plain loop, without a subarray per row
      for (let i = 0; i < b; i++) {
        const s = idx[i] * d;
        const o = i * d;
        for (let k = 0; k < d; k++) buf[o + k] = x[s + k];
      }
    }
    return buf.subarray(0, b * d);
  };
}

/** Creates a [b, h, w, c] tensor from the images at `idx`, gathering through a reused host buffer. */
export function makeBatchGatherer(set: ImageSet, maxBatch: number) {
  const rows = makeRowGatherer(set, maxBatch);
  return (idx: ArrayLike<number>): tf.Tensor4D => tf.tensor4d(rows(idx), [idx.length, set.height, set.width, set.channels]);
}

/** Contiguous slices [start, end) for inference passes. */
export function* ranges(n: number, batchSize: number): Generator<[number, number]> {
  for (let s = 0; s < n; s += batchSize) yield [s, Math.min(n, s + batchSize)];
}

export function sliceBatch(set: ImageSet, start: number, end: number): tf.Tensor4D {
  const d = imageSize(set);
  return tf.tensor4d(set.x.subarray(start * d, end * d), [end - start, set.height, set.width, set.channels]);
}
