/**
 * Every setting of a training run: one table that the CLI registers, validates and documents.
 * Names mirror the original Deep SVDD options in kebab case (`--hard-margin`, `--ae-n-epochs`, ...).
 */
import { Option, type Command } from 'commander';
import { BACKEND_CHOICES } from '../backend/device.js';
import { DATASET_LIST, DATASET_NAMES } from '../data/registry.js';
import { SOLVERS } from '../train/solver-names.js';
import { UserError } from '../util/errors.js';

export type OptType = 'int' | 'float' | 'bool01' | 'string' | 'choice' | 'classes';

export interface OptSpec {
  key: string;
  flag: string;
  type: OptType;
  help: string;
  /** default; `undefined` means "from the dataset table" or "unset" */
  def?: string | number | boolean;
  min?: number;
  /** exclusive lower bound */
  gt?: number;
  max?: number;
  /** exclusive upper bound */
  lt?: number;
  /** values inside the range that are still not allowed (e.g. 0 batches) */
  except?: readonly number[];
  choices?: readonly string[];
  /** may stay unset in the config (no default, none from the dataset table) */
  optional?: true;
  /** may be given more than once; the values are joined with ',' (class lists) */
  repeatable?: true;
}

/** --dataset's choices: the dataset registry's names (src/data/registry.ts) */
export const DATASETS: readonly string[] = DATASET_NAMES;
export type DatasetName = string;

const OPTION_TABLE = [
  // experiment
  { key: 'dataset', flag: '--dataset', type: 'choice', choices: DATASETS, def: 'mnist', help: `dataset: ${DATASET_LIST.map((d) => d.help).join('; ')}` },
  { key: 'dataDir', optional: true, flag: '--data-dir', type: 'string', help: 'folder with the dataset files (default: data/, then the embedded MNIST copy; fmnist: data/fashion-mnist/, then Debian\'s /usr/share/datasets/fashion-mnist; ODDS tables: data/odds/); required with --dataset folder' },
  { key: 'dataFile', optional: true, flag: '--data-file', type: 'string', help: '--dataset table: the table, a .csv with a header row, a .npy (rows × features) or a .mat with X and y' },
  { key: 'labelColumn', optional: true, flag: '--label-column', type: 'string', help: '--dataset table: the column of classes (a .csv header name; a .npy column index; a .mat variable, default y); --normal / --outlier take its values' },
  { key: 'labelFile', optional: true, flag: '--label-file', type: 'string', help: '--dataset table with a .npy: the classes, a 1-D .npy with one value per row' },
  { key: 'imageSize', optional: true, flag: '--image-size', type: 'string', help: 'folder datasets: convert and resize every image to HxWxC, 28x28x1 (MNIST network) or 32x32x3 (CIFAR-10 network) (default: the images\' own size, which must agree)' },
  { key: 'xpDir', flag: '--xp-dir', type: 'string', help: 'run folder for every output (default: log/<dataset>_<normal>vs<outlier>_seed<seed>)' },
  { key: 'normal', flag: '--normal', type: 'classes', def: '0', help: 'normal class(es): an index or class name (cifar10, folder), a comma-separated list, or -1 for all but --outlier' },
  { key: 'outlier', flag: '--outlier', type: 'classes', def: '-1', help: 'outlier class(es): an index or class name, a list, or -1 for all but --normal' },
  { key: 'seed', flag: '--seed', type: 'int', def: 0, min: 0, max: 2 ** 31 - 1, help: 'fixes subsets, data order and initial weights' },
  { key: 'nTrain', optional: true, flag: '--n-train', type: 'int', min: 1, help: 'train on a seeded random subset of K normal training images (smoke runs)' },
  { key: 'outFrac', flag: '--out-frac', type: 'float', def: 0, min: 0, max: 0.99, help: 'contamination: mix this fraction of outlier-class training images into the training set (seeded)' },
  { key: 'valFrac', flag: '--val-frac', type: 'float', def: 0, min: 0, max: 0.9, help: 'hold out this fraction of the normal training images as a validation set, evaluated each epoch (never used to choose a model; with --threshold fpr or f1 it chooses the cut; default 0.1 with those, else 0)' },
  // decisions (src/eval/thresholds.ts, src/experiments/threshold-choice.ts)
  { key: 'threshold', flag: '--threshold', type: 'choice', choices: ['quantile', 'fpr', 'f1'], def: 'quantile', help: 'how the model\'s yes/no cut on the scores is chosen: quantile = the (1 − --nu)-quantile of the training scores (Deep SVDD: score > 0, R from that quantile); fpr = the lowest cut that flags at most --target-fpr of the validation split\'s normal images; f1 = the cut with the best F1 on the validation split (falls back to quantile, and says so, when that split holds no anomalies). fpr and f1 need a validation split: --val-frac (default 0.1 with them) of the normal training images plus --val-contamination outlier-class training images, never the test set' },
  { key: 'targetFpr', flag: '--target-fpr', type: 'float', def: 0.05, min: 0, max: 0.99, help: '--threshold fpr: the largest share of normal validation images the cut may flag' },
  { key: 'valContamination', flag: '--val-contamination', type: 'float', def: 0.1, min: 0, max: 0.9, help: 'the share of anomalies in the validation split: ceil(v·n/(1−v)) seeded outlier-class training images join its n held-out normal ones (they train nothing; --threshold f1 needs some)' },
  { key: 'valData', optional: true, flag: '--val-data', type: 'string', help: 'a validation split of your own instead of the held-out one: a folder of PNGs in class subfolders (VAL/<class>/*.png) for images, a table with the training table\'s columns and label column for tables; normal-class data are its normals, outlier-class data its anomalies (never the test data)' },
  { key: 'nTest', optional: true, flag: '--n-test', type: 'int', min: 1, help: 'test on a seeded random subset of K test images (smoke runs)' },
  // device
  { key: 'device', flag: '--device', type: 'string', def: 'cpu', help: 'cpu, or gpu / gpu0 / cuda (needs @tensorflow/tfjs-node-gpu)' },
  { key: 'backend', flag: '--backend', type: 'choice', choices: BACKEND_CHOICES, def: 'auto', help: 'TF.js backend: auto = per network the faster of native tensorflow (once `deep-svdd setup tensorflow` has run) and wasm' },
  { key: 'threads', flag: '--threads', type: 'int', def: 0, min: 0, max: 64, help: 'compute threads for this run, 0 = auto: every core on native, one on wasm (sweeps default to one per job)' },
  // objective
  { key: 'loss', flag: '--loss', type: 'choice', choices: ['svdd', 'autoencoder', 'deep-sad'], def: 'svdd', help: 'svdd = Deep SVDD; autoencoder = the DCAE baseline (score = reconstruction error); deep-sad = Deep SAD, Deep SVDD that also learns from labelled samples (README, "Deep SAD")' },
  // Deep SAD's semi-supervised setting (src/data/semi-supervised.ts)
  { key: 'eta', flag: '--eta', type: 'float', def: 1, gt: 0, help: 'Deep SAD: η, the weight of the labelled samples\' terms η·(d + ε)^ỹ' },
  { key: 'ratioKnownOutlier', flag: '--ratio-known-outlier', type: 'float', def: 0, min: 0, lt: 1, help: 'Deep SAD: γ_l, the share of labelled anomalies (of --known-outlier-class) in the training set, as the authors\' code draws it' },
  { key: 'ratioKnownNormal', flag: '--ratio-known-normal', type: 'float', def: 0, min: 0, lt: 1, help: 'Deep SAD: the share of labelled normal samples in the training set' },
  { key: 'ratioPollution', flag: '--ratio-pollution', type: 'float', def: 0, min: 0, lt: 1, help: 'Deep SAD: γ_p, the share of (unlabelled) anomalies among the unlabelled training samples' },
  { key: 'knownOutlierClass', optional: true, repeatable: true, flag: '--known-outlier-class', type: 'classes', help: 'Deep SAD: the outlier class(es) the labelled anomalies are drawn from (repeatable or a comma list; -1 = every outlier class; default: the one outlier class where there is one)' },
  { key: 'nKnownOutlierClasses', optional: true, flag: '--n-known-outlier-classes', type: 'int', min: 0, help: 'Deep SAD: draw this many known outlier classes (seeded), when --known-outlier-class is not given' },
  { key: 'labelledOutlierClass', optional: true, repeatable: true, flag: '--labelled-outlier-class', type: 'classes', help: 'Deep SAD, your own labels: every training sample of these outlier classes (e.g. a folder dataset\'s train/<class> folder) is a labelled anomaly' },
  { key: 'labelledNormalClass', optional: true, repeatable: true, flag: '--labelled-normal-class', type: 'classes', help: 'Deep SAD, your own labels: every training sample of these normal classes is a labelled normal' },
  { key: 'semiLabelColumn', optional: true, flag: '--semi-label-column', type: 'string', help: '--dataset table, your own labels: a column of +1 (labelled normal), 0 (unlabelled), -1 (labelled anomaly), not a feature (a .csv header name; xJ for a .npy)' },
  { key: 'hardMargin', flag: '--hard-margin', type: 'bool01', def: true, help: '1 = one-class Deep SVDD, 0 = soft-boundary' },
  { key: 'blockCoordinate', flag: '--block-coordinate', type: 'bool01', help: 'soft-boundary: 1 = train the network with R fixed and solve R exactly every --k-update-epochs (the paper\'s protocol), 0 = the --radius-update rule (default: 1 for --hard-margin 0 unless --radius-update is given, else 0)' },
  { key: 'nu', flag: '--nu', type: 'float', def: 0.1, gt: 0, max: 1, help: 'ν in (0, 1]: soft-boundary trade-off and the quantile for R' },
  { key: 'radiusUpdate', flag: '--radius-update', type: 'choice', choices: ['solver', 'batch-quantile'], help: 'soft-boundary without block coordinates: R trained by the solver (the original\'s joint R; default) or the PyTorch port\'s per-batch quantile' },
  { key: 'warmUpNEpochs', flag: '--warm-up-n-epochs', type: 'int', def: 10, min: 0, help: 'soft-boundary warm-up epochs' },
  { key: 'kUpdateEpochs', flag: '--k-update-epochs', type: 'int', def: 5, min: 1, help: 'block-coordinate: solve R every k epochs' },
  { key: 'centerFixed', flag: '--center-fixed', type: 'bool01', def: true, help: '0 = train c by gradient too (risks collapse)' },
  { key: 'cMeanInit', flag: '--c-mean-init', type: 'bool01', def: true, help: '1 = c from the mean initial output, 0 = c = 0.5·1' },
  { key: 'cMeanInitNBatches', flag: '--c-mean-init-n-batches', type: 'int', def: -1, min: -1, except: [0], help: 'batches used for c (-1 = all)' },
  // solver
  { key: 'solver', flag: '--solver', type: 'choice', choices: SOLVERS, def: 'adam', help: 'optimiser' },
  { key: 'lr', flag: '--lr', type: 'float', def: 1e-4, gt: 0, help: 'learning rate' },
  { key: 'momentum', flag: '--momentum', type: 'float', def: 0.9, min: 0, max: 1, help: 'momentum / nesterov coefficient' },
  { key: 'nEpochs', flag: '--n-epochs', type: 'int', def: 150, min: 0, help: 'Deep SVDD epochs (autoencoder epochs with --loss autoencoder)' },
  { key: 'batchSize', flag: '--batch-size', type: 'int', def: 200, min: 1, max: 10_000, help: 'mini-batch size' },
  { key: 'dropLast', flag: '--drop-last', type: 'bool01', def: false, help: 'leave out each epoch\'s last partial batch, in pretraining too (PyTorch\'s drop_last; the original trained on a random multiple of the batch size, e.g. 5,800 of digit 0\'s 5,923 images)' },
  { key: 'lrDrop', flag: '--lr-drop', type: 'bool01', def: true, help: 'divide the learning rate once, at the start of --lr-drop-in-epoch' },
  { key: 'lrDropInEpoch', flag: '--lr-drop-in-epoch', type: 'int', def: 50, min: 0, help: '0-based epoch index of the drop' },
  { key: 'lrDropFactor', flag: '--lr-drop-factor', type: 'float', def: 10, gt: 0, help: 'divisor of the drop' },
  { key: 'lrDecay', flag: '--lr-decay', type: 'bool01', def: false, help: '1/t decay: lr = lr0·after/epoch from --lr-decay-after-epoch' },
  { key: 'lrDecayAfterEpoch', flag: '--lr-decay-after-epoch', type: 'int', def: 10, min: 1, help: 'start of the 1/t decay' },
  { key: 'weightDecay', flag: '--weight-decay', type: 'bool01', def: true, help: 'add (1/(2C))·Σ‖W‖² to the objective' },
  { key: 'C', flag: '--C', type: 'float', def: 1e6, gt: 0, help: 'weight-decay constant C (λ = 1/C)' },
  // network
  { key: 'repDim', flag: '--rep-dim', type: 'int', min: 1, max: 4096 /* MAX_REP_DIM, what score reads */, help: 'representation size (default: 32 MNIST, 64 Fashion-MNIST, 128 CIFAR-10; folder: by its network; tables: by their width, 4 to 32); a multiple of 16 for the convolutional networks' },
  { key: 'mlpHidden', optional: true, flag: '--mlp-hidden', type: 'string', help: 'tables: the MLP\'s hidden layer widths, e.g. 32,16 (default: by the table\'s width, as the Deep SAD code\'s ODDS networks: 128,64 from 100 features, else 32,16)' },
  { key: 'useBatchNorm', flag: '--use-batch-norm', type: 'bool01', def: true, help: 'batch norm without affine parameters' },
  { key: 'leakyRelu', flag: '--leaky-relu', type: 'bool01', def: true, help: '1 = leaky ReLU (0.01), 0 = ReLU' },
  // the original's other networks and initialisations (README, "Options of the original code")
  { key: 'mnistArchitecture', flag: '--mnist-architecture', type: 'int', def: 1, min: 1, max: 2, help: 'MNIST network: 1 = the paper\'s LeNet, 2 = the original\'s wide variant (conv 256-256-128, dense 320, dense rep_dim)' },
  { key: 'cifar10Architecture', flag: '--cifar10-architecture', type: 'int', def: 3, min: 1, max: 3, help: 'CIFAR-10 network: 3 = the paper\'s LeNet, 1 = six convolutions (16-16-32-32-64-64), 2 = three (16-32-64)' },
  { key: 'mnistBias', flag: '--mnist-bias', type: 'bool01', def: false, help: 'bias terms in the MNIST convolutions and dense layers. A bias lets the network map every input to c, the trivial solution of one-class Deep SVDD (hypersphere collapse): the paper\'s networks are bias-free' },
  { key: 'cifar10Bias', flag: '--cifar10-bias', type: 'bool01', def: false, help: 'bias terms in the CIFAR-10 architecture 1 encoder (as the original, never in its autoencoder); risks hypersphere collapse like --mnist-bias' },
  { key: 'bnAffine', flag: '--bn-affine', type: 'bool01', def: false, help: 'learn a batch-norm scale γ and shift β (the original\'s Lasagne batch norm). β is a bias: with it the network can map every input to c (γ → 0, β → c), the collapse the bias-free design rules out, so Deep SVDD may learn a constant function' },
  { key: 'weightDictInit', flag: '--weight-dict-init', type: 'bool01', help: 'initialise the first convolution with atoms of a dictionary learnt on 5×5 patches of 500 training images, as the original\'s MNIST and CAE scripts; drawn in filters_init.png (default: 1 MNIST, where it is worth several AUC points (README, Results); 0 CIFAR-10 and GTSRB, whose CAE scripts set 1; folder: by its network)' },
  // preprocessing
  { key: 'gcn', flag: '--gcn', type: 'bool01', def: true, help: 'global contrast normalisation of each image (subtract its mean, divide by --unit-norm-used) before the min–max scaling' },
  { key: 'unitNormUsed', flag: '--unit-norm-used', type: 'choice', choices: ['l1', 'l2', 'std'], def: 'l1', help: 'GCN scale: l1 = mean |x|, l2 = √Σx² / D, std = standard deviation (the same after min–max up to the GCN scale of each image)' },
  { key: 'zcaWhitening', flag: '--zca-whitening', type: 'bool01', def: false, help: 'ZCA whitening after GCN (W = U·diag(1/√(S + 0.1))·Uᵀ from the training covariance), then min–max' },
  // pretraining
  { key: 'pretrain', flag: '--pretrain', type: 'bool01', def: true, help: 'autoencoder pretraining, then encoder transfer' },
  { key: 'aeSolver', flag: '--ae-solver', type: 'choice', choices: SOLVERS, def: 'adam', help: 'pretraining optimiser' },
  { key: 'aeLr', flag: '--ae-lr', type: 'float', def: 1e-4, gt: 0, help: 'pretraining learning rate' },
  { key: 'aeNEpochs', flag: '--ae-n-epochs', type: 'int', min: 0, help: 'pretraining epochs (default: 150 MNIST, 350 CIFAR-10; folder: by its network)' },
  { key: 'aeBatchSize', flag: '--ae-batch-size', type: 'int', min: 1, max: 10_000, help: 'pretraining batch size (default: --batch-size)' },
  { key: 'aeLrDrop', flag: '--ae-lr-drop', type: 'bool01', help: 'pretraining learning-rate drop (default: 0 MNIST, 1 CIFAR-10; folder: by its network)' },
  { key: 'aeLrDropInEpoch', flag: '--ae-lr-drop-in-epoch', type: 'int', min: 0, help: 'epoch of the pretraining drop (default: 250)' },
  { key: 'aeLrDropFactor', flag: '--ae-lr-drop-factor', type: 'float', def: 10, gt: 0, help: 'divisor of the pretraining drop' },
  { key: 'aeWeightDecay', flag: '--ae-weight-decay', type: 'bool01', def: true, help: 'add (0.5/ae_C)·Σ‖W‖² to the reconstruction loss' },
  { key: 'aeC', flag: '--ae-C', type: 'float', gt: 0, help: 'pretraining weight-decay constant (default: 1e3 MNIST, 1e6 CIFAR-10; folder: by its network)' },
  { key: 'aeLoss', flag: '--ae-loss', type: 'choice', choices: ['l2', 'ce'], def: 'l2', help: 'reconstruction loss: squared error or binary cross-entropy' },
  // evaluation and outputs
  { key: 'inName', optional: true, flag: '--in-name', type: 'string', help: 'start from the weights of an earlier run (its folder or its model/ folder; an autoencoder gives its encoder)' },
  { key: 'outName', flag: '--out-name', type: 'string', def: 'model', help: 'name of the model folder inside --xp-dir' },
  { key: 'saveAt', flag: '--save-at', type: 'int', def: 0, min: 0, help: 'also save the model after this many Deep SVDD epochs, as <out-name>_epoch<E>/ (0 = only at the end)' },
  { key: 'nnetDiagnostics', flag: '--nnet-diagnostics', type: 'bool01', def: false, help: 'evaluate the test set after every epoch (test_auc column of epochs.csv; a diagnostic, never used to choose a model)' },
  { key: 'evalBatchSize', flag: '--eval-batch-size', type: 'int', def: 400, min: 1, max: 10_000, help: 'batch size of inference passes (larger ones are no faster and grow the wasm heap, which never shrinks)' },
  { key: 'resume', flag: '--resume', type: 'bool01', def: false, help: 'continue the interrupted run in --xp-dir from its checkpoint (repeat its options)' },
  { key: 'force', flag: '--force', type: 'bool01', def: false, help: 'overwrite a finished run in --xp-dir' },
] as const satisfies readonly OptSpec[];

/** The option table, for code that walks it (registration, parsing, sweeps). */
export const TRAIN_OPTIONS: readonly OptSpec[] = OPTION_TABLE;

type Spec = (typeof OPTION_TABLE)[number];
/** The value an option holds once parsed, from its spec. */
type ValueOf<S> = S extends { type: 'int' | 'float' } ? number
  : S extends { type: 'bool01' } ? boolean
    : S extends { type: 'classes' } ? number[]
      : S extends { type: 'choice'; choices: readonly (infer C)[] } ? C
        : string;

/**
 * Every setting of a run, derived from TRAIN_OPTIONS (one key per option, typed by its spec); options marked
 * `optional` may be unset, every other one has a value after buildTrainConfig (its default, the dataset's, or derived).
 */
export type TrainConfig =
  { -readonly [S in Spec as S extends { optional: true } ? never : S['key']]: ValueOf<S> }
  & { -readonly [S in Spec as S extends { optional: true } ? S['key'] : never]?: ValueOf<S> };

function describeAllowed(spec: OptSpec): string {
  switch (spec.type) {
    case 'int': return `a whole number${bounds(spec)}`;
    case 'float': return `a number${bounds(spec)}`;
    case 'bool01': return '0 or 1';
    case 'choice': return `one of ${spec.choices!.join(', ')}`;
    default: return 'a value';
  }
}

function bounds(spec: OptSpec): string {
  const parts: string[] = [];
  if (spec.gt !== undefined) parts.push(`> ${spec.gt}`);
  if (spec.min !== undefined) parts.push(`≥ ${spec.min}`);
  if (spec.max !== undefined) parts.push(`≤ ${spec.max}`);
  if (spec.lt !== undefined) parts.push(`< ${spec.lt}`);
  if (spec.except?.length) parts.push(`not ${spec.except.join(', ')}`);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

/** A decimal number as people type it: no hex, binary or octal prefixes, no `Infinity`, no empty string. */
export const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** Parses one raw option value (string from the command line, or a default) by its spec; throws a one-line UserError. */
export function parseValue(spec: OptSpec, raw: unknown): unknown {
  const bad = () => new UserError(`${spec.flag} ${String(raw)} is invalid: use ${describeAllowed(spec)}`);
  // a bare boolean flag (`--resume`) arrives as true
  if (raw === true && spec.type === 'bool01') return true;
  if (typeof raw !== 'string') return raw;
  const s = raw.trim();
  switch (spec.type) {
    case 'int': {
      if (!/^[-+]?\d+$/.test(s)) throw bad();
      const v = Number(s);
      if (!Number.isSafeInteger(v)) throw bad();
      checkBounds(spec, v, bad);
      return v;
    }
    case 'float': {
      const v = Number(s);
      if (!DECIMAL.test(s) || !Number.isFinite(v)) throw bad();
      checkBounds(spec, v, bad);
      return v;
    }
    case 'bool01':
      if (s === '1' || s === 'true') return true;
      if (s === '0' || s === 'false') return false;
      throw bad();
    case 'choice':
      if (!spec.choices!.includes(s)) throw bad();
      return s;
    default:
      if (s === '') throw new UserError(`${spec.flag} is empty: give ${spec.type === 'classes' ? 'a class' : 'a value'} (see deep-svdd train --help)`);
      return s;
  }
}

function checkBounds(spec: OptSpec, v: number, bad: () => Error): void {
  if (spec.gt !== undefined && !(v > spec.gt)) throw bad();
  if (spec.min !== undefined && v < spec.min) throw bad();
  if (spec.max !== undefined && v > spec.max) throw bad();
  if (spec.lt !== undefined && !(v < spec.lt)) throw bad();
  if (spec.except?.includes(v)) throw bad();
}

/** The help text of an option with its allowed range (ints and floats), as --help shows it. */
export function helpWithRange(spec: OptSpec): string {
  return (spec.type === 'int' || spec.type === 'float') ? `${spec.help} [${describeAllowed(spec)}]` : spec.help;
}

/**
 * Registers the train options on a commander command (except `skip`), with their defaults as strings. Boolean
 * options take 0 / 1 or stand alone (`--resume` is `--resume 1`).
 */
export function addTrainOptions(cmd: Command, skip: readonly string[] = [], help: (spec: OptSpec) => string = helpWithRange): Command {
  for (const spec of TRAIN_OPTIONS) {
    if (skip.includes(spec.key)) continue;
    const opt = new Option(spec.type === 'bool01' ? `${spec.flag} [0|1]` : `${spec.flag} <value>`, help(spec));
    if (spec.choices) opt.choices(spec.choices as string[]);
    if (spec.repeatable) opt.argParser((v: string, prev: string | undefined) => (prev === undefined ? v : `${prev},${v}`));
    if (spec.def !== undefined) opt.default(typeof spec.def === 'boolean' ? (spec.def ? '1' : '0') : String(spec.def));
    cmd.addOption(opt);
  }
  return cmd;
}
