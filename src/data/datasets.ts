/**
 * Everything dataset-specific in one table, and the path from files on disk to preprocessed image sets:
 * class selection → seeded subsets → /255 → GCN (l1) → min–max with the training set's constants.
 */
import path from 'node:path';
import { type NetKind } from '../nn/networks.js';
import { UserError } from '../util/errors.js';
import { permutation, subRng } from '../util/rng.js';
import { type ImageSet } from './batches.js';
import { loadCifar10 } from './cifar10.js';
import { loadFolderDataset, parseImageSize } from './folder.js';
import { loadMnist } from './mnist.js';
import { preprocess, type PreprocessConstants } from './preprocess.js';
import { buildSplit, gatherImages, resolveClasses, seededSubset, selectIndices } from './select.js';

export interface DatasetInfo {
  name: string;
  title: string;
  classNames: string[];
  net: NetKind;
  height: number;
  width: number;
  channels: number;
}

export const DATASET_INFO: Record<string, DatasetInfo> = {
  mnist: {
    name: 'mnist', title: 'MNIST', classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    net: 'mnist_LeNet', height: 28, width: 28, channels: 1,
  },
  cifar10: {
    name: 'cifar10', title: 'CIFAR-10',
    classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
    net: 'cifar10_LeNet', height: 32, width: 32, channels: 3,
  },
};

/** Raw images (uint8, channels last) and labels of both splits. */
export interface RawData {
  source: string;
  train: { images: Uint8Array; labels: Uint8Array; n: number };
  test: { images: Uint8Array; labels: Uint8Array; n: number };
  /** the dataset's info when it is only known from the data (folder datasets); else DATASET_INFO[dataset] */
  info?: DatasetInfo;
}

/**
 * The files of a dataset. `folder` (src/data/folder.ts) needs an explicit --data-dir; its info (class names from
 * the class folders, network from the image shape) comes from the data. `imageSize` (--image-size HxWxC) only
 * applies to folder datasets.
 */
export function loadRaw(dataset: string, dataDir: string, explicit: boolean, imageSize?: string): RawData {
  if (dataset === 'folder') {
    if (!explicit) throw new UserError('--dataset folder needs --data-dir D: a folder with D/train/<class>/*.png and D/test/<class>/*.png');
    const f = loadFolderDataset(dataDir, imageSize === undefined ? undefined : parseImageSize(imageSize));
    const info: DatasetInfo = {
      name: 'folder', title: `folder ${dataDir}`, classNames: f.classNames, net: f.net, height: f.height, width: f.width, channels: f.channels,
    };
    return { source: f.source, train: f.train, test: f.test, info };
  }
  if (dataset === 'mnist') {
    const m = loadMnist(dataDir, explicit);
    return { source: m.source, train: m.train, test: m.test };
  }
  if (dataset === 'cifar10') {
    const c = loadCifar10(dataDir);
    return { source: c.source, train: c.train, test: c.test };
  }
  throw new UserError(`--dataset ${dataset} is not known: use mnist, cifar10 or folder`);
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
  /** outlier-class images mixed into the training set (--out-frac) */
  nTrainOutliers: number;
  /** original pixels of the test images (for pictures) */
  testPixels: Uint8Array;
  constants: PreprocessConstants;
}

export interface PrepareOptions {
  dataset: string;
  dataDir?: string;
  normal: number[];
  outlier: number[];
  seed: number;
  nTrain?: number;
  nTest?: number;
  outFrac?: number;
  valFrac?: number;
  /** --image-size HxWxC (folder datasets) */
  imageSize?: string;
  /** false skips the contrast normalization (the shallow baselines' --gcn 0); default true */
  gcn?: boolean;
}

export function prepareData(o: PrepareOptions, raw?: RawData): PreparedData {
  const data = raw ?? loadRaw(o.dataset, o.dataDir ?? 'data', o.dataDir !== undefined, o.imageSize);
  const info = data.info ?? DATASET_INFO[o.dataset];
  if (!info) throw new UserError(`--dataset ${o.dataset} is not known: use mnist, cifar10 or folder`);
  const classes = resolveClasses(o.normal, o.outlier, info.classNames.length);
  if (data.info && selectIndices(data.train.labels, classes.normal).length === 0) {
    const names = classes.normal.map((c) => info.classNames[c]).join(', ');
    throw new UserError(`no training images of the normal class(es) ${names}: ${path.join(o.dataDir ?? '', 'train')} has no such class folder; choose other classes with --normal, or add their training images`);
  }
  const split = buildSplit(data.train.labels, data.test.labels, classes);
  const normalIdx = seededSubset(split.trainIdx, o.nTrain, subRng(o.seed, 'train-subset'), '--n-train');
  // --val-frac: a disjoint, seeded validation subset of the normal training images
  const nVal = Math.floor((o.valFrac ?? 0) * normalIdx.length);
  const valPerm = permutation(normalIdx.length, subRng(o.seed, 'validation'));
  const valIdx = Int32Array.from(valPerm.subarray(0, nVal), (k) => normalIdx[k]).sort();
  const keptNormal = Int32Array.from(valPerm.subarray(nVal), (k) => normalIdx[k]).sort();
  // --out-frac: ceil(f·n/(1−f)) seeded outlier-class training images join the training set (the original's rule)
  const outFrac = o.outFrac ?? 0;
  const nOut = outFrac > 0 ? Math.ceil((outFrac * keptNormal.length) / (1 - outFrac)) : 0;
  const outPool = selectIndices(data.train.labels, classes.outlier);
  if (nOut > outPool.length) {
    throw new UserError(`--out-frac ${outFrac} needs ${nOut} outlier-class training images but only ${outPool.length} exist: use a smaller --out-frac`);
  }
  const outPerm = permutation(outPool.length, subRng(o.seed, 'contamination'));
  const outIdx = Int32Array.from(outPerm.subarray(0, nOut), (k) => outPool[k]);
  const trainIdx = Int32Array.from([...keptNormal, ...outIdx]);
  const testPick = seededSubset(Int32Array.from(split.testIdx.keys()), o.nTest, subRng(o.seed, 'test-subset'), '--n-test');
  const testIndex = Int32Array.from(testPick, (k) => split.testIdx[k]);
  const testLabels = Uint8Array.from(testPick, (k) => split.testLabels[k]);
  const d = info.height * info.width * info.channels;
  const trainPixels = gatherImages(data.train.images, d, trainIdx);
  const testPixels = gatherImages(data.test.images, d, testIndex);
  const valPixels = gatherImages(data.train.images, d, valIdx);
  const { train, others, constants } = preprocess(trainPixels, [testPixels, valPixels], d, { gcn: o.gcn });
  const shape = { height: info.height, width: info.width, channels: info.channels };
  return {
    info, source: data.source, normal: classes.normal, outlier: classes.outlier,
    train: { x: train, n: trainIdx.length, ...shape },
    test: { x: others[0], n: testIndex.length, ...shape },
    val: { x: others[1], n: valIdx.length, ...shape },
    nTrainOutliers: nOut,
    testLabels, testIndex, testClasses: Uint8Array.from(testIndex, (i) => data.test.labels[i]), testPixels, constants,
  };
}
