/** From raw option values (strings from the command line) to a validated TrainConfig. */
import path from 'node:path';
import { DATASET_INFO } from '../data/datasets.js';
import { folderShape, formatDims, parseImageSize, scanFolderClasses } from '../data/folder.js';
import { parseClassList } from '../data/select.js';
import { validateDevice } from '../backend/device.js';
import { type RadiusMode } from '../train/svdd.js';
import { type NetKind } from '../nn/architectures.js';
import { isRunFileName } from '../io/run-folder.js';
import { UserError } from '../util/errors.js';
import { netOptionsFor } from './network.js';
import { DATASET_DEFAULTS, NET_DEFAULTS_FROM, parseValue, TRAIN_OPTIONS, type DatasetName, type TrainConfig } from './options.js';

export function buildTrainConfig(raw: Record<string, unknown>): TrainConfig {
  const get = (key: string): unknown => {
    const spec = TRAIN_OPTIONS.find((s) => s.key === key)!;
    return parseValue(spec, raw[key] ?? spec.def);
  };
  const dataset = get('dataset') as DatasetName;
  const { classNames, defaults, imageSize, net } = datasetAtConfigTime(dataset, raw);
  // names are accepted where they differ from the indices (CIFAR-10, folder datasets)
  const names = classNames.every((n, i) => n === String(i)) ? undefined : classNames;
  const out: Record<string, unknown> = {};
  for (const spec of TRAIN_OPTIONS) {
    if (spec.type === 'classes') {
      out[spec.key] = parseClassList(String(raw[spec.key] ?? spec.def), classNames.length, spec.flag, names);
      continue;
    }
    const given = raw[spec.key];
    const fallback = spec.def ?? (defaults as Record<string, unknown>)[spec.key];
    out[spec.key] = given !== undefined ? parseValue(spec, given) : fallback;
  }
  out.imageSize = imageSize;
  const cfg = out as unknown as TrainConfig;
  cfg.aeBatchSize ??= cfg.batchSize;
  // soft-boundary defaults to the paper's block-coordinate protocol, unless a per-step radius rule was asked for
  // (README, "Differences from the original code")
  cfg.blockCoordinate ??= !cfg.hardMargin && cfg.loss === 'svdd' && raw.radiusUpdate === undefined;
  cfg.radiusUpdate ??= 'solver';
  validateDevice(cfg.device);
  if (cfg.repDim % 16 !== 0) throw new UserError(`--rep-dim ${cfg.repDim} is invalid: use a multiple of 16 (the decoder reshapes the code to 4×4×rep_dim/16)`);
  if (cfg.normal[0] === -1 && cfg.outlier[0] === -1) throw new UserError('--normal -1 and --outlier -1 cannot both be -1: give the normal class(es), e.g. --normal 0');
  if (!cfg.hardMargin && cfg.loss === 'svdd' && cfg.blockCoordinate && cfg.radiusUpdate === 'batch-quantile') {
    throw new UserError('--radius-update batch-quantile cannot be combined with --block-coordinate 1: choose one radius rule');
  }
  if (cfg.loss === 'autoencoder' && !cfg.pretrain) {
    throw new UserError('--loss autoencoder trains the autoencoder itself: drop --pretrain 0');
  }
  if (cfg.inName && cfg.pretrain && cfg.loss === 'svdd') {
    throw new UserError(`--in-name ${cfg.inName} and --pretrain 1 both initialise the encoder: pass --pretrain 0 to start from the saved weights`);
  }
  if (dataset === 'gtsrb' && (cfg.normal.join() !== '0' || !['-1', '1'].includes(cfg.outlier.join()))) {
    throw new UserError('--dataset gtsrb has one normal class, the stop signs (0), and one outlier class (1): drop --normal and --outlier');
  }
  // the network options' own checks, before anything is loaded (a folder dataset's network is known from its images)
  netOptionsFor(cfg, net);
  if (!/^[\w.-]+$/.test(cfg.outName)) throw new UserError(`--out-name ${cfg.outName} is invalid: use a folder name of letters, digits, '.', '_' or '-'`);
  if (isRunFileName(cfg.outName)) throw new UserError(`--out-name ${cfg.outName} is invalid: the run writes its own ${cfg.outName} in its folder; choose another name for the model folder, e.g. --out-name model`);
  checkReciprocalIsFloat32('--C', cfg.C);
  checkReciprocalIsFloat32('--ae-C', cfg.aeC);
  if (!cfg.xpDir) {
    const label = (c: number) => (dataset === 'folder' ? classNames[c].replace(/[^\w.-]+/g, '_') : String(c));
    const side = (c: number[]) => (c[0] === -1 ? 'all' : c.map(label).join('+'));
    cfg.xpDir = path.join('log', `${dataset}_${side(cfg.normal)}vs${side(cfg.outlier)}_seed${cfg.seed}`);
  }
  return cfg;
}

const FLOAT32_MAX = 3.4028234663852886e38;
const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

/**
 * The weight decay is 1/C (1/(2C), 0.5/ae_C) in float32: a C whose reciprocal overflows float32 or falls below its
 * normal range would make the run diverge (or lose the decay) only after training started.
 */
function checkReciprocalIsFloat32(flag: string, c: number): void {
  const r = 1 / c;
  if (r <= FLOAT32_MAX && r >= FLOAT32_MIN_NORMAL) return;
  throw new UserError(`${flag} ${c} is invalid: the weight decay 1/C = ${Number(r.toPrecision(3))} is ${r > FLOAT32_MAX ? 'beyond float32\'s range (it overflows)' : 'below float32\'s normal range'}; use a C from 3e-39 to 8.5e37`);
}

/**
 * What option parsing needs to know about the dataset: its class names (for --normal / --outlier) and its defaults.
 * For a folder dataset, from a cheap scan of --data-dir: the class folder names, and the shape of the first
 * training PNG (or --image-size), which picks the network and with it the defaults (NET_DEFAULTS_FROM).
 */
function datasetAtConfigTime(dataset: DatasetName, raw: Record<string, unknown>): { classNames: readonly string[]; defaults: Partial<TrainConfig>; imageSize?: string; net: NetKind } {
  const given = raw.imageSize === undefined ? undefined : String(raw.imageSize);
  if (dataset !== 'folder') {
    if (given !== undefined) throw new UserError(`--image-size ${given} only applies to --dataset folder: drop it (${dataset} images are ${formatDims(DATASET_INFO[dataset])})`);
    return { classNames: DATASET_INFO[dataset].classNames, defaults: DATASET_DEFAULTS[dataset], net: DATASET_INFO[dataset].net };
  }
  const dataDir = raw.dataDir === undefined ? '' : String(raw.dataDir).trim();
  if (!dataDir) throw new UserError('--dataset folder needs --data-dir D: a folder with D/train/<class>/*.png and D/test/<class>/*.png');
  const dims = given === undefined ? undefined : parseImageSize(given);
  const classNames = scanFolderClasses(dataDir);
  const { net } = folderShape(dataDir, dims);
  return { classNames, defaults: DATASET_DEFAULTS[NET_DEFAULTS_FROM[net]], imageSize: dims && formatDims(dims), net };
}

/** The objective in words, as logged and recorded. */
export function describeObjective(cfg: TrainConfig): string {
  if (cfg.loss === 'autoencoder') return `deep convolutional autoencoder (${cfg.aeLoss} reconstruction error)`;
  if (radiusMode(cfg) === 'one-class') return 'one-class Deep SVDD';
  const rule = cfg.blockCoordinate ? `block-coordinate R (exact, every ${cfg.kUpdateEpochs} epochs after ${cfg.warmUpNEpochs} warm-up)`
    : cfg.radiusUpdate === 'batch-quantile' ? 'R per batch quantile (PyTorch port)' : 'R trained by the solver';
  return `soft-boundary Deep SVDD, ν = ${cfg.nu}, ${rule}`;
}

/** Which Deep SVDD variant runs: block coordinates take precedence over --hard-margin, as in the original. */
export function radiusMode(cfg: TrainConfig): RadiusMode {
  if (cfg.blockCoordinate) return 'block';
  if (cfg.hardMargin) return 'one-class';
  return cfg.radiusUpdate === 'batch-quantile' ? 'batch-quantile' : 'solver';
}
