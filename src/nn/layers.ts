/**
 * The vocabulary of the network registry (architectures.ts): a network is a list of layer specs, built into TF.js
 * ops by networks.ts. Plain data, no TF.js, so option checks and model files can use it.
 */

export type NetRole = 'encoder' | 'autoencoder';

export interface InputShape { height: number; width: number; channels: number }

/** The options of a network; absent optional keys are the network's defaults (so saved model.json files stay as they were). */
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
  /** networks on table rows (mlp): the number of features */
  inputDim?: number;
  /** networks on table rows (mlp): the hidden layers' widths, encoder order */
  hidden?: number[];
}

/**
 * How a (transposed) convolution's weights start (networks.ts): absent, as the Deep SVDD port (Xavier-uniform with the
 * leaky-ReLU gain in autoencoders); 'torch', PyTorch's default U(±1/√fan_in), fan_in = 25 × the weight's second
 * dimension (in channels of a convolution, out channels of a transposed one), for the networks that set none (Deep SAD's).
 */
export type ConvInit = 'torch';

export type LayerSpec =
  /** 5×5 convolution, 'same' padding, or `pad` zeros on each side and 'valid' */
  | { kind: 'conv'; name: string; cin: number; cout: number; bias?: boolean; pad?: number; init?: ConvInit }
  | { kind: 'deconv'; name: string; cin: number; cout: number; crop: number; bias?: boolean; init?: ConvInit }
  | { kind: 'bn'; name: string; channels: number }
  | { kind: 'act' } | { kind: 'pool' } | { kind: 'up' } | { kind: 'flatten' } | { kind: 'sigmoid' }
  | { kind: 'dense'; name: string; nin: number; nout: number; bias?: boolean }
  | { kind: 'reshape'; shape: [number, number, number] };

/** Batch norm (when the network has it) as a one-element list, for spreading into layer lists. */
export function bnIf(o: NetOptions, name: string, channels: number): LayerSpec[] {
  return o.batchNorm ? [{ kind: 'bn', name, channels }] : [];
}
