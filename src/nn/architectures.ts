/**
 * The network registry: one entry per network kind, with what option validation, datasets, model files and the
 * builder need to know — the input shape, the layer list of each role and variant, the option checks, the original
 * code's options that pick a variant, and the training defaults a dataset of this network starts from. No TF.js
 * here (networks.ts builds the layer lists). Adding a network is one file with its layer list and one entry below;
 * test/unit/registries.test.ts checks every entry.
 */
import { fmnistLeNet } from './fmnist-lenet.js';
import { cifarLeNet, mnistLeNet } from './lenet.js';
import { type InputShape, type LayerSpec, type NetOptions, type NetRole } from './layers.js';
import { mlpCheck, mlpInput, mlpLayers } from './mlp.js';
import { cifarArch1, cifarArch2, gtsrbNet, mnistArch2 } from './original-architectures.js';

export { type InputShape, type LayerSpec, type NetOptions, type NetRole };

/** Training settings (option keys of src/config/options.ts) and their values. */
export type SettingDefaults = Readonly<Record<string, string | number | boolean>>;

export interface NetworkSpec {
  title: string;
  /** the input a network of these options takes (image networks: always the same) */
  input(o?: Partial<NetOptions>): InputShape;
  /** the variants (NetOptions.architecture), the default first */
  architectures: readonly number[];
  layers(role: NetRole, o: NetOptions): LayerSpec[];
  /** what is wrong with these options for this network and role (checked before anything is built), or undefined */
  check(o: NetOptions, role: NetRole): string | undefined;
  /** the first layer is a 5×5 convolution (--weight-dict-init applies) */
  convolutional: boolean;
  /** the training options that pick this network's variant and its biases (absent: it has none) */
  settings: { architecture?: string; bias?: string };
  /** training defaults of a dataset on this network (a dataset's own defaults come on top) */
  defaults: SettingDefaults;
}

const image = (height: number, width: number, channels: number) => (): InputShape => ({ height, width, channels });

/** Conv decoders reshape the code to 4×4×(rep_dim/16) (CIFAR-10 architecture 1: 2×2×rep_dim/4). */
function convCheck(o: NetOptions, role: NetRole): string | undefined {
  return role === 'encoder' || o.repDim % 16 === 0 ? undefined : `the representation size ${o.repDim} is not a multiple of 16 (the decoder reshapes the code to 4×4×rep_dim/16)`;
}

function byArchitecture(paper: (role: NetRole, o: NetOptions) => LayerSpec[], others: Record<number, (o: NetOptions, role: NetRole) => LayerSpec[]>) {
  return (role: NetRole, o: NetOptions): LayerSpec[] => {
    const other = o.architecture === undefined ? undefined : others[o.architecture];
    return other ? other(o, role) : paper(role, o);
  };
}

const NETWORK_TABLE = {
  mnist_LeNet: {
    title: 'MNIST LeNet (conv 8-4, rep_dim 32)',
    input: image(28, 28, 1), architectures: [1, 2],
    layers: byArchitecture(mnistLeNet, { 2: mnistArch2 }), check: convCheck, convolutional: true,
    settings: { architecture: 'mnistArchitecture', bias: 'mnistBias' },
    defaults: { repDim: 32, aeNEpochs: 150, aeLrDrop: false, aeLrDropInEpoch: 250, aeC: 1e3, weightDictInit: true },
  },
  cifar10_LeNet: {
    title: 'CIFAR-10 LeNet (conv 32-64-128, rep_dim 128)',
    input: image(32, 32, 3), architectures: [3, 1, 2],
    layers: byArchitecture(cifarLeNet, { 1: cifarArch1, 2: cifarArch2 }), check: convCheck, convolutional: true,
    settings: { architecture: 'cifar10Architecture', bias: 'cifar10Bias' },
    defaults: { repDim: 128, aeNEpochs: 350, aeLrDrop: true, aeLrDropInEpoch: 250, aeC: 1e6, weightDictInit: false },
  },
  gtsrb_LeNet: {
    title: 'GTSRB network of the original (conv 16-32, dense 64, rep_dim 32)',
    input: image(32, 32, 3), architectures: [1],
    layers: (role: NetRole, o: NetOptions) => gtsrbNet(o, role), check: convCheck, convolutional: true,
    settings: {},
    // the original's gtsrb_cae.sh (pretraining epochs: the original's hard-coded 150)
    defaults: { repDim: 32, aeNEpochs: 150, aeLrDrop: true, aeLrDropInEpoch: 250, aeC: 1e6, weightDictInit: false },
  },
  fmnist_LeNet: {
    title: 'Fashion-MNIST LeNet of the Deep SAD code (conv 16-32, dense 128, rep_dim 64)',
    input: image(28, 28, 1), architectures: [1],
    layers: fmnistLeNet, check: () => undefined, convolutional: true,
    settings: {},
    defaults: { repDim: 64, weightDictInit: false },
  },
  mlp: {
    title: 'MLP of the Deep SAD code (dense + batch norm + leaky ReLU per hidden layer)',
    input: mlpInput, architectures: [1],
    layers: mlpLayers, check: mlpCheck, convolutional: false,
    settings: {},
    defaults: { weightDictInit: false },
  },
} as const satisfies Record<string, NetworkSpec>;

export type NetKind = keyof typeof NETWORK_TABLE;
export const NETWORKS: Readonly<Record<NetKind, NetworkSpec>> = NETWORK_TABLE;
export const NET_KINDS = Object.keys(NETWORK_TABLE) as NetKind[];

export function isNetKind(k: unknown): k is NetKind {
  return typeof k === 'string' && Object.hasOwn(NETWORK_TABLE, k);
}

/** The input shape of a network with these options. */
export function inputShape(kind: NetKind, o?: Partial<NetOptions>): InputShape {
  return NETWORKS[kind].input(o);
}

/** The variants a network kind has, the default first. */
export const ARCHITECTURES: Readonly<Record<NetKind, readonly number[]>> = Object.fromEntries(
  NET_KINDS.map((k) => [k, NETWORKS[k].architectures]),
) as Record<NetKind, readonly number[]>;
