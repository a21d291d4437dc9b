/**
 * The Deep SAD objective (Ruff et al., "Deep Semi-Supervised Anomaly Detection", ICLR 2020; the authors' code
 * lukasruff/Deep-SAD-PyTorch, src/optim/DeepSAD_trainer.py) as a pure function of the per-sample squared distances
 * d_i = ‖φ(x_i) − c‖² and the semi-supervised labels ỹ_i ∈ {+1 labelled normal, 0 unlabelled, −1 labelled anomaly}:
 *
 *   ℓ_i = d_i                       (ỹ_i = 0)
 *   ℓ_i = η · (d_i + ε)^ỹ_i          (ỹ_i = ±1), ε = 1e-6
 *   J   = mean_i ℓ_i                 (the weight decay is added by the caller)
 *
 * A labelled anomaly contributes η / (d + ε): small when it lies far from c, so training pushes it away; ε keeps
 * the term finite at d = 0 (η / ε = η · 1e6). With no labelled sample J is the one-class Deep SVDD mean of d.
 * The plain-number functions are the reference (unit-tested against hand-computed values, and usable by a fused
 * step that computes d itself); deepSadLossTf is the same on tensors, for the TF.js training step.
 */
import * as tf from '@tensorflow/tfjs-core';

/** ε of the authors' trainer (self.eps = 1e-6). */
export const DEEP_SAD_EPS = 1e-6;

/** A semi-supervised label: +1 labelled normal, 0 unlabelled, −1 labelled anomaly. */
export type SemiLabel = -1 | 0 | 1;

function checkInputs(d: ArrayLike<number>, semi: ArrayLike<number>, fn: string): void {
  if (d.length !== semi.length) throw new RangeError(`${fn}: ${d.length} distances but ${semi.length} labels`);
  for (let i = 0; i < semi.length; i++) {
    const y = semi[i];
    if (y !== -1 && y !== 0 && y !== 1) throw new RangeError(`${fn}: label ${y} at ${i} is not -1, 0 or +1`);
  }
}

/** ℓ_i for each sample (see the module header). */
export function deepSadSampleLosses(d: ArrayLike<number>, semi: ArrayLike<number>, eta: number, eps = DEEP_SAD_EPS): Float64Array {
  checkInputs(d, semi, 'deepSadSampleLosses');
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const y = semi[i];
    out[i] = y === 0 ? d[i] : eta * (y === 1 ? d[i] + eps : 1 / (d[i] + eps));
  }
  return out;
}

/** J = mean_i ℓ_i over a batch (NaN for an empty batch). */
export function deepSadLoss(d: ArrayLike<number>, semi: ArrayLike<number>, eta: number, eps = DEEP_SAD_EPS): number {
  const l = deepSadSampleLosses(d, semi, eta, eps);
  let s = 0;
  for (let i = 0; i < l.length; i++) s += l[i];
  return s / l.length;
}

/**
 * ∂J/∂d_i: 1/B unlabelled, η/B labelled normal, −η/(B·(d_i + ε)²) labelled anomaly (B = batch size). A fused step
 * chains it with ∂d_i/∂φ(x_i) = 2(φ(x_i) − c).
 */
export function deepSadLossGradient(d: ArrayLike<number>, semi: ArrayLike<number>, eta: number, eps = DEEP_SAD_EPS): Float64Array {
  checkInputs(d, semi, 'deepSadLossGradient');
  const b = d.length;
  const out = new Float64Array(b);
  for (let i = 0; i < b; i++) {
    const y = semi[i];
    out[i] = y === 0 ? 1 / b : y === 1 ? eta / b : -eta / (b * (d[i] + eps) ** 2);
  }
  return out;
}

/**
 * J on tensors, as the authors' trainer writes it: mean(where(ỹ = 0, d, η·(d + ε)^ỹ)). Where every ỹ is 0 the value
 * and the gradient are those of mean(d) to the bit (the other branch's gradient is masked to exact zeros).
 */
export function deepSadLossTf(d: tf.Tensor1D, semi: tf.Tensor1D, eta: number, eps = DEEP_SAD_EPS): tf.Scalar {
  return tf.tidy(() => {
    const labelled = tf.pow(tf.add(d, eps), semi);
    const losses = tf.where(tf.equal(semi, 0), d, tf.mul(labelled, eta));
    return tf.mean(losses) as tf.Scalar;
  });
}
