/**
 * The options of `deep-svdd baseline` (the shallow baselines of the paper's Table 1): the data options it shares with
 * `train` (taken from TRAIN_OPTIONS, so they are defined once) and its own. Names follow the original
 * baseline_*.py options in kebab case.
 */
import { Option, type Command } from 'commander';
import { COMMON_BASELINE_KEYS } from '../baselines/detector.js';
import { BASELINE_METHODS, DETECTORS, detectorFor, type BaselineMethod } from '../baselines/detectors.js';
import { MAX_FOREST_SAMPLES } from '../baselines/iforest.js';
import { UserError } from '../util/errors.js';
import { buildTrainConfig } from './build.js';
import { parseValue, TRAIN_OPTIONS, type DatasetName, type OptSpec } from './options.js';
export const GAMMA_SELECTIONS = ['test-slice', 'train-holdout'] as const;

/** Train options that mean the same for a baseline run. */
export const SHARED_KEYS = ['dataset', 'dataDir', 'imageSize', 'dataFile', 'labelColumn', 'labelFile', 'xpDir', 'normal', 'outlier', 'seed', 'nTrain', 'nTest', 'force'] as const;

/** The forest bound, checked by the Isolation Forest detector's checkConfig (src/baselines/detector-iforest.ts). */
export { MAX_FOREST_SAMPLES };

/** Options only the baselines have. */
export const BASELINE_OWN_OPTIONS: readonly OptSpec[] = [
  { key: 'method', flag: '--method', type: 'choice', choices: BASELINE_METHODS, help: `shallow baseline: ${DETECTORS.map((d) => `${d.name} = ${d.title}`).join(', ')}` },
  { key: 'gcn', flag: '--gcn', type: 'bool01', def: false, help: 'global contrast normalization (l1) before the min–max scaling (the original scripts: 1 for IF and CIFAR-10, 0 for MNIST OC-SVM and KDE)' },
  { key: 'pca', flag: '--pca', type: 'bool01', def: false, help: 'project the flattened images onto the principal components holding --pca-variance of the training variance' },
  { key: 'pcaVariance', flag: '--pca-variance', type: 'float', def: 0.95, gt: 0, max: 0.999999, help: 'variance fraction PCA keeps' },
  { key: 'nu', flag: '--nu', type: 'string', def: '0.1', help: 'OC-SVM ν in (0, 1); a comma-separated list is searched together with γ' },
  { key: 'gamma', flag: '--gamma', type: 'float', gt: 0, help: 'OC-SVM RBF γ; fixes it instead of searching 2^-10 … 2^-1' },
  { key: 'gammaSelection', flag: '--gamma-selection', type: 'choice', choices: GAMMA_SELECTIONS, def: 'test-slice', help: 'how the OC-SVM γ (and ν) are chosen: test-slice = the paper\'s protocol, best AUC on a random 10 % of the test set, reported on the other 90 % (uses test labels); train-holdout = best AUC on held-out training images (10 % of the normal class and 10 % of the outlier classes\' training images), then refit on the whole training set and tested on the whole test set' },
  { key: 'selectionFrac', flag: '--selection-frac', type: 'float', def: 0.1, gt: 0, max: 0.5, help: 'fraction held out for the γ selection' },
  { key: 'bandwidth', flag: '--bandwidth', type: 'float', gt: 0, help: 'KDE bandwidth; fixes it instead of the 5-fold cross-validation over logspace(-4.5, 5, 20, base 2)' },
  { key: 'kdeFolds', flag: '--kde-folds', type: 'int', def: 5, min: 2, max: 100, help: 'folds of the KDE bandwidth cross-validation (2 to 100)' },
  { key: 'nEstimators', flag: '--n-estimators', type: 'int', def: 100, min: 1, max: 10_000, help: `Isolation Forest: number of trees (1 to 10000; trees × samples per tree at most ${MAX_FOREST_SAMPLES}, about 230 MB of trees)` },
  { key: 'maxSamples', flag: '--max-samples', type: 'int', def: 256, min: 2, max: 65_536, help: `Isolation Forest: training samples per tree (2 to 65536; capped at the training set's size)` },
  { key: 'contamination', flag: '--contamination', type: 'float', def: 0.1, gt: 0, max: 0.5, help: 'IF and KDE: expected outlier fraction; the decision threshold is the (1 − contamination) quantile of the training scores (KDE: of their cross-validated scores); affects predictions only, not the AUC' },
];

/** What a shared option means for a baseline run, where train's help would mislead. */
const SHARED_HELP: Record<string, string> = {
  xpDir: 'run folder for every output (default: log/<dataset>_<method>_<normal>vs<outlier>_seed<seed>)',
  seed: 'fixes subsets, the OC-SVM hold-out split, the KDE folds and the Isolation Forest',
};

export const BASELINE_OPTIONS: readonly OptSpec[] = [
  ...SHARED_KEYS.map((k) => TRAIN_OPTIONS.find((s) => s.key === k)!).filter(Boolean)
    .map((spec) => (SHARED_HELP[spec.key] ? { ...spec, help: SHARED_HELP[spec.key] } : spec)),
  ...BASELINE_OWN_OPTIONS,
];

export interface BaselineConfig {
  method: BaselineMethod;
  dataset: DatasetName;
  dataDir?: string;
  imageSize?: string;
  dataFile?: string;
  labelColumn?: string;
  labelFile?: string;
  xpDir: string;
  normal: number[];
  outlier: number[];
  seed: number;
  nTrain?: number;
  nTest?: number;
  force: boolean;
  gcn: boolean;
  pca: boolean;
  pcaVariance: number;
  nu: number[];
  gamma?: number;
  gammaSelection: (typeof GAMMA_SELECTIONS)[number];
  selectionFrac: number;
  bandwidth?: number;
  kdeFolds: number;
  nEstimators: number;
  maxSamples: number;
  contamination: number;
}

/**
 * Registers baseline options on a command. The baselines' own options get no commander default (it is shown in the
 * help instead), so that a value present in the parsed options was typed: options of another method are refused.
 */
export function addBaselineOptions(cmd: Command, specs: readonly OptSpec[] = BASELINE_OPTIONS, help: (s: OptSpec) => string = (s) => s.help): Command {
  for (const spec of specs) {
    const own = BASELINE_OWN_OPTIONS.includes(spec);
    const def = spec.def === undefined ? undefined : typeof spec.def === 'boolean' ? (spec.def ? '1' : '0') : String(spec.def);
    const opt = new Option(`${spec.flag} <value>`, own && def !== undefined ? `${help(spec)} (default: ${def})` : help(spec));
    if (def !== undefined && !own) opt.default(def);
    cmd.addOption(opt);
  }
  return cmd;
}

function parseNuList(raw: string): number[] {
  const items = raw.split(',').map((s) => s.trim());
  const vals = items.map(Number);
  if (!items.length || items.some((s) => s === '') || vals.some((v) => !Number.isFinite(v) || v <= 0 || v > 1)) {
    throw new UserError(`--nu ${raw} is invalid: use a number in (0, 1), or a comma-separated list of them`);
  }
  return [...new Set(vals)];
}

/** From raw option values (strings) to a validated BaselineConfig. */
export function buildBaselineConfig(raw: Record<string, unknown>): BaselineConfig {
  if (raw.method === undefined) throw new UserError(`--method is required: use one of ${BASELINE_METHODS.join(', ')}`);
  const own: Record<string, unknown> = {};
  for (const spec of BASELINE_OWN_OPTIONS) {
    const given = raw[spec.key];
    own[spec.key] = parseValue(spec, given ?? (spec.def === undefined ? undefined : String(spec.def)));
  }
  const method = own.method as BaselineMethod;
  // the data options are validated exactly as train validates them (classes, folder datasets, --image-size)
  const shared: Record<string, unknown> = {};
  for (const k of SHARED_KEYS) if (raw[k] !== undefined) shared[k] = raw[k];
  const t = buildTrainConfig(shared);
  const side = (c: number[]) => (c[0] === -1 ? 'all' : c.join('+'));
  const xpDir = raw.xpDir === undefined ? `log/${t.dataset}_${method}_${side(t.normal)}vs${side(t.outlier)}_seed${t.seed}` : t.xpDir;
  const cfg: BaselineConfig = {
    method, dataset: t.dataset, dataDir: t.dataDir, imageSize: t.imageSize, dataFile: t.dataFile, labelColumn: t.labelColumn, labelFile: t.labelFile, xpDir, normal: t.normal, outlier: t.outlier, seed: t.seed,
    nTrain: t.nTrain, nTest: t.nTest, force: t.force,
    gcn: own.gcn as boolean, pca: own.pca as boolean, pcaVariance: own.pcaVariance as number, nu: parseNuList(String(own.nu)),
    gamma: own.gamma as number | undefined, gammaSelection: own.gammaSelection as BaselineConfig['gammaSelection'],
    selectionFrac: own.selectionFrac as number, bandwidth: own.bandwidth as number | undefined, kdeFolds: own.kdeFolds as number,
    nEstimators: own.nEstimators as number, maxSamples: own.maxSamples as number, contamination: own.contamination as number,
  };
  // an option of the other detectors (Detector.options) is refused
  const detector = detectorFor(method);
  for (const spec of BASELINE_OWN_OPTIONS) {
    const key = spec.key as keyof BaselineConfig;
    if (raw[key] === undefined || (COMMON_BASELINE_KEYS as readonly string[]).includes(key) || (detector.options as readonly string[]).includes(key)) continue;
    const owners = DETECTORS.filter((d) => (d.options as readonly string[]).includes(key)).map((d) => d.name);
    throw new UserError(`${spec.flag} only applies to --method ${owners.join(' or ')}: drop it`);
  }
  if (raw.pcaVariance !== undefined && !cfg.pca) throw new UserError('--pca-variance needs --pca 1');
  detector.checkConfig(cfg);
  return cfg;
}

/** The method in words, as logged and recorded in results.json "objective". */
export function describeBaseline(cfg: BaselineConfig): string {
  return detectorFor(cfg.method).describe(cfg);
}
