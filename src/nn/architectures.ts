/**
 * The networks there are, by name, with their input shapes and options: what option validation, datasets and model
 * files need to know about a network without loading TF.js (networks.ts builds them; the layer lists of the original
 * code's other variants are in original-architectures.ts).
 */
export const NET_KINDS = ['mnist_LeNet', 'cifar10_LeNet', 'gtsrb_LeNet'] as const;
export type NetKind = (typeof NET_KINDS)[number];
export type NetRole = 'encoder' | 'autoencoder';

export interface NetOptions {
  repDim: number;
  batchNorm: boolean;
  leakyRelu: boolean;
  /**
   * The original's network variants (absent = the paper's): MNIST 1 (default) or 2, CIFAR-10 1, 2 or 3 (default);
   * see original-architectures.ts.
   */
  architecture?: number;
  /** bias terms in the convolutions and dense layers (--mnist-bias, --cifar10-bias; absent = none) */
  bias?: boolean;
  /** learned batch-norm scale γ and shift β, as the original's Lasagne batch norm (absent = none) */
  bnAffine?: boolean;
}

/** Architectures each network kind has, the first being the default. */
export const ARCHITECTURES: Record<NetKind, readonly number[]> = { mnist_LeNet: [1, 2], cifar10_LeNet: [3, 1, 2], gtsrb_LeNet: [1] };

export interface InputShape { height: number; width: number; channels: number }

export const NET_INPUT: Record<NetKind, InputShape> = {
  mnist_LeNet: { height: 28, width: 28, channels: 1 },
  cifar10_LeNet: { height: 32, width: 32, channels: 3 },
  gtsrb_LeNet: { height: 32, width: 32, channels: 3 },
};
