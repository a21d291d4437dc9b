/** From raw option values (strings from the command line) to a validated TrainConfig. */
import path from 'node:path';
import { type DatasetScan } from '../data/dataset-spec.js';
import { DATASET_LIST, datasetSpec } from '../data/registry.js';
import { parseClassList } from '../data/select.js';
import { validateDevice } from '../backend/device.js';
import { type RadiusMode } from '../train/svdd.js';
import type { ObjectiveName } from '../train/objectives.js';
import { NETWORKS } from '../nn/architectures.js';
import { isRunFileName } from '../io/run-folder.js';
import { UserError } from '../util/errors.js';
import { netOptionsFor } from './network.js';
import { parseValue, TRAIN_OPTIONS, type TrainConfig } from './options.js';

export function buildTrainConfig(raw: Record<string, unknown>): TrainConfig {
  const get = (key: string): unknown => {
    const spec = TRAIN_OPTIONS.find((s) => s.key === key)!;
    return parseValue(spec, raw[key] ?? spec.def);
  };
  const dataset = get('dataset') as string;
  const spec = datasetSpec(dataset);
  const { classNames, defaults, imageSize, net, inputDim } = datasetAtConfigTime(dataset, raw);
  // names are accepted where they differ from the indices (CIFAR-10, folder datasets)
  const names = classNames.every((n, i) => n === String(i)) ? undefined : classNames;
  const out: Record<string, unknown> = {};
  for (const spec of TRAIN_OPTIONS) {
    if (spec.type === 'classes') {
      if (raw[spec.key] === undefined && spec.def === undefined) continue;
      out[spec.key] = parseClassList(String(raw[spec.key] ?? spec.def), classNames.length, spec.flag, names);
      continue;
    }
    const given = raw[spec.key];
    // the dataset's (and its network's) defaults come before the option's own
    const fallback = (defaults as Record<string, unknown>)[spec.key] ?? spec.def;
    out[spec.key] = given !== undefined ? parseValue(spec, given) : fallback;
  }
  out.imageSize = imageSize;
  const cfg = out as unknown as TrainConfig;
  cfg.aeBatchSize ??= cfg.batchSize;
  // soft-boundary defaults to the paper's block-coordinate protocol, unless a per-step radius rule was asked for
  // (README, "Differences from the original code")
  cfg.blockCoordinate ??= !cfg.hardMargin && cfg.loss === 'svdd' && raw.radiusUpdate === undefined;
  cfg.radiusUpdate ??= 'solver';
  // a threshold chosen on a validation split needs one: 10 % of the normal training images unless told otherwise
  if (cfg.threshold !== 'quantile' && raw.valFrac === undefined && !cfg.valData) cfg.valFrac = 0.1;
  if (cfg.valData && cfg.valFrac > 0) throw new UserError(`--val-data ${cfg.valData} and --val-frac ${cfg.valFrac} both give a validation split: choose one`);
  validateDevice(cfg.device);
  if (cfg.normal[0] === -1 && cfg.outlier[0] === -1) throw new UserError('--normal -1 and --outlier -1 cannot both be -1: give the normal class(es), e.g. --normal 0');
  if (!cfg.hardMargin && cfg.loss === 'svdd' && cfg.blockCoordinate && cfg.radiusUpdate === 'batch-quantile') {
    throw new UserError('--radius-update batch-quantile cannot be combined with --block-coordinate 1: choose one radius rule');
  }
  if (cfg.loss === 'autoencoder' && !cfg.pretrain) {
    throw new UserError('--loss autoencoder trains the autoencoder itself: drop --pretrain 0');
  }
  checkDeepSad(cfg, raw);
  if (cfg.inName && cfg.pretrain && cfg.loss !== 'autoencoder') {
    throw new UserError(`--in-name ${cfg.inName} and --pretrain 1 both initialise the encoder: pass --pretrain 0 to start from the saved weights`);
  }
  const classRule = spec.checkClasses?.(cfg.normal, cfg.outlier);
  if (classRule) throw new UserError(classRule);
  if (spec.kind === 'table' && (cfg.gcn || cfg.zcaWhitening)) throw new UserError(`--gcn 1 and --zca-whitening 1 apply to images: drop them (--dataset ${dataset} is a table, standardised and min–max scaled per feature)`);
  if (cfg.weightDictInit && !NETWORKS[net].convolutional) throw new UserError(`--weight-dict-init 1 initialises a first convolution: the ${net} network has none; drop it`);
  // the network options' own checks, before anything is loaded (a folder dataset's network is known from its images)
  netOptionsFor(cfg, net, inputDim);
  if (!/^[\w.-]+$/.test(cfg.outName)) throw new UserError(`--out-name ${cfg.outName} is invalid: use a folder name of letters, digits, '.', '_' or '-'`);
  if (isRunFileName(cfg.outName)) throw new UserError(`--out-name ${cfg.outName} is invalid: the run writes its own ${cfg.outName} in its folder; choose another name for the model folder, e.g. --out-name model`);
  checkReciprocalIsFloat32('--C', cfg.C);
  checkReciprocalIsFloat32('--ae-C', cfg.aeC);
  if (!cfg.xpDir) {
    const label = (c: number) => (spec.classNames ? String(c) : classNames[c].replace(/[^\w.-]+/g, '_'));
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
 * What option parsing needs to know about the dataset: its class names (for --normal / --outlier), its network and
 * its defaults (the network's, then the dataset's). Datasets known from their data (folder, tables) are scanned:
 * a folder's class folders and first PNG header, a table's file.
 */
export function datasetAtConfigTime(dataset: string, raw: Record<string, unknown>): DatasetScan {
  const spec = datasetSpec(dataset);
  const str = (k: string) => (raw[k] === undefined ? undefined : String(raw[k]));
  const at = { dataDir: str('dataDir'), dataFile: str('dataFile'), labelColumn: str('labelColumn'), labelFile: str('labelFile'), imageSize: str('imageSize'), semiLabelColumn: str('semiLabelColumn') };
  const flag = (k: string) => TRAIN_OPTIONS.find((s) => s.key === k)!.flag;
  for (const k of ['imageSize', 'dataFile', 'labelColumn', 'labelFile', 'semiLabelColumn'] as const) {
    if (at[k] === undefined || spec.takes?.includes(k)) continue;
    const takers = DATASET_LIST.filter((d) => d.takes?.includes(k)).map((d) => d.name).join(' or ');
    throw new UserError(`${flag(k)} ${at[k]} only applies to --dataset ${takers}: drop it`);
  }
  for (const [k, v] of Object.entries(at)) if (v !== undefined && v.trim() === '') throw new UserError(`${flag(k)} is empty: give a value or drop it`);
  if (spec.scan) {
    const scan = spec.scan(at);
    return { ...scan, defaults: { ...NETWORKS[scan.net].defaults, ...scan.defaults } };
  }
  return { classNames: spec.classNames!, net: spec.net!, defaults: { ...NETWORKS[spec.net!].defaults, ...spec.defaults } };
}

/** The semi-supervised options, which only Deep SAD reads. */
const SEMI_SUPERVISED_KEYS = ['ratioKnownOutlier', 'ratioKnownNormal', 'ratioPollution', 'knownOutlierClass', 'nKnownOutlierClasses', 'labelledOutlierClass', 'labelledNormalClass', 'semiLabelColumn', 'eta'] as const;

/** Deep SAD's rules: its options need --loss deep-sad, and its threshold is the one-class radius. */
function checkDeepSad(cfg: TrainConfig, raw: Record<string, unknown>): void {
  const flag = (k: string) => TRAIN_OPTIONS.find((s) => s.key === k)!.flag;
  if (cfg.loss !== 'deep-sad') {
    const given = SEMI_SUPERVISED_KEYS.filter((k) => raw[k] !== undefined && !(k === 'eta' && Number(raw[k]) === 1) && !(k.startsWith('ratio') && Number(raw[k]) === 0));
    if (given.length) throw new UserError(`${given.map(flag).join(', ')} ${given.length > 1 ? 'apply' : 'applies'} to Deep SAD: add --loss deep-sad, or drop ${given.length > 1 ? 'them' : 'it'}`);
    return;
  }
  if (!cfg.hardMargin || cfg.blockCoordinate || raw.radiusUpdate !== undefined) {
    throw new UserError('--loss deep-sad has the one-class threshold (R from the (1−ν)-quantile of the training distances): drop --hard-margin 0, --block-coordinate and --radius-update');
  }
}

/** The Deep SVDD-stage objective of a run (src/train/objectives.ts); undefined for the DCAE baseline. */
export function objectiveOf(cfg: TrainConfig): ObjectiveName | undefined {
  if (cfg.loss === 'autoencoder') return undefined;
  if (cfg.loss === 'deep-sad') return 'deep-sad';
  return radiusMode(cfg) === 'one-class' ? 'one-class' : 'soft-boundary';
}

/** The objective in words, as logged and recorded. */
export function describeObjective(cfg: TrainConfig): string {
  if (cfg.loss === 'autoencoder') return `deep convolutional autoencoder (${cfg.aeLoss} reconstruction error)`;
  if (cfg.loss === 'deep-sad') return `Deep SAD (η = ${cfg.eta})`; // option parsing loads no TF.js, so not OBJECTIVES' title
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
