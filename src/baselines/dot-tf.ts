/**
 * The distance engine on TF.js (distances.ts): a block of dot products as one matrix product on the selected
 * backend (XNNPACK on wasm, or the native library), in float32. Needs an initialised backend (selectBackend).
 */
import * as tf from '@tensorflow/tfjs-core';
import { useDotEngine, type DotEngine } from './distances.js';

const asF32 = (x: Float32Array | Float64Array) => (x instanceof Float32Array ? x : Float32Array.from(x));

export const tfDotEngine: DotEngine = (a, i0, i1, b) => {
  const prod = tf.tidy(() => {
    const A = tf.tensor2d(asF32(a.x.subarray(i0 * a.d, i1 * a.d)), [i1 - i0, a.d]);
    const B = tf.tensor2d(asF32(b.x), [b.n, b.d]);
    return tf.matMul(A, B, false, true);
  });
  const out = prod.dataSync() as Float32Array;
  prod.dispose();
  return out;
};

/** Makes every distance computation use the TF.js backend. */
export function useTfDotEngine(): void {
  useDotEngine(tfDotEngine);
}
