/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017; github.com/zalandoresearch/fashion-mnist): 28×28 grey images of ten
 * kinds of clothing in MNIST's four IDX files, as in the Deep SAD paper's image experiments (Ruff et al., ICLR 2020;
 * lukasruff/Deep-SAD-PyTorch, src/datasets/fmnist.py: torchvision's FashionMNIST, pixels scaled to [0, 1], nothing
 * else; its network fmnist_LeNet, here the network registry's entry of the same name).
 *
 * Where the files are read from (each file raw or .gz, directly in the folder or in torchvision's FashionMNIST/raw/):
 *  - --data-dir D: D, and only D.
 *  - otherwise data/fashion-mnist/ (where `deep-svdd data fetch fashion-mnist` puts them) when it holds any of the
 *    files, else Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist) when it is installed.
 * Some but not all of the files in a folder is an error naming the missing ones.
 *
 * `data fetch fashion-mnist` downloads the four .gz files from the dataset's site (the S3 address torchvision uses,
 * then the GitHub repository's copies) and checks the MD5s the dataset's README and torchvision publish. Debian's
 * package holds the same data recompressed (gzip headers without the file name, so other MD5s and sizes 23–24 bytes
 * smaller): it is read, never checked against these.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { isDir } from '../util/files.js';
import { deepSadDefaults } from './deep-sad-defaults.js';
import { type DatasetSpec } from './dataset-spec.js';
import { type FetchSource } from './fetch.js';
import { findIdxFiles, IDX_EXPECTED_LIST, IDX_KEYS, idxFetchSource, idxFilesSource, readIdxSplits, type IdxFiles, type IdxPublished } from './idx-files.js';
import { type MnistSplit } from './idx.js';

const TITLE = 'Fashion-MNIST';

/** torchvision's class names (FashionMNIST.classes), label order. */
export const FMNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/** Where `data fetch fashion-mnist` puts the files and a run looks first. */
export const FMNIST_DIR = join('data', 'fashion-mnist');
/** Debian's dataset-fashion-mnist package. */
export const FMNIST_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';
/** torchvision's layout under a root folder */
const RAW_SUB = join('FashionMNIST', 'raw');
const FETCH_HINT = "run 'deep-svdd data fetch fashion-mnist' (or install Debian's dataset-fashion-mnist, or pass --data-dir with a folder holding them)";

export interface FmnistData {
  source: string;
  train: MnistSplit;
  test: MnistSplit;
}

/** The four files in `dir`, all or none (undefined); some is a one-line error. */
function complete(dir: string, shown: string, fix: string): IdxFiles | undefined {
  if (!isDir(dir)) return undefined;
  const { found, missing } = findIdxFiles(dir, RAW_SUB, TITLE);
  if (missing.length === 0) return found as IdxFiles;
  if (missing.length === IDX_KEYS.length) return undefined;
  const foundList = IDX_KEYS.flatMap((k) => (found[k] !== undefined ? [found[k]] : [])).join(', ');
  throw new UserError(`incomplete ${TITLE} files in ${shown}: missing ${missing.join(', ')} (found ${foundList}); ${fix}`);
}

/**
 * Finds the four files (module header). `systemDir` is Debian's folder (tests pass their own, or none with '').
 */
export function locateFmnist(dataDir: string, explicit: boolean, systemDir = FMNIST_SYSTEM_DIR): { source: string; files: IdxFiles } {
  const dir = resolve(dataDir);
  if (explicit) {
    if (!existsSync(dir)) throw new UserError(`--data-dir ${dataDir} does not exist; put the ${TITLE} files (${IDX_EXPECTED_LIST}, raw or .gz) there with 'deep-svdd data fetch fashion-mnist --dir ${dataDir}'`);
    if (!isDir(dir)) throw new UserError(`--data-dir ${dataDir} is not a folder; pass the folder that holds the ${TITLE} files (${IDX_EXPECTED_LIST})`);
    const files = complete(dir, dataDir, `add the missing files (raw or .gz), e.g. with 'deep-svdd data fetch fashion-mnist --dir ${dataDir}'`);
    if (!files) throw new UserError(`no ${TITLE} files in ${dataDir}: expected ${IDX_EXPECTED_LIST} (raw or .gz, directly or under FashionMNIST/raw/); ${FETCH_HINT.replace('pass --data-dir with a folder holding them', 'pass another --data-dir')}`);
    return { source: idxFilesSource(files, dir), files };
  }
  const own = complete(dir, dataDir, `add the missing files (raw or .gz), e.g. with 'deep-svdd data fetch fashion-mnist --force', or remove the others`);
  if (own) return { source: idxFilesSource(own, dir), files: own };
  const system = systemDir ? complete(systemDir, systemDir, "reinstall Debian's dataset-fashion-mnist, or run 'deep-svdd data fetch fashion-mnist'") : undefined;
  if (system) return { source: `${idxFilesSource(system, systemDir)} (Debian's dataset-fashion-mnist)`, files: system };
  throw new UserError(`no ${TITLE} files in ${dataDir}${systemDir ? ` or ${systemDir}` : ''}: expected ${IDX_EXPECTED_LIST} (raw or .gz); ${FETCH_HINT}`);
}

/** Locates and reads the Fashion-MNIST train and test splits. */
export function loadFmnist(dataDir: string, explicit: boolean, systemDir = FMNIST_SYSTEM_DIR): FmnistData {
  const { source, files } = locateFmnist(dataDir, explicit, systemDir);
  return { source, ...readIdxSplits(files, TITLE) };
}

// ------------------------------------------------------------------------------------------------ download (data fetch fashion-mnist)

/** The dataset's site (torchvision's FashionMNIST.mirrors), then the GitHub repository's copies. */
export const FMNIST_MIRRORS: readonly string[] = [
  'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
];

/**
 * The published files: MD5s as in the dataset's README and torchvision 0.14's FashionMNIST.resources; sizes in bytes
 * of those files (Debian's recompressed copies are 24 and 23 bytes smaller: the file name the originals' gzip header
 * holds, and its terminating zero).
 */
export const FMNIST_PUBLISHED: IdxPublished = {
  'train-images-idx3-ubyte.gz': { md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d', size: 26421880 },
  'train-labels-idx1-ubyte.gz': { md5: '25c81989df183df01b3e8a0aad5dffbe', size: 29515 },
  't10k-images-idx3-ubyte.gz': { md5: 'bef4ecab320f06d8554ea6380940ec79', size: 4422102 },
  't10k-labels-idx1-ubyte.gz': { md5: 'bb300cfdad3c16e7a12a480ee83cd310', size: 5148 },
};

/** The four .gz files from `urls` (default: FMNIST_MIRRORS): base URLs or the files' own URLs, tried in order. */
export function fmnistSource(urls: readonly string[] = FMNIST_MIRRORS): FetchSource {
  return idxFetchSource(TITLE, FMNIST_PUBLISHED, urls);
}

/**
 * The dataset registry's entry. Training defaults: the Deep SAD code's (deep-sad-defaults.ts) for 784 pixels, and
 * its preprocessing, pixels / 255 alone (no contrast normalisation; the min–max scaling that follows in
 * preprocess.ts maps a training set holding a 0 and a 255 pixel, as Fashion-MNIST's do, onto itself).
 */
export const FMNIST_DATASET: DatasetSpec = {
  name: 'fmnist', title: TITLE, kind: 'image', defaultDir: FMNIST_DIR,
  help: `fmnist = ${TITLE} (the IDX files in --data-dir, else ${FMNIST_DIR}/, else Debian's ${FMNIST_SYSTEM_DIR}; deep-svdd data fetch fashion-mnist)`,
  classNames: FMNIST_CLASS_NAMES, net: 'fmnist_LeNet',
  defaults: { ...deepSadDefaults(28 * 28), gcn: false },
  load: (o) => ({ kind: 'image', ...loadFmnist(o.dataDir, o.explicit) }),
  fetch: { as: 'fashion-mnist', source: (urls) => fmnistSource(urls) },
};
