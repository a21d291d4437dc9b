/**
 * The four IDX files of MNIST and of the datasets that copy its format (Fashion-MNIST): their names, finding them in
 * a folder, reading both splits, and the `data fetch` source of the published .gz files. mnist.ts and fmnist.ts use
 * these with their own titles, folders and checksums; the IDX format itself is idx.ts.
 */
import { dirname, join } from 'node:path';
import { UserError } from '../util/errors.js';
import { isFile, notAFile } from '../util/files.js';
import { lastSegment, toUrl, under, type FetchSource } from './fetch.js';
import { readMnistSplit, type MnistSplit } from './idx.js';

export interface IdxFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

/** The file names (without .gz), the same for MNIST and Fashion-MNIST. */
export const IDX_FILE_NAMES: Readonly<Record<keyof IdxFiles, string>> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

export const IDX_KEYS = Object.keys(IDX_FILE_NAMES) as (keyof IdxFiles)[];
export const IDX_EXPECTED_LIST = IDX_KEYS.map((k) => IDX_FILE_NAMES[k]).join(', ');
/** The published .gz names, in IDX_KEYS order. */
export const IDX_GZ_NAMES: readonly string[] = IDX_KEYS.map((k) => `${IDX_FILE_NAMES[k]}.gz`);

/**
 * First existing candidate for `base` in `dir`: dir/base, dir/base.gz, then the same under `rawSub` (torchvision's
 * layout, e.g. MNIST/raw). Something other than a file standing there is a one-line error.
 */
function findOne(dir: string, base: string, rawSub: string, title: string): string | undefined {
  for (const sub of [dir, join(dir, rawSub)]) {
    for (const name of [base, base + '.gz']) {
      const p = join(sub, name);
      if (isFile(p)) return p;
      const kind = notAFile(p);
      if (kind) throw new UserError(`${p} is ${kind}, not a file: the ${title} file ${base} is expected there; remove or rename it`);
    }
  }
  return undefined;
}

/** The four files in `dir` (raw or .gz, directly or under `rawSub`): those found, and the names of those missing. */
export function findIdxFiles(dir: string, rawSub: string, title: string): { found: Partial<IdxFiles>; missing: string[] } {
  const found: Partial<IdxFiles> = {};
  const missing: string[] = [];
  for (const k of IDX_KEYS) {
    const p = findOne(dir, IDX_FILE_NAMES[k], rawSub, title);
    if (p !== undefined) found[k] = p;
    else missing.push(IDX_FILE_NAMES[k]);
  }
  return { found, missing };
}

/** Where a complete set of files is: their folder when they share one, else `dir`. */
export function idxFilesSource(files: IdxFiles, dir: string): string {
  const folders = new Set(IDX_KEYS.map((k) => dirname(files[k])));
  return folders.size === 1 ? [...folders][0] : dir;
}

/** Reads both splits of a complete set of files. */
export function readIdxSplits(files: IdxFiles, title: string): { train: MnistSplit; test: MnistSplit } {
  return { train: readMnistSplit(files.trainImages, files.trainLabels, title), test: readMnistSplit(files.testImages, files.testLabels, title) };
}

/** What is published of each .gz file: its MD5 and its size in bytes. */
export type IdxPublished = Readonly<Record<string, { md5: string; size: number }>>;

/**
 * The four .gz files for `data fetch`. Each URL of `urls` is either the URL of one of the files (its name ends the
 * URL) or a base URL the file names are appended to; they are tried in order.
 */
export function idxFetchSource(title: string, published: IdxPublished, urls: readonly string[]): FetchSource {
  const names = IDX_GZ_NAMES;
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
    return { name, md5: published[name].md5, size: published[name].size, urls: list };
  });
  return { title, files };
}
