/** Inference passes in eval mode (batch norm with running statistics), in large batches. */
import * as tf from '@tensorflow/tfjs-core';
import { ranges, sliceBatch, type ImageSet } from '../data/batches.js';
import { type Network } from '../nn/networks.js';

/** Network outputs φ(x) for every image, [n × repDim] row-major. */
export function representations(net: Network, set: ImageSet, batchSize: number): Float32Array {
  const out = new Float32Array(set.n * net.options.repDim);
  for (const [s, e] of ranges(set.n, batchSize)) {
    const y = tf.tidy(() => net.forward(sliceBatch(set, s, e), false));
    out.set(y.dataSync() as Float32Array, s * net.options.repDim);
    y.dispose();
  }
  return out;
}

/** Squared distances ‖φ(x) − c‖² for every image. */
export function squaredDistances(net: Network, set: ImageSet, c: tf.Tensor1D, batchSize: number): Float32Array {
  const out = new Float32Array(set.n);
  for (const [s, e] of ranges(set.n, batchSize)) {
    const d = tf.tidy(() => tf.sum(tf.squaredDifference(net.forward(sliceBatch(set, s, e), false), c), 1));
    out.set(d.dataSync() as Float32Array, s);
    d.dispose();
  }
  return out;
}

/** Per-image reconstruction error of an autoencoder: Σ (x̂ − x)² (l2) or Σ binary cross-entropy (ce). */
export function reconstructionLoss(xhat: tf.Tensor, x: tf.Tensor, loss: 'l2' | 'ce'): tf.Tensor1D {
  const axes = [1, 2, 3];
  if (loss === 'l2') return tf.sum(tf.squaredDifference(xhat, x), axes) as tf.Tensor1D;
  const p = tf.clipByValue(xhat, 1e-7, 1 - 1e-7);
  const bce = tf.neg(tf.add(tf.mul(x, tf.log(p)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, p)))));
  return tf.sum(bce, axes) as tf.Tensor1D;
}

export function reconstructionErrors(net: Network, set: ImageSet, batchSize: number, loss: 'l2' | 'ce'): Float32Array {
  const out = new Float32Array(set.n);
  for (const [s, e] of ranges(set.n, batchSize)) {
    const r = tf.tidy(() => {
      const x = sliceBatch(set, s, e);
      return reconstructionLoss(net.forward(x, false), x, loss);
    });
    out.set(r.dataSync() as Float32Array, s);
    r.dispose();
  }
  return out;
}

/** Mean of the representations over the first `nBatches` batches (all if -1), in float64. */
export function meanRepresentation(net: Network, set: ImageSet, batchSize: number, nBatches: number): Float32Array {
  const dim = net.options.repDim;
  const acc = new Float64Array(dim);
  let count = 0;
  let b = 0;
  for (const [s, e] of ranges(set.n, batchSize)) {
    if (nBatches >= 0 && b++ >= nBatches) break;
    const y = tf.tidy(() => net.forward(sliceBatch(set, s, e), false));
    const v = y.dataSync();
    y.dispose();
    for (let i = 0; i < e - s; i++) for (let j = 0; j < dim; j++) acc[j] += v[i * dim + j];
    count += e - s;
  }
  return Float32Array.from(acc, (v) => v / count);
}
