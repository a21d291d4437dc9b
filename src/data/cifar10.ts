/**
 * Finds and loads CIFAR-10 (https://www.cs.toronto.edu/~kriz/cifar.html) in either of its two distributed forms:
 *
 *  - python: `<dataDir>/cifar-10-batches-py/` with `data_batch_1`, `data_batch_2`, ... (consecutive numbers from 1,
 *    normally up to 5), `test_batch` and optionally `batches.meta`. Each batch is a pickled dict with
 *    `data` (a numpy uint8 array N x 3072) and `labels` (a list of N ints). The official files are Python 2 cPickle
 *    protocol-2 pickles; files re-written by Python 3 (protocols 2..5, str or bytes keys, numpy 1 or 2) are read too.
 *  - binary: `<dataDir>/cifar-10-batches-bin/` with `data_batch_1.bin`, ..., `test_batch.bin` and optionally
 *    `batches.meta.txt` (one class name per line). Each record is 1 label byte + 3072 pixel bytes.
 *
 * Both store an image as 3072 bytes: 1024 red (32x32, row-major), then 1024 green, then 1024 blue. The loader returns
 * images channels last (for each pixel R, G, B), uint8.
 *
 * The pickles are read by src/data/pickle.ts, which never runs code and costs at most linear time in a file's size.
 */
import { join, resolve } from 'node:path';
import { UserError, check } from '../util/errors.js';
import { isDir, isFile, notAFile, readWholeFile } from '../util/files.js';
import { aPyType, NdArray, PyBytes, PyDict, readInts, unpickle, type UnpickleOptions } from './pickle.js';
import { type DatasetSpec } from './dataset-spec.js';
import { toUrl, under, type FetchSource } from './fetch.js';

export const CIFAR10_SIDE = 32;
export const CIFAR10_CHANNELS = 3;
/** pixels of one channel plane (32 x 32) */
export const CIFAR10_PLANE = CIFAR10_SIDE * CIFAR10_SIDE;
/** bytes per image (3 x 32 x 32) */
export const CIFAR10_IMAGE_BYTES = CIFAR10_CHANNELS * CIFAR10_PLANE;
export const CIFAR10_CLASSES = 10;
export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];
export const CIFAR10_PY_FOLDER = 'cifar-10-batches-py';
export const CIFAR10_BIN_FOLDER = 'cifar-10-batches-bin';

export type Cifar10Format = 'python' | 'binary';

export interface Cifar10Location {
  /** human-readable description of where the files come from */
  source: string;
  format: Cifar10Format;
  /** the batches folder (…/cifar-10-batches-py or …/cifar-10-batches-bin) */
  dir: string;
  /** training batch files, in order (data_batch_1, data_batch_2, …) */
  trainFiles: string[];
  testFile: string;
  /** batches.meta / batches.meta.txt when present */
  metaFile?: string;
}

export interface Cifar10Split {
  /** n * 32 * 32 * 3 pixel values 0..255, channels last: image i at [i*3072, (i+1)*3072), pixel (r, c) channel ch at i*3072 + (r*32 + c)*3 + ch */
  images: Uint8Array;
  /** n labels 0..9 */
  labels: Uint8Array;
  n: number;
}

export interface Cifar10Data {
  source: string;
  classNames: string[];
  train: Cifar10Split;
  test: Cifar10Split;
}

const FETCH_HINT = "download them with 'deep-svdd data fetch cifar10' or from the CIFAR-10 page";
const REDOWNLOAD = 're-download the CIFAR-10 files';

const PICKLE: UnpickleOptions = {
  kind: 'a CIFAR-10 batch', fix: REDOWNLOAD,
  gzipHint: `extract the CIFAR-10 archive (tar xzf cifar-10-python.tar.gz) and point to the extracted ${CIFAR10_PY_FOLDER}/ folder`,
};

interface Candidate {
  format: Cifar10Format;
  dir: string;
  trainFiles: string[];
  testFile?: string;
  metaFile?: string;
}

/** A one-line error when something other than a regular file stands where the CIFAR-10 file `name` is expected. */
function notAFileHere(p: string, name: string): void {
  const kind = notAFile(p);
  if (kind) throw new UserError(`${p} is ${kind}, not a file: the CIFAR-10 file ${name} is expected there; remove or rename it`);
}

function scan(dir: string, format: Cifar10Format): Candidate | undefined {
  if (!isDir(dir)) return undefined;
  const ext = format === 'python' ? '' : '.bin';
  for (const name of [`data_batch_1${ext}`, `test_batch${ext}`, format === 'python' ? 'batches.meta' : 'batches.meta.txt']) {
    notAFileHere(join(dir, name), name);
  }
  const trainFiles: string[] = [];
  for (let k = 1; ; k++) {
    const p = join(dir, `data_batch_${k}${ext}`);
    notAFileHere(p, `data_batch_${k}${ext}`);
    if (!isFile(p)) break;
    trainFiles.push(p);
  }
  const test = join(dir, `test_batch${ext}`);
  const meta = join(dir, format === 'python' ? 'batches.meta' : 'batches.meta.txt');
  return {
    format,
    dir,
    trainFiles,
    testFile: isFile(test) ? test : undefined,
    metaFile: isFile(meta) ? meta : undefined,
  };
}

function complete(c: Candidate | undefined): c is Candidate & { testFile: string } {
  return c !== undefined && c.trainFiles.length > 0 && c.testFile !== undefined;
}

function toLocation(c: Candidate & { testFile: string }): Cifar10Location {
  const kind = c.format === 'python' ? 'python batches' : 'binary batches';
  return {
    source: `${c.dir} (CIFAR-10 ${kind}, ${c.trainFiles.length} training batch${c.trainFiles.length === 1 ? '' : 'es'})`,
    format: c.format,
    dir: c.dir,
    trainFiles: c.trainFiles,
    testFile: c.testFile,
    ...(c.metaFile !== undefined ? { metaFile: c.metaFile } : {}),
  };
}

/**
 * Finds the CIFAR-10 batches under `dataDir`: `<dataDir>/cifar-10-batches-py/` (preferred when both are complete) or
 * `<dataDir>/cifar-10-batches-bin/`.
 */
export function locateCifar10(dataDir: string): Cifar10Location {
  const dir = resolve(dataDir);
  const py = scan(join(dir, CIFAR10_PY_FOLDER), 'python');
  const bin = scan(join(dir, CIFAR10_BIN_FOLDER), 'binary');
  if (complete(py)) return toLocation(py);
  if (complete(bin)) return toLocation(bin);

  for (const c of [py, bin]) {
    if (c === undefined) continue;
    const ext = c.format === 'python' ? '' : '.bin';
    const missing: string[] = [];
    if (c.trainFiles.length === 0) missing.push(`data_batch_1${ext}`);
    if (c.testFile === undefined) missing.push(`test_batch${ext}`);
    throw new UserError(
      `incomplete CIFAR-10 ${c.format} batches in ${c.dir}: missing ${missing.join(' and ')} (expected data_batch_1${ext}..data_batch_5${ext} and test_batch${ext}); ${FETCH_HINT}`,
    );
  }
  const inside = isFile(join(dir, 'data_batch_1')) || isFile(join(dir, 'data_batch_1.bin'));
  throw new UserError(
    `no CIFAR-10 files in ${dataDir}: expected ${join(dataDir, CIFAR10_PY_FOLDER)}/ (python batches) or ${join(dataDir, CIFAR10_BIN_FOLDER)}/ (binary batches); ` +
      (inside ? `${dataDir} itself holds batch files: pass the folder above it, or ` : '') +
      FETCH_HINT,
  );
}

/** One batch as stored: n images of 3072 bytes each in CIFAR's planar order (R plane, G plane, B plane). */
interface RawBatch {
  planar: Uint8Array;
  labels: Uint8Array;
  n: number;
}

function checkLabels(labels: ArrayLike<number>, file: string, notA: string): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    check(
      Number.isInteger(y) && y >= 0 && y < CIFAR10_CLASSES,
      `${file} ${notA}: label ${y} at index ${i} is out of range 0..${CIFAR10_CLASSES - 1}; ${REDOWNLOAD}`,
    );
    out[i] = y;
  }
  return out;
}

/** Reads a python CIFAR-10 batch (a pickled dict with 'data' and 'labels'). */
export function readCifar10PythonBatch(path: string): RawBatch {
  const value = unpickle(readWholeFile(path, 'CIFAR-10 batch'), path, PICKLE);
  const notA = 'is not a CIFAR-10 batch';
  if (!(value instanceof PyDict)) {
    throw new UserError(`${path} ${notA}: the pickle holds ${aPyType(value)}, expected a dict with 'data' and 'labels'; ${REDOWNLOAD}`);
  }
  for (const key of ['data', 'labels']) {
    check(value.has(key), `${path} ${notA}: no '${key}' entry (it has ${value.keyList() || 'no entries'}); ${REDOWNLOAD}`);
  }

  const data = value.get('data');
  if (!(data instanceof NdArray) || (data.data === undefined && data.objects === undefined)) {
    throw new UserError(`${path} ${notA}: 'data' is ${aPyType(data)}, expected a numpy uint8 array of N x ${CIFAR10_IMAGE_BYTES}; ${REDOWNLOAD}`);
  }
  check(
    data.dtype !== undefined && data.dtype.isUint8 && data.data !== undefined,
    `${path} ${notA}: 'data' is a numpy array of dtype ${data.dtype?.name ?? '?'}, expected uint8 (u1); ${REDOWNLOAD}`,
  );
  const shape = data.shape;
  const shapeText = shape.join('x');
  const total = shape.reduce((a, b) => a * b, 1);
  const rowShape = shape.slice(1).join('x');
  check(
    (shape.length === 1 && total % CIFAR10_IMAGE_BYTES === 0) ||
      (shape.length >= 2 && (rowShape === String(CIFAR10_IMAGE_BYTES) || rowShape === `${CIFAR10_CHANNELS}x${CIFAR10_SIDE}x${CIFAR10_SIDE}`)),
    `${path} ${notA}: 'data' has shape ${shapeText}, expected N x ${CIFAR10_IMAGE_BYTES} (N images of 3 x 32 x 32); ${REDOWNLOAD}`,
  );
  let raw = data.data as Uint8Array;
  check(
    raw.length === total,
    `${path} is truncated or corrupt: 'data' holds ${raw.length} bytes but its shape ${shapeText} needs ${total}; ${REDOWNLOAD}`,
  );
  const n = total / CIFAR10_IMAGE_BYTES;
  if (data.fortran && shape.length > 1) {
    check(shape.length === 2, `${path}: 'data' is a Fortran-ordered ${shapeText} array, which is not supported; store it C-contiguous (numpy.ascontiguousarray)`);
    const t = new Uint8Array(total);
    for (let j = 0; j < CIFAR10_IMAGE_BYTES; j++) for (let i = 0; i < n; i++) t[i * CIFAR10_IMAGE_BYTES + j] = raw[j * n + i];
    raw = t;
  }

  const lab = value.get('labels');
  let labels: number[];
  if (Array.isArray(lab)) {
    labels = lab.map((y, i) => {
      if (typeof y === 'number' || typeof y === 'boolean') return Number(y);
      // an integer too large for a number (LONG1 / LONG4) is out of range like any other
      if (typeof y === 'bigint') throw new UserError(`${path} ${notA}: label ${y} at index ${i} is out of range 0..${CIFAR10_CLASSES - 1}; ${REDOWNLOAD}`);
      throw new UserError(`${path} ${notA}: label ${i} is ${aPyType(y)}, expected an int; ${REDOWNLOAD}`);
    });
  } else if (lab instanceof NdArray && lab.dtype?.isInteger && lab.data !== undefined && lab.shape.length === 1 && lab.data.length === lab.shape[0] * lab.dtype.size) {
    labels = readInts(lab.dtype, lab.data, lab.shape[0]);
  } else {
    throw new UserError(`${path} ${notA}: 'labels' is ${aPyType(lab)}, expected a list of ints; ${REDOWNLOAD}`);
  }
  check(
    labels.length === n,
    `${path} ${notA}: it has ${n} images but ${labels.length} labels; ${REDOWNLOAD}`,
  );
  return { planar: raw, labels: checkLabels(labels, path, notA), n };
}

/** Reads a binary CIFAR-10 batch: records of 1 label byte + 3072 pixel bytes. */
export function readCifar10BinaryBatch(path: string): RawBatch {
  const buf = readWholeFile(path, 'CIFAR-10 binary batch');
  const rec = CIFAR10_IMAGE_BYTES + 1;
  check(buf.length > 0, `${path} is empty; ${REDOWNLOAD}`);
  check(
    buf.length % rec === 0,
    `${path} is truncated or not a CIFAR-10 binary batch: its size ${buf.length} bytes is not a multiple of ${rec} (1 label byte + ${CIFAR10_IMAGE_BYTES} pixel bytes per image); ${REDOWNLOAD}`,
  );
  const n = buf.length / rec;
  const planar = new Uint8Array(n * CIFAR10_IMAGE_BYTES);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = buf[i * rec];
    planar.set(buf.subarray(i * rec + 1, (i + 1) * rec), i * CIFAR10_IMAGE_BYTES);
  }
  return { planar, labels: checkLabels(labels, path, 'is not a CIFAR-10 binary batch'), n };
}

/** Class names from batches.meta (python) or batches.meta.txt (binary). */
export function readCifar10ClassNames(path: string, format: Cifar10Format): string[] {
  let names: string[];
  if (format === 'binary') {
    const text = Buffer.from(readWholeFile(path, 'CIFAR-10 class names')).toString('utf8');
    names = text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
  } else {
    const value = unpickle(readWholeFile(path, 'CIFAR-10 metadata'), path, PICKLE);
    const notA = 'is not CIFAR-10 metadata';
    if (!(value instanceof PyDict) || !value.has('label_names')) {
      throw new UserError(`${path} ${notA}: expected a dict with 'label_names', found ${value instanceof PyDict ? `a dict with ${value.keyList() || 'no entries'}` : aPyType(value)}; ${REDOWNLOAD} or delete it to use the standard class names`);
    }
    const list = value.get('label_names');
    if (!Array.isArray(list)) throw new UserError(`${path} ${notA}: 'label_names' is ${aPyType(list)}, expected a list of strings; ${REDOWNLOAD}`);
    names = list.map((s, i) => {
      if (typeof s === 'string') return s;
      if (s instanceof PyBytes) return Buffer.from(s.data).toString('utf8');
      throw new UserError(`${path} ${notA}: label name ${i} is ${aPyType(s)}, expected a string; ${REDOWNLOAD}`);
    });
  }
  check(
    names.length === CIFAR10_CLASSES,
    `${path} lists ${names.length} class names, expected ${CIFAR10_CLASSES}; ${REDOWNLOAD} or delete it to use the standard class names`,
  );
  return names;
}

/** Converts n planar CIFAR images (R plane, G plane, B plane) to channels last (R, G, B per pixel), into `out` at image `at`. */
export function planarToHwc(planar: Uint8Array, n: number, out: Uint8Array, at = 0): void {
  for (let i = 0; i < n; i++) {
    const src = i * CIFAR10_IMAGE_BYTES;
    let dst = (at + i) * CIFAR10_IMAGE_BYTES;
    for (let p = 0; p < CIFAR10_PLANE; p++) {
      out[dst++] = planar[src + p];
      out[dst++] = planar[src + CIFAR10_PLANE + p];
      out[dst++] = planar[src + 2 * CIFAR10_PLANE + p];
    }
  }
}

function joinBatches(batches: RawBatch[]): Cifar10Split {
  const n = batches.reduce((a, b) => a + b.n, 0);
  const images = new Uint8Array(n * CIFAR10_IMAGE_BYTES);
  const labels = new Uint8Array(n);
  let at = 0;
  for (const b of batches) {
    planarToHwc(b.planar, b.n, images, at);
    labels.set(b.labels, at);
    at += b.n;
  }
  return { images, labels, n };
}

/** Locates and reads the CIFAR-10 train and test splits; images channels last (HWC), uint8. */
export function loadCifar10(dataDir: string): Cifar10Data {
  const loc = locateCifar10(dataDir);
  const read = loc.format === 'python' ? readCifar10PythonBatch : readCifar10BinaryBatch;
  const classNames = loc.metaFile !== undefined ? readCifar10ClassNames(loc.metaFile, loc.format) : [...CIFAR10_CLASS_NAMES];
  const train = joinBatches(loc.trainFiles.map(read));
  const test = joinBatches([read(loc.testFile)]);
  return { source: loc.source, classNames, train, test };
}

// ------------------------------------------------------------------------------------------------ download (data fetch cifar10)

export const CIFAR10_ARCHIVES: Readonly<Record<Cifar10Format, { name: string; md5: string; size: number; url: string; folder: string; expect: string[] }>> = {
  python: {
    name: 'cifar-10-python.tar.gz',
    md5: 'c58f30108f718f92721af3b95e74349a',
    size: 170498071,
    url: 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz',
    folder: CIFAR10_PY_FOLDER,
    expect: ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch', 'batches.meta'],
  },
  binary: {
    name: 'cifar-10-binary.tar.gz',
    md5: 'c32a1d4ab5d03f1284b67883e8d87530',
    size: 170052171,
    url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
    folder: CIFAR10_BIN_FOLDER,
    expect: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin', 'batches.meta.txt'],
  },
};

/** The CIFAR-10 archive (python or binary version). `urls`: the archive's URL(s), or folder URLs ending in '/'. */
export function cifar10Source(format: Cifar10Format = 'python', urls?: readonly string[]): FetchSource {
  const a = CIFAR10_ARCHIVES[format];
  const list = (urls && urls.length > 0 ? urls : [a.url]).map((u) => (/\/$/.test(u) ? under(u, a.name) : toUrl(u).href));
  return {
    title: format === 'python' ? 'CIFAR-10' : 'CIFAR-10 (binary version)',
    files: [{ name: a.name, md5: a.md5, size: a.size, urls: list }],
    extract: { folder: a.folder, expect: a.expect },
  };
}

/** The dataset registry's CIFAR-10 entry: python or binary batches in --data-dir (`data fetch cifar10`). */
export const CIFAR10_DATASET: DatasetSpec = {
  name: 'cifar10', title: 'CIFAR-10', kind: 'image', defaultDir: 'data',
  help: 'cifar10 (python or binary batches in --data-dir; deep-svdd data fetch cifar10)',
  classNames: CIFAR10_CLASS_NAMES, net: 'cifar10_LeNet',
  load: (o) => ({ kind: 'image', ...loadCifar10(o.dataDir) }),
  fetch: { formats: ['python', 'binary'], source: (urls, format) => cifar10Source((format ?? 'python') as Cifar10Format, urls) },
};
