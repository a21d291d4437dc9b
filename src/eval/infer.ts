/**
 * Inference passes in eval mode (batch norm with running statistics), in large batches: TF.js ops, or for an MLP the
 * eval-mode forward pass of its fused copy (src/nn/mlp-fused-net.ts) on the host rows, which agrees with the TF.js
 * ops to float32 rounding and takes about a tenth of their time on a table's batch.
 *
 * Training's own passes (the centre's initial mean, the radius before and during training) ask for 'tfjs', so a
 * seeded run trains exactly as before the fused pass existed; the passes after training (scores, R, thresholds,
 * diagnostics, `score`) take 'auto'.
 */
import * as tf from '@tensorflow/tfjs-core';
import { imageSize, ranges, sliceBatch, type ImageSet } from '../data/batches.js';
import { fusedInferenceCopy, fusedNetworkBlocker } from '../nn/mlp-fused-net.js';
import { type Network } from '../nn/networks.js';

/** 'auto': the fused forward pass where the network has one, else TF.js ops; 'tfjs': TF.js ops always */
export type InferencePath = 'auto' | 'tfjs';

/** whether this pass runs the fused forward pass */
function fused(net: Network, path: InferencePath): boolean {
  return path === 'auto' && !fusedNetworkBlocker(net);
}

/** Each batch's outputs, [e − s rows × width], by the fused pass or TF.js ops: the callback reads them before the next. */
function eachBatch(net: Network, set: ImageSet, batchSize: number, path: InferencePath, use: (y: ArrayLike<number>, s: number, e: number) => void): void {
  const mlp = fused(net, path) ? fusedInferenceCopy(net) : undefined;
  const size = imageSize(set);
  for (const [s, e] of ranges(set.n, batchSize)) {
    if (mlp) {
      use(mlp.forward(set.x.subarray(s * size, e * size), e - s, false), s, e);
      continue;
    }
    const y = tf.tidy(() => net.forward(sliceBatch(set, s, e), false));
    use(y.dataSync(), s, e);
    y.dispose();
  }
}

/** Network outputs φ(x) for every image, [n × repDim] row-major. */
export function representations(net: Network, set: ImageSet, batchSize: number, path: InferencePath = 'auto'): Float32Array {
  const out = new Float32Array(set.n * net.options.repDim);
  eachBatch(net, set, batchSize, path, (y, s) => out.set(y, s * net.options.repDim));
  return out;
}

/** Squared distances ‖φ(x) − c‖² for every image. */
export function squaredDistances(net: Network, set: ImageSet, c: tf.Tensor1D, batchSize: number, path: InferencePath = 'auto'): Float32Array {
  const out = new Float32Array(set.n);
  if (!fused(net, path)) {
    for (const [s, e] of ranges(set.n, batchSize)) {
      const d = tf.tidy(() => tf.sum(tf.squaredDifference(net.forward(sliceBatch(set, s, e), false), c), 1));
      out.set(d.dataSync() as Float32Array, s);
      d.dispose();
    }
    return out;
  }
  const cv = c.dataSync();
  const w = cv.length;
  eachBatch(net, set, batchSize, path, (y, s, e) => {
    for (let i = 0; i < e - s; i++) {
      let sum = 0;
      for (let j = 0; j < w; j++) { const v = y[i * w + j] - cv[j]; sum += v * v; }
      out[s + i] = sum;
    }
  });
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

export function reconstructionErrors(net: Network, set: ImageSet, batchSize: number, loss: 'l2' | 'ce', path: InferencePath = 'auto'): Float32Array {
  const out = new Float32Array(set.n);
  if (loss === 'l2' && fused(net, path)) {
    const size = imageSize(set);
    eachBatch(net, set, batchSize, path, (y, s, e) => {
      for (let i = 0; i < e - s; i++) {
        let sum = 0;
        for (let j = 0; j < size; j++) { const v = y[i * size + j] - set.x[(s + i) * size + j]; sum += v * v; }
        out[s + i] = sum;
      }
    });
    return out;
  }
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
export function meanRepresentation(net: Network, set: ImageSet, batchSize: number, nBatches: number, path: InferencePath = 'auto'): Float32Array {
  const dim = net.options.repDim;
  const acc = new Float64Array(dim);
  const n = nBatches >= 0 ? Math.min(set.n, nBatches * batchSize) : set.n;
  const first = { ...set, x: set.x.subarray(0, n * imageSize(set)), n };
  eachBatch(net, first, batchSize, path, (y, s, e) => {
    for (let i = 0; i < e - s; i++) for (let j = 0; j < dim; j++) acc[j] += y[i * dim + j];
  });
  return Float32Array.from(acc, (v) => v / n);
}
