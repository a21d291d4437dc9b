/** From the run's settings to the network's options and the preprocessing (one place for the option → model mapping). */
import { type GcnNorm } from '../data/preprocess.js';
import { type NetKind, type NetOptions } from '../nn/architectures.js';
import { UserError } from '../util/errors.js';
import { type TrainConfig } from './options.js';

type NetSettings = Pick<TrainConfig, 'repDim' | 'useBatchNorm' | 'leakyRelu' | 'mnistArchitecture' | 'cifar10Architecture' | 'mnistBias' | 'cifar10Bias' | 'bnAffine'>;

/**
 * The network options of a run. Settings at their defaults add no key, so the paper's networks (and their
 * model.json) are exactly those of earlier versions. --mnist-* settings apply to the MNIST network and --cifar10-*
 * to the CIFAR-10 one (a folder dataset gets the network its image size selects); GTSRB has one network.
 */
export function netOptionsFor(cfg: NetSettings, kind: NetKind): NetOptions {
  const o: NetOptions = { repDim: cfg.repDim, batchNorm: cfg.useBatchNorm, leakyRelu: cfg.leakyRelu };
  const arch = kind === 'mnist_LeNet' ? cfg.mnistArchitecture ?? 1 : kind === 'cifar10_LeNet' ? cfg.cifar10Architecture ?? 3 : 1;
  const defaultArch = kind === 'cifar10_LeNet' ? 3 : 1;
  if (arch !== defaultArch) o.architecture = arch;
  const bias = kind === 'mnist_LeNet' ? cfg.mnistBias : kind === 'cifar10_LeNet' ? cfg.cifar10Bias : false;
  if (kind === 'cifar10_LeNet' && bias && arch !== 1) {
    throw new UserError(`--cifar10-bias 1 only applies to --cifar10-architecture 1 (architectures 2 and 3 are bias-free, as in the original): drop it or pass --cifar10-architecture 1`);
  }
  if (bias) o.bias = true;
  if (cfg.bnAffine) {
    if (!cfg.useBatchNorm) throw new UserError('--bn-affine 1 needs batch norm: drop it or pass --use-batch-norm 1');
    o.bnAffine = true;
  }
  return o;
}

/** The contrast normalisation of a run: 'none' for --gcn 0, else --unit-norm-used. */
export function gcnFor(cfg: Pick<TrainConfig, 'gcn' | 'unitNormUsed'>): GcnNorm | 'none' {
  return cfg.gcn === false ? 'none' : cfg.unitNormUsed ?? 'l1';
}
