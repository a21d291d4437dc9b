/** From raw option values (strings from the command line) to a validated TrainConfig. */
import path from 'node:path';
import { DATASET_INFO } from '../data/datasets.js';
import { parseClassList } from '../data/select.js';
import { validateDevice } from '../backend/select.js';
import { type RadiusMode } from '../train/svdd.js';
import { UserError } from '../util/errors.js';
import { DATASET_DEFAULTS, parseValue, TRAIN_OPTIONS, type DatasetName, type TrainConfig } from './options.js';

export function buildTrainConfig(raw: Record<string, unknown>): TrainConfig {
  const get = (key: string): unknown => {
    const spec = TRAIN_OPTIONS.find((s) => s.key === key)!;
    return parseValue(spec, raw[key] ?? spec.def);
  };
  const dataset = get('dataset') as DatasetName;
  const info = DATASET_INFO[dataset];
  const out: Record<string, unknown> = {};
  for (const spec of TRAIN_OPTIONS) {
    if (spec.type === 'classes') {
      out[spec.key] = parseClassList(String(raw[spec.key] ?? spec.def), info.classNames.length, spec.flag);
      continue;
    }
    const given = raw[spec.key];
    const fallback = spec.def ?? (DATASET_DEFAULTS[dataset] as Record<string, unknown>)[spec.key];
    out[spec.key] = given !== undefined ? parseValue(spec, given) : fallback;
  }
  const cfg = out as unknown as TrainConfig;
  cfg.aeBatchSize ??= cfg.batchSize;
  validateDevice(cfg.device);
  if (cfg.repDim % 16 !== 0) throw new UserError(`--rep-dim ${cfg.repDim} is invalid: use a multiple of 16 (the decoder reshapes the code to 4×4×rep_dim/16)`);
  if (cfg.normal[0] === -1 && cfg.outlier[0] === -1) throw new UserError('--normal -1 and --outlier -1 cannot both be -1: give the normal class(es), e.g. --normal 0');
  if (!cfg.hardMargin && cfg.loss === 'svdd' && cfg.blockCoordinate && cfg.radiusUpdate === 'batch-quantile') {
    throw new UserError('--radius-update batch-quantile cannot be combined with --block-coordinate 1: choose one radius rule');
  }
  if (cfg.loss === 'autoencoder' && raw.pretrain === '0') {
    throw new UserError('--loss autoencoder trains the autoencoder itself: drop --pretrain 0');
  }
  if (cfg.inName && cfg.pretrain && cfg.loss === 'svdd') {
    throw new UserError(`--in-name ${cfg.inName} and --pretrain 1 both initialise the encoder: pass --pretrain 0 to start from the saved weights`);
  }
  if (!/^[\w.-]+$/.test(cfg.outName)) throw new UserError(`--out-name ${cfg.outName} is invalid: use a folder name of letters, digits, '.', '_' or '-'`);
  if (!cfg.xpDir) {
    const side = (c: number[]) => (c[0] === -1 ? 'all' : c.join('+'));
    cfg.xpDir = path.join('log', `${dataset}_${side(cfg.normal)}vs${side(cfg.outlier)}_seed${cfg.seed}`);
  }
  return cfg;
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
