/**
 * Custom datasets from a folder of PNG images (`--dataset folder --data-dir D`):
 *
 *   D/train/<class>/**\/*.png   training images
 *   D/test/<class>/**\/*.png    test images
 *
 * - Class names are the names of the class folders: the union of the folders in D/train and D/test, sorted
 *   (code-unit order); class index = position in that list. A class may be missing from D/train (it can then only
 *   be an outlier class) or from D/test; a class folder that holds no .png at all is an error.
 * - Images of each split are found with the same walk as `deep-svdd score --input` (src/data/inputs.ts listPngs):
 *   recursive, *.png (any case), sorted by their path relative to the split folder ('/' separators, code-unit
 *   order). Image k of the test split is therefore row k of `deep-svdd score --input D/test`, and the `index` of
 *   results.json's test_scores is that position.
 * - Image size and channels (1 = gray, 3 = colour; alpha is dropped; a colour PNG whose channels are identical
 *   everywhere counts as gray, and joins a colour dataset as colour) come from the data, where every image must
 *   agree, or are forced with --image-size HxWxC, which converts and resizes every image with src/data/resize.ts
 *   exactly as `score` does.
 * - The network is chosen by the image shape (FOLDER_NETS): 28×28×1 → mnist_LeNet, 32×32×3 → cifar10_LeNet.
 */
import fs from 'node:fs';
import path from 'node:path';
import { inputShape, type NetKind } from '../nn/architectures.js';
import { UserError } from '../util/errors.js';
import { NotReadable, readFailure, readRegular } from '../util/files.js';
import { decodePng, listPngs, MAX_PNG_PIXELS, pngHeaderDims, readPng } from './inputs.js';
import { toModelInput, type ImageDims } from './resize.js';
import { type DatasetSpec } from './dataset-spec.js';

/** Image shape → network, for folder datasets. */
export const FOLDER_NETS: ReadonlyArray<{ shape: ImageDims; net: NetKind }> = [
  { shape: inputShape('mnist_LeNet'), net: 'mnist_LeNet' },
  { shape: inputShape('cifar10_LeNet'), net: 'cifar10_LeNet' },
];

/** Labels are stored as uint8 (as for MNIST and CIFAR-10). */
export const MAX_FOLDER_CLASSES = 256;

const LAYOUT = 'D/train/<class>/*.png and D/test/<class>/*.png';

export interface FolderSplit {
  /** n images of height × width × channels bytes, channels last */
  images: Uint8Array;
  /** class index of each image */
  labels: Uint8Array;
  n: number;
  /** path of each image relative to the split folder ('/' separators), in split order */
  files: string[];
}

export interface FolderDataset {
  source: string;
  classNames: string[];
  height: number;
  width: number;
  channels: number;
  net: NetKind;
  train: FolderSplit;
  test: FolderSplit;
}

/** `28x28x1` as height, width, channels. */
export function formatDims(d: ImageDims): string {
  return `${d.height}x${d.width}x${d.channels}`;
}

/** Parses --image-size HxWxC (e.g. 28x28x1; 'x', 'X' or '×'); C is 1 (gray) or 3 (colour). */
export function parseImageSize(value: string): ImageDims {
  const m = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(value);
  const dims = m ? { height: Number(m[1]), width: Number(m[2]), channels: Number(m[3]) } : undefined;
  if (!dims || dims.height < 1 || dims.width < 1 || (dims.channels !== 1 && dims.channels !== 3) || dims.height > 4096 || dims.width > 4096) {
    throw new UserError(`--image-size ${value} is invalid: use HEIGHTxWIDTHxCHANNELS with 1 (gray) or 3 (colour) channels, e.g. ${supportedShapes()}`);
  }
  return dims;
}

function supportedShapes(): string {
  return FOLDER_NETS.map((e) => `${formatDims(e.shape)} (${e.net})`).join(' or ');
}

/** The network for an image shape, or a UserError naming the shape, the supported ones and --image-size. */
export function netForShape(dims: ImageDims, where: string): NetKind {
  const hit = FOLDER_NETS.find((e) => e.shape.height === dims.height && e.shape.width === dims.width && e.shape.channels === dims.channels);
  if (hit) return hit.net;
  throw new UserError(`${where}: images of ${formatDims(dims)} (height x width x channels) have no network: the supported shapes are ${supportedShapes()}; convert and resize them with --image-size ${formatDims(FOLDER_NETS[0].shape)} or --image-size ${formatDims(FOLDER_NETS[1].shape)}`);
}

function fsWhy(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'not found'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'ENOTDIR' ? 'not a folder'
    : (e instanceof Error ? e.message.split('\n')[0] : String(e));
}

function splitDir(dir: string, split: 'train' | 'test'): string {
  const d = path.join(dir, split);
  let st: fs.Stats;
  try {
    st = fs.statSync(d);
  } catch (e) {
    throw new UserError(`--data-dir ${dir}: ${d} ${fsWhy(e) === 'not found' ? 'is missing' : `cannot be read (${fsWhy(e)})`}; a folder dataset needs ${LAYOUT.replaceAll('D/', `${dir}/`)}`);
  }
  if (!st.isDirectory()) throw new UserError(`--data-dir ${dir}: ${d} is a file, not a folder; a folder dataset needs ${LAYOUT.replaceAll('D/', `${dir}/`)}`);
  return d;
}

/** The class folders directly inside a split folder (sorted; linked folders are not followed, as in listPngs). */
function classFolders(d: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(d, { withFileTypes: true });
  } catch (e) {
    throw new UserError(`${d}: cannot list the folder (${fsWhy(e)}); check its permissions`);
  }
  return entries.filter((ent) => ent.isDirectory()).map((ent) => ent.name).sort(byCodeUnit);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The class names of a folder dataset (union of the class folders of D/train and D/test, sorted), from the folder
 * names alone: what the option parser needs to accept class names.
 */
export function scanFolderClasses(dir: string): string[] {
  const names = new Set<string>();
  for (const split of ['train', 'test'] as const) for (const c of classFolders(splitDir(dir, split))) names.add(c);
  const classNames = [...names].sort(byCodeUnit);
  if (classNames.length === 0) {
    throw new UserError(`--data-dir ${dir}: no class folders in ${path.join(dir, 'train')} or ${path.join(dir, 'test')}; put the images in ${LAYOUT.replaceAll('D/', `${dir}/`)}`);
  }
  if (classNames.length > MAX_FOLDER_CLASSES) {
    throw new UserError(`--data-dir ${dir}: ${classNames.length} class folders, but at most ${MAX_FOLDER_CLASSES} classes are supported; merge some classes`);
  }
  return classNames;
}

function readFile(file: string): Buffer {
  try {
    return readRegular(file);
  } catch (e) {
    if (e instanceof NotReadable && e.why === 'special') throw new UserError(`${file} ${e.message}: remove it or rename it without .png`);
    throw new UserError(`${file}: cannot read it (${readFailure(e)}); check its permissions`);
  }
}

/**
 * Size of one PNG: height and width from its header; channels from the header, except that a colour PNG whose
 * channels are all identical is decoded to find so and counts as one (gray saved as RGB / RGBA).
 */
function pngDims(buf: Buffer, file: string): ImageDims & { grayFromColor: boolean } {
  const head = pngHeaderDims(buf);
  if (head && head.channels === 1) {
    readPngLimits(head, file);
    return { ...head, grayFromColor: false };
  }
  const img = readPng(buf, file); // checks the pixel count first; a file that is not a PNG gets its one-line error
  return { height: img.height, width: img.width, channels: img.channels, grayFromColor: img.grayFromColor };
}

function readPngLimits(head: ImageDims, file: string): void {
  if (head.height * head.width > MAX_PNG_PIXELS) {
    throw new UserError(`${file}: the PNG header declares ${head.width}×${head.height} pixels, more than the ${MAX_PNG_PIXELS} (4096×4096) an image may have here; shrink it or remove it`);
  }
}

interface SplitList {
  /** split folder */
  d: string;
  /** sorted paths relative to d */
  files: string[];
  /** class folder of each file */
  classOf: string[];
  /** a class folder without any .png, if there is one */
  empty?: string;
}

/** The sorted PNGs of one split; each must be inside a class folder. */
function listSplit(dir: string, split: 'train' | 'test'): SplitList {
  const d = splitDir(dir, split);
  let files: string[];
  try {
    files = listPngs(d);
  } catch (e) {
    if (e instanceof UserError) throw new UserError(e.message.replace(/^--input /, ''));
    throw e;
  }
  const loose = files.find((f) => !f.includes('/'));
  if (loose !== undefined) {
    throw new UserError(`${path.join(d, loose)} is not inside a class folder: move it into ${d}/<class>/ (the folder name is its class)`);
  }
  const classOf = files.map((f) => f.slice(0, f.indexOf('/')));
  const present = new Set(classOf);
  return { d, files, classOf, empty: classFolders(d).find((c) => !present.has(c)) };
}

/** Both splits, checked: some PNG at all, no class folder without images, some training image. */
function listBoth(dir: string): { train: SplitList; test: SplitList } {
  const train = listSplit(dir, 'train');
  const test = listSplit(dir, 'test');
  if (train.files.length + test.files.length === 0) {
    throw new UserError(`--data-dir ${dir}: no .png images in ${train.d} or ${test.d}; put the images in ${LAYOUT.replaceAll('D/', `${dir}/`)}`);
  }
  for (const s of [train, test]) {
    if (s.empty !== undefined) throw new UserError(`${path.join(s.d, s.empty)}: the class folder holds no .png images; add images or remove the folder`);
  }
  if (train.files.length === 0) {
    throw new UserError(`--data-dir ${dir}: ${train.d} holds no .png images; put the normal class's training images in ${train.d}/<class>/`);
  }
  return { train, test };
}

/**
 * The image shape of a folder dataset: --image-size, or the size of the first training image (sorted order).
 * Cheap (one PNG header); loadFolderDataset checks that every image agrees.
 */
export function folderShape(dir: string, imageSize?: ImageDims, lists?: { train: SplitList }): { dims: ImageDims; from: string; net: NetKind } {
  if (imageSize) return { dims: imageSize, from: '--image-size', net: netForShape(imageSize, `--image-size ${formatDims(imageSize)}`) };
  const { train } = lists ?? listBoth(dir);
  const file = path.join(train.d, train.files[0]);
  const dims = pngDims(readFile(file), file);
  return { dims, from: file, net: netForShape(dims, `--data-dir ${dir}`) };
}

/**
 * Loads a folder dataset: every PNG of D/train and D/test, channels last uint8, at the data's own size (all must
 * agree) or at `imageSize` (converted and resized like `score` does).
 */
export function loadFolderDataset(dir: string, imageSize?: ImageDims): FolderDataset {
  const classNames = scanFolderClasses(dir);
  const classIndex = new Map(classNames.map((c, i) => [c, i]));
  const lists = listBoth(dir);
  const { dims: shape, from, net } = folderShape(dir, imageSize, lists);
  const dBytes = shape.height * shape.width * shape.channels;
  const read = (s: SplitList): FolderSplit => {
    const images = new Uint8Array(s.files.length * dBytes);
    s.files.forEach((rel, i) => {
      const file = path.join(s.d, rel);
      const buf = readFile(file);
      if (imageSize) {
        images.set(decodePng(buf, file, shape), i * dBytes);
        return;
      }
      const own = readPng(buf, file);
      // gray saved as colour joins a colour dataset as colour (its channels are replicated back)
      const fits = own.channels === shape.channels || (own.grayFromColor && shape.channels === 3);
      if (own.height !== shape.height || own.width !== shape.width || !fits) {
        throw new UserError(`${file} is ${formatDims(own)} but ${from} is ${formatDims(shape)} (height x width x channels): all images of a folder dataset must agree; convert them, or give --image-size ${formatDims(shape)} to convert and resize every image`);
      }
      images.set(toModelInput(own.pixels, own, shape), i * dBytes);
    });
    return { images, labels: Uint8Array.from(s.classOf, (c) => classIndex.get(c)!), n: s.files.length, files: s.files };
  };
  const train = read(lists.train);
  const test = read(lists.test);
  const resized = imageSize ? ' (--image-size)' : '';
  return {
    source: `folder ${dir}: ${classNames.length} classes (${classNames.join(', ')}), ${train.n} training and ${test.n} test PNGs, ${formatDims(shape)}${resized}, ${net}`,
    classNames, ...shape, net, train, test,
  };
}

const FOLDER_NEEDS_DIR = '--dataset folder needs --data-dir D: a folder with D/train/<class>/*.png and D/test/<class>/*.png';

/** The dataset registry's entry for a folder of PNGs: classes from the class folders, network from the image shape. */
export const FOLDER_DATASET: DatasetSpec = {
  name: 'folder', title: 'folder of PNGs', kind: 'image', defaultDir: '', takes: ['imageSize'],
  help: 'folder = your own PNGs in --data-dir (D/train/<class>/*.png, D/test/<class>/*.png)',
  scan: (at) => {
    const dir = at.dataDir?.trim();
    if (!dir) throw new UserError(FOLDER_NEEDS_DIR);
    const dims = at.imageSize === undefined ? undefined : parseImageSize(at.imageSize);
    const classNames = scanFolderClasses(dir);
    const { net } = folderShape(dir, dims);
    return { classNames, net, defaults: {}, imageSize: dims && formatDims(dims) };
  },
  load: (o) => {
    if (!o.explicit) throw new UserError(FOLDER_NEEDS_DIR);
    const f = loadFolderDataset(o.dataDir, o.imageSize === undefined ? undefined : parseImageSize(o.imageSize));
    return {
      kind: 'image', source: f.source, train: f.train, test: f.test,
      info: { name: 'folder', title: `folder ${o.dataDir}`, kind: 'image', classNames: f.classNames, net: f.net, height: f.height, width: f.width, channels: f.channels },
    };
  },
};
