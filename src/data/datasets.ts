/**
 * From files on disk to the prepared sets of a run, for every dataset of the registry (registry.ts): images by
 * class selection → seeded subsets → /255 → GCN (l1) → min–max with the training set's constants; tables by
 * tables.ts (a seeded split, standardisation and min–max fitted on the training split).
 */
import path from 'node:path';
import { inputShape } from '../nn/architectures.js';
import { UserError } from '../util/errors.js';
import { subRng } from '../util/rng.js';
import { type ImageSet } from './batches.js';
import { type DatasetInfo, type RawData, type RawImages } from './dataset-spec.js';
import { preprocess, type GcnNorm, type PreprocessConstants } from './preprocess.js';
import { datasetSpec } from './registry.js';
import { prepareTable } from './tables.js';
import { type ZcaTransform } from './zca.js';
import { buildSplit, gatherImages, resolveClasses, seededSubset, selectIndices } from './select.js';
import { runTrainingSelection, type SemiSupervisedOptions, type SemiSupervisedRecord } from './semi-supervised.js';

export { type DatasetInfo, type RawData };

/** The info of a dataset whose classes and network are fixed (image datasets of the registry). */
export function fixedInfo(name: string): DatasetInfo {
  const spec = datasetSpec(name);
  if (!spec.classNames || !spec.net) throw new Error(`dataset ${name} is only known from its data`);
  return { name, title: spec.title, kind: spec.kind, classNames: spec.classNames, net: spec.net, ...inputShape(spec.net) };
}

/**
 * The files of a dataset, by its registry entry. Datasets known only from their data (folder, table) return their
 * info with the data; `at` gives --data-file and the like.
 */
export function loadRaw(dataset: string, dataDir: string | undefined, explicit: boolean, at: { imageSize?: string; dataFile?: string; labelColumn?: string; labelFile?: string; semiLabelColumn?: string } = {}, seed = 0): RawData {
  const spec = datasetSpec(dataset);
  return spec.load({ ...at, dataDir: explicit && dataDir !== undefined ? dataDir : spec.defaultDir, explicit, seed });
}

export interface PreparedData {
  info: DatasetInfo;
  source: string;
  normal: number[];
  outlier: number[];
  train: ImageSet;
  test: ImageSet;
  /** 0 normal / 1 outlier for each test image */
  testLabels: Uint8Array;
  /** index of each test image in the original test split */
  testIndex: Int32Array;
  /** original class of each test image */
  testClasses: Uint8Array;
  /** held-out normal training images (--val-frac), preprocessed like the training set; n = 0 when unused */
  val: ImageSet;
  /** outlier-class images mixed into the training set (--out-frac; Deep SAD: the labelled and unlabelled anomalies) */
  /** the validation split's anomalies: held-out outlier-class training images (--val-contamination; none in Deep SAD runs); absent or n = 0 when unused */
  valOutliers?: ImageSet;
  nTrainOutliers: number;
  /** semi-supervised runs (src/data/semi-supervised.ts): each training sample's label, +1 / 0 / −1 */
  semiLabels?: Int8Array;
  /** semi-supervised runs: the setting and its counts (config.json and results.json "semi_supervised") */
  semiSupervised?: SemiSupervisedRecord;
  /** original pixels of the test images (for pictures) */
  testPixels: Uint8Array;
  constants: PreprocessConstants;
  /** the ZCA whitening fitted on the training set (--zca-whitening 1) */
  zca?: ZcaTransform;
}

export interface PrepareOptions extends SemiSupervisedOptions {
  dataset: string;
  dataDir?: string;
  normal: number[];
  outlier: number[];
  seed: number;
  nTrain?: number;
  nTest?: number;
  outFrac?: number;
  valFrac?: number;
  /** the share of anomalies in the validation split (--val-contamination) */
  valContamination?: number;
  /** --image-size HxWxC (folder datasets) */
  imageSize?: string;
  /** table datasets: --data-file, --label-column, --label-file */
  dataFile?: string;
  labelColumn?: string;
  labelFile?: string;
  /** table datasets: --semi-label-column */
  semiLabelColumn?: string;
  /** contrast normalisation: --gcn 0 gives 'none', otherwise --unit-norm-used (default l1) */
  contrast?: GcnNorm | 'none';
  /** --zca-whitening 1 */
  zca?: boolean;
}

export function prepareData(o: PrepareOptions, raw?: RawData): PreparedData {
  const data = raw ?? loadRaw(o.dataset, o.dataDir, o.dataDir !== undefined, o, o.seed);
  const info = data.info ?? fixedInfo(o.dataset);
  if (data.kind === 'table') return prepareTable(o, data, info);
  return prepareImages(o, data, info);
}

function prepareImages(o: PrepareOptions, data: RawImages & { info?: DatasetInfo }, info: DatasetInfo): PreparedData {
  const classes = resolveClasses(o.normal, o.outlier, info.classNames.length);
  if (data.info && selectIndices(data.train.labels, classes.normal).length === 0) {
    const names = classes.normal.map((c) => info.classNames[c]).join(', ');
    throw new UserError(`no training images of the normal class(es) ${names}: ${path.join(o.dataDir ?? '', 'train')} has no such class folder; choose other classes with --normal, or add their training images`);
  }
  const split = buildSplit(data.train.labels, data.test.labels, classes);
  const { trainIdx, valIdx, nOut, semi, record, valOutIdx } = runTrainingSelection(split.trainIdx, selectIndices(data.train.labels, classes.outlier), classes,
    (i) => data.train.labels[i], o, 'training images');
  const testPick = seededSubset(Int32Array.from(split.testIdx.keys()), o.nTest, subRng(o.seed, 'test-subset'), '--n-test');
  const testIndex = Int32Array.from(testPick, (k) => split.testIdx[k]);
  const testLabels = Uint8Array.from(testPick, (k) => split.testLabels[k]);
  const where = data.info ? ` (--data-dir ${o.dataDir})` : '';
  if (trainIdx.length === 0) throw new UserError(`the training split is empty: no training images of the normal class(es)${where}; choose other classes with --normal, or add training images`);
  if (testIndex.length === 0) throw new UserError(`the test split is empty: no test images of the chosen classes${where}; add test images, or choose other classes with --normal / --outlier`);
  const d = info.height * info.width * info.channels;
  const trainPixels = gatherImages(data.train.images, d, trainIdx);
  const testPixels = gatherImages(data.test.images, d, testIndex);
  const valPixels = gatherImages(data.train.images, d, valIdx);
  const valOutPixels = gatherImages(data.train.images, d, valOutIdx);
  const { train, others, constants, zca } = preprocess(trainPixels, [testPixels, valPixels, valOutPixels], d, { gcn: o.contrast, zca: o.zca });
  const shape = { height: info.height, width: info.width, channels: info.channels };
  return {
    info, source: data.source, normal: classes.normal, outlier: classes.outlier,
    train: { x: train, n: trainIdx.length, ...shape },
    test: { x: others[0], n: testIndex.length, ...shape },
    val: { x: others[1], n: valIdx.length, ...shape },
    valOutliers: { x: others[2], n: valOutIdx.length, ...shape },
    nTrainOutliers: nOut, semiLabels: semi, semiSupervised: record,
    testLabels, testIndex, testClasses: Uint8Array.from(testIndex, (i) => data.test.labels[i]), testPixels, constants, zca,
  };
}
