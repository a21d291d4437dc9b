/**
 * The networks there are, by name, with their input shapes and options: what option validation, datasets and model
 * files need to know about a network without loading TF.js (networks.ts builds them).
 */
export const NET_KINDS = ['mnist_LeNet', 'cifar10_LeNet'] as const;
export type NetKind = (typeof NET_KINDS)[number];
export type NetRole = 'encoder' | 'autoencoder';

export interface NetOptions {
  repDim: number;
  batchNorm: boolean;
  leakyRelu: boolean;
}

export interface InputShape { height: number; width: number; channels: number }

export const NET_INPUT: Record<NetKind, InputShape> = {
  mnist_LeNet: { height: 28, width: 28, channels: 1 },
  cifar10_LeNet: { height: 32, width: 32, channels: 3 },
};
