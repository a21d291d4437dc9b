/**
 * Batch normalisation without affine parameters (PyTorch `affine=False`), as plain TF.js ops.
 *
 * Training mode normalises with the batch statistics and has a closed-form gradient (on wasm and cpu computed by the
 * kernels of src/backend/js-kernels.ts — on wasm the SIMD ones of src/backend/simd — elsewhere by TF.js ops)
 *   dx = inv/n · (n·dy − Σdy − x̂·Σ(dy·x̂)),
 * which is much cheaper on wasm than tfjs-core's FusedBatchNorm gradient. The running averages follow PyTorch:
 * momentum 0.1, unbiased variance. Eval mode uses the running averages.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { BN_BACKWARD, BN_EVAL, BN_FORWARD, hasBnEvalKernel, hasJsKernels } from '../backend/js-kernels.js';

export interface BatchNormState {
  name: string;
  runningMean: tf.Variable;
  runningVar: tf.Variable;
}

export const BN_EPS = 1e-4;
export const BN_MOMENTUM = 0.1;

export function makeBatchNorm(name: string, channels: number): BatchNormState {
  return {
    name,
    runningMean: tf.variable(tf.zeros([channels]), false),
    runningVar: tf.variable(tf.ones([channels]), false),
  };
}

/**
 * x̂ = (x − μ_B)/√(σ²_B + ε) with the closed-form gradient; updates the running averages (outside the tape).
 * With `leakyAlpha`, returns leakyRelu(x̂) — on backends with the JavaScript kernels as one kernel each way, with the
 * same float32 results as the two separate ops.
 */
export function batchNormTrain(x: tf.Tensor, bn: BatchNormState, eps = BN_EPS, momentum = BN_MOMENTUM, leakyAlpha?: number): tf.Tensor {
  const axes = x.rank === 4 ? [0, 1, 2] : [0];
  const n = x.size / x.shape[x.rank - 1];
  const fused = hasJsKernels();
  let batchMean: tf.Tensor | undefined;
  let batchVar: tf.Tensor | undefined;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xin = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    let xhat: tf.Tensor;
    let invStd: tf.Tensor;
    let value: tf.Tensor;
    if (fused) {
      const attrs: NamedAttrMap = leakyAlpha === undefined ? { eps } : { eps, alpha: leakyAlpha };
      const [y, mean, variance, inv, xh] = tf.engine().runKernel(BN_FORWARD, { x: xin }, attrs) as tf.Tensor[];
      xhat = xh ?? y; invStd = inv; value = y;
      batchMean = tf.keep(mean);
      batchVar = tf.keep(variance);
    } else {
      const { mean, variance } = tf.moments(xin, axes);
      invStd = tf.rsqrt(tf.add(variance, eps));
      xhat = tf.mul(tf.sub(xin, mean), invStd);
      value = xhat;
      batchMean = tf.keep(mean);
      batchVar = tf.keep(variance);
    }
    save([xhat, invStd]);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        if (Array.isArray(dy)) throw new Error('batch norm has one output');
        const [xh, inv] = saved;
        if (fused) return tf.engine().runKernel(BN_BACKWARD, { dy, xhat: xh, invStd: inv }, leakyAlpha === undefined ? {} : { alpha: leakyAlpha }) as tf.Tensor;
        const sumDy = tf.sum(dy, axes);
        const sumDyXhat = tf.sum(tf.mul(dy, xh), axes);
        // dx = inv/n * (n*dy - sum(dy) - xhat*sum(dy*xhat))
        return tf.mul(tf.div(inv, n), tf.sub(tf.sub(tf.mul(dy, n), sumDy), tf.mul(xh, sumDyXhat)));
      },
    };
  });
  const normed = f(x);
  // without the JavaScript kernels the leaky ReLU is a separate op
  const y = leakyAlpha !== undefined && !fused ? tf.leakyRelu(normed, leakyAlpha) : normed;
  tf.tidy(() => {
    bn.runningMean.assign(tf.add(tf.mul(bn.runningMean, 1 - momentum), tf.mul(batchMean!, momentum)));
    if (n > 1) {
      const unbiased = tf.mul(batchVar!, n / (n - 1));
      bn.runningVar.assign(tf.add(tf.mul(bn.runningVar, 1 - momentum), tf.mul(unbiased, momentum)));
    }
  });
  batchMean!.dispose();
  batchVar!.dispose();
  return y;
}

/**
 * Eval mode: (x − running mean)/√(running var + ε), with `leakyAlpha` followed by the leaky ReLU. On wasm with the
 * SIMD kernels and on native with deep-svdd's own kernels both are one pass over x; elsewhere TF.js's batchNorm and
 * leakyRelu.
 */
export function batchNormEval(x: tf.Tensor, bn: BatchNormState, eps = BN_EPS, leakyAlpha?: number): tf.Tensor {
  if (hasBnEvalKernel(x.shape[x.rank - 1])) {
    const attrs: NamedAttrMap = leakyAlpha === undefined ? { eps } : { eps, alpha: leakyAlpha };
    return tf.engine().runKernel(BN_EVAL, { x, mean: bn.runningMean, variance: bn.runningVar }, attrs) as tf.Tensor;
  }
  const y = tf.batchNorm(x, bn.runningMean, bn.runningVar, undefined, undefined, eps);
  return leakyAlpha === undefined ? y : tf.leakyRelu(y, leakyAlpha);
}
