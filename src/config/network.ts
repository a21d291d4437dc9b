/** From the run's settings to the network's options and the preprocessing (one place for the option → model mapping). */
import { type GcnNorm } from '../data/preprocess.js';
import { NETWORKS, type NetKind, type NetOptions } from '../nn/architectures.js';
import { UserError } from '../util/errors.js';
import { type TrainConfig } from './options.js';

type NetSettings = Pick<TrainConfig, 'repDim' | 'useBatchNorm' | 'leakyRelu' | 'mnistArchitecture' | 'cifar10Architecture' | 'mnistBias' | 'cifar10Bias' | 'bnAffine' | 'mlpHidden'>;

/**
 * The network options of a run. Settings at their defaults add no key, so the paper's networks (and their
 * model.json) are exactly those of earlier versions. A network's variant and biases come from the options its
 * registry entry names (--mnist-* for the MNIST network, --cifar10-* for the CIFAR-10 one; a folder dataset gets
 * the network its image size selects); tables' MLPs take the table's width (`inputDim`) and --mlp-hidden.
 */
export function netOptionsFor(cfg: NetSettings, kind: NetKind, inputDim?: number): NetOptions {
  const o: NetOptions = { repDim: cfg.repDim, batchNorm: cfg.useBatchNorm, leakyRelu: cfg.leakyRelu };
  const spec = NETWORKS[kind];
  const settings = cfg as unknown as Record<string, unknown>;
  const archKey = spec.settings.architecture;
  const arch = archKey ? (settings[archKey] as number | undefined) ?? spec.architectures[0] : spec.architectures[0];
  if (arch !== spec.architectures[0]) o.architecture = arch;
  const bias = spec.settings.bias ? settings[spec.settings.bias] === true : false;
  if (kind === 'cifar10_LeNet' && bias && arch !== 1) {
    throw new UserError(`--cifar10-bias 1 only applies to --cifar10-architecture 1 (architectures 2 and 3 are bias-free, as in the original): drop it or pass --cifar10-architecture 1`);
  }
  if (bias) o.bias = true;
  if (cfg.bnAffine) {
    if (!cfg.useBatchNorm) throw new UserError('--bn-affine 1 needs batch norm: drop it or pass --use-batch-norm 1');
    o.bnAffine = true;
  }
  if (kind === 'mlp') {
    o.inputDim = inputDim;
    o.hidden = parseWidths(cfg.mlpHidden ?? '');
  } else if (cfg.mlpHidden !== undefined) {
    throw new UserError(`--mlp-hidden applies to tables (the MLP): the ${kind} network has fixed layers; drop it`);
  }
  const problem = spec.check(o, 'autoencoder');
  if (problem) throw new UserError(`the ${kind} network cannot be built: ${problem}; change --rep-dim or --mlp-hidden`);
  return o;
}

/** --mlp-hidden "32,16" as widths. */
function parseWidths(v: string): number[] {
  const parts = v.split(',').map((p) => p.trim());
  if (!parts.every((p) => /^\d+$/.test(p)) || parts.length > 8) throw new UserError(`--mlp-hidden ${v} is invalid: use 1 to 8 comma-separated widths, e.g. 32,16`);
  return parts.map(Number);
}

/** The contrast normalisation of a run: 'none' for --gcn 0, else --unit-norm-used. */
export function gcnFor(cfg: Pick<TrainConfig, 'gcn' | 'unitNormUsed'>): GcnNorm | 'none' {
  return cfg.gcn === false ? 'none' : cfg.unitNormUsed ?? 'l1';
}
