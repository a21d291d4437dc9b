/**
 * What the benchmark parent (bench.ts) asks a child process (worker.ts) to measure, and what comes back.
 * A job travels as JSON on the child's command line; the result comes back as one stdout line prefixed with
 * RESULT_PREFIX.
 */
import type { BackendChoice, BackendInfo } from '../src/backend/select.js';
import { type NetKind, type NetOptions, type NetRole } from '../src/nn/networks.js';

export const RESULT_PREFIX = 'BENCH_RESULT ';
export const READY_LINE = 'BENCH_READY';

/** the concrete backends of src/backend/select.ts (every choice but 'auto'; a type-only import keeps TF.js out of the parent) */
export type BackendId = Exclude<BackendChoice, 'auto'>;
export const BACKEND_IDS: readonly BackendId[] = ['wasm', 'cpu', 'tensorflow'];

/** the image networks: MNIST and CIFAR-10 LeNets (Deep SVDD), Fashion-MNIST LeNet (Deep SAD), the original's GTSRB network */
export type ImageNetworkId = 'mnist-enc' | 'mnist-ae' | 'cifar-enc' | 'cifar-ae' | 'fmnist-enc' | 'fmnist-ae' | 'gtsrb-enc' | 'gtsrb-ae';
export type NetworkId = ImageNetworkId | MlpNetworkId;
export const NETWORK_IDS: readonly ImageNetworkId[] = ['mnist-enc', 'mnist-ae', 'cifar-enc', 'cifar-ae', 'fmnist-enc', 'fmnist-ae', 'gtsrb-enc', 'gtsrb-ae'];
/** the --dataset whose defaults (repDim, C, ae_C) each image network's entry below takes */
export const NETWORK_DATASET: Record<ImageNetworkId, string> = {
  'mnist-enc': 'mnist', 'mnist-ae': 'mnist', 'cifar-enc': 'cifar10', 'cifar-ae': 'cifar10',
  'fmnist-enc': 'fmnist', 'fmnist-ae': 'fmnist', 'gtsrb-enc': 'gtsrb', 'gtsrb-ae': 'gtsrb',
};
/** the MLP of the ODDS tables at thyroid's widths (6 features, 32-16 → 4), timed fused and as TF.js ops (--no-mlp skips) */
export type MlpNetworkId = 'mlp-enc' | 'mlp-ae';
export const MLP_IDS: readonly MlpNetworkId[] = ['mlp-enc', 'mlp-ae'];
/** the tables' batch size (src/data/tables.ts) */
export const MLP_BATCH = 128;

export interface NetworkSpec {
  kind: NetKind;
  role: NetRole;
  repDim: number;
  /** weight-decay constant of the project's defaults: C for Deep SVDD, ae_C for the autoencoder */
  weightDecayC: number;
  /** the network's other options (MLP widths) */
  options?: Partial<NetOptions>;
}

/**
 * The project's default settings for each network (src/config/options.ts, the network registry's and the dataset's
 * defaults; test/unit/bench-networks.test.ts checks the image networks against them).
 */
export const NETWORKS: Record<NetworkId, NetworkSpec> = {
  'mnist-enc': { kind: 'mnist_LeNet', role: 'encoder', repDim: 32, weightDecayC: 1e6 },
  'mnist-ae': { kind: 'mnist_LeNet', role: 'autoencoder', repDim: 32, weightDecayC: 1e3 },
  'cifar-enc': { kind: 'cifar10_LeNet', role: 'encoder', repDim: 128, weightDecayC: 1e6 },
  'cifar-ae': { kind: 'cifar10_LeNet', role: 'autoencoder', repDim: 128, weightDecayC: 1e6 },
  // --dataset fmnist: the Deep SAD code's defaults (src/data/deep-sad-defaults.ts): C = 2e6, ae_C = 2000 / 784
  'fmnist-enc': { kind: 'fmnist_LeNet', role: 'encoder', repDim: 64, weightDecayC: 2e6 },
  'fmnist-ae': { kind: 'fmnist_LeNet', role: 'autoencoder', repDim: 64, weightDecayC: 2000 / 784 },
  // --dataset gtsrb: the original's gtsrb network, C = 1e6, ae_C = 1e6
  'gtsrb-enc': { kind: 'gtsrb_LeNet', role: 'encoder', repDim: 32, weightDecayC: 1e6 },
  'gtsrb-ae': { kind: 'gtsrb_LeNet', role: 'autoencoder', repDim: 32, weightDecayC: 1e6 },
  // the tables' defaults (src/data/tables.ts): C = 2e6, ae_C = 2000 / D
  'mlp-enc': { kind: 'mlp', role: 'encoder', repDim: 4, weightDecayC: 2e6, options: { inputDim: 6, hidden: [32, 16] } },
  'mlp-ae': { kind: 'mlp', role: 'autoencoder', repDim: 4, weightDecayC: 2000 / 6, options: { inputDim: 6, hidden: [32, 16] } },
};

export type StepMode = 'train' | 'infer';

/** Time the training step or the inference pass of one network on one fixed synthetic batch. */
export interface StepJob {
  kind: 'step';
  backend: BackendId;
  threads: number;
  network: NetworkId;
  mode: StepMode;
  /**
   * on an MLP: the fused step (src/train/fused-mlp-problem.ts) instead of TF.js ops, in infer mode the fused eval
   * forward pass (src/nn/mlp-fused-net.ts, as src/eval/infer.ts runs it)
   */
  fused?: boolean;
  batch: number;
  warmup: number;
  /** at most this many timed steps ... */
  steps: number;
  /** ... or stop after this many seconds of timed steps (at least min(3, steps) steps are always timed) */
  maxSeconds: number;
  seed: number;
  /** print READY_LINE after setup and wait for a line on stdin before the warm-up (parallel copies start together) */
  sync?: boolean;
}

export type EpochTask = 'mnist-svdd' | 'mnist-ae' | 'cifar-svdd' | 'cifar-ae';

/** Full epochs of the real pipeline: batching, gradient steps, end-of-epoch checks. */
export interface EpochJob {
  kind: 'epoch';
  backend: BackendId;
  threads: number;
  task: EpochTask;
  batch: number;
  epochs: number;
  seed: number;
  /** MNIST: a seeded subset of this many digit-0 images (all when unset); CIFAR: this many synthetic images */
  nImages?: number;
  dataDir?: string;
}

export type Job = StepJob | EpochJob;

export type BackendSummary = Pick<BackendInfo, 'name' | 'simd' | 'threads' | 'versions' | 'notes'>;

/** The timings of one step benchmark, as the workers and bench/torch_bench.py both report them. */
export interface StepTimings {
  params: number;
  setupMs: number;
  warmupMs: number[];
  n: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** median CPU time of the process per timed step, all threads (ms): steadier than wall time when other work runs */
  cpuMs?: number;
  imgPerSec: number;
  peakRssMB: number;
}

export interface StepResult extends StepTimings {
  kind: 'step';
  job: StepJob;
  backend: BackendSummary;
  meanMs: number;
  /** last training loss (train mode) */
  loss?: number;
  /** tf.memory().numTensors after the timed steps minus before them (0 = no leak) */
  tensorGrowth: number;
}

export interface EpochResult {
  kind: 'epoch';
  job: EpochJob;
  backend: BackendSummary;
  nImages: number;
  nBatches: number;
  /** loading + preprocessing (MNIST) or generating (CIFAR) the images */
  dataSeconds: number;
  /** Deep SVDD: the initial pass that computes c */
  centerSeconds?: number;
  epochSeconds: number[];
  /** median over the epochs after the first when there are two or more, else the only one */
  secondsPerEpoch: number;
  imgPerSec: number;
  losses: number[];
  peakRssMB: number;
}

export interface ErrorResult {
  kind: 'error';
  job: Job;
  error: string;
  detail?: string;
}

export type WorkerResult = StepResult | EpochResult | ErrorResult;

export function median(a: readonly number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
