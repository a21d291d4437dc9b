/**
 * Reader for the IDX file format used by MNIST (http://yann.lecun.com/exdb/mnist/):
 *
 *   bytes 0-1  zero
 *   byte  2    data type (only 0x08 = unsigned byte is supported)
 *   byte  3    number of dimensions
 *   then one big-endian uint32 per dimension, then the data, row-major.
 *
 * MNIST images are 0x00000803 (3-D: n x 28 x 28), labels 0x00000801 (1-D: n).
 * Files may be gzip-compressed; compression is detected from the gzip magic bytes (1f 8b), not from the name.
 */
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { UserError, check } from '../util/errors.js';
import { readWholeFile } from '../util/files.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export interface MnistSplit {
  /** n * 28 * 28 pixel values 0..255, row-major, image i at [i*784, (i+1)*784) */
  images: Uint8Array;
  /** n labels 0..9 */
  labels: Uint8Array;
  n: number;
}

const IDX_TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'short',
  0x0c: 'int',
  0x0d: 'float',
  0x0e: 'double',
};

const REDOWNLOAD = 're-download the file';

function hex8(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/**
 * The most data an IDX file may declare (1 GiB; MNIST's largest file holds 47 MB). A gzip file is never decompressed
 * past what its header declares: a few compressed bytes are enough to make gigabytes.
 */
export const MAX_IDX_BYTES = 1024 ** 3;

/** Size in bytes of the IDX file whose header starts `head` (header + data), or undefined when `head` is too short. */
function declaredSize(head: Uint8Array): number | undefined {
  if (head.length < 4 || head[0] !== 0 || head[1] !== 0) return undefined;
  const ndim = head[3];
  if (head.length < 4 + 4 * ndim) return undefined;
  let n = 1;
  for (let k = 0; k < ndim; k++) n *= new DataView(head.buffer, head.byteOffset + 4 + 4 * k, 4).getUint32(0, false);
  return 4 + 4 * ndim + n;
}

/**
 * The most a gzip IDX file may expand: its header's declared size over the compressed file's size. MNIST's files
 * expand at most 4.8-fold (Fashion-MNIST's 1.8-fold); a file that claims more is mostly the same byte (a few MB of
 * zeros declaring a million images), and would take gigabytes to read. The bytes must be in the file: a raw
 * (gunzipped) IDX file has no such limit, since its size is its data. Small files may expand to GZIP_FREE_BYTES
 * whatever their size (a test set of a few blank images).
 */
export const MAX_GZIP_EXPANSION = 16;
const GZIP_FREE_BYTES = 16 * 1024 * 1024;

/** Decompresses a gzip IDX file, no further than its header declares (+1 byte, to notice extra data). */
function gunzipIdx(buf: Uint8Array, name: string): Uint8Array {
  const broken = (e: unknown) => {
    const why = e instanceof Error ? e.message : String(e);
    return new UserError(`${name}: is gzip-compressed but cannot be decompressed (${why}); the download is probably incomplete or corrupt: ${REDOWNLOAD}`);
  };
  let head: Buffer;
  try {
    // the first compressed bytes hold the header; a partial stream is fine here (SYNC_FLUSH keeps what is complete)
    head = gunzipSync(buf.subarray(0, 4096), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (e) {
    throw broken(e);
  }
  const headBytes = new Uint8Array(head.buffer, head.byteOffset, head.byteLength);
  const declared = declaredSize(headBytes);
  if (declared === undefined) return headBytes; // not an IDX header: parseIdx says what is wrong with it
  if (declared > MAX_IDX_BYTES) {
    throw new UserError(`${name}: its header declares ${declared} bytes of data, more than the ${MAX_IDX_BYTES} an IDX file may hold here; the file is corrupt or not an MNIST file: ${REDOWNLOAD}`);
  }
  if (declared > Math.max(MAX_GZIP_EXPANSION * buf.length, GZIP_FREE_BYTES)) {
    throw new UserError(`${name}: its header declares ${declared} bytes of data, more than ${MAX_GZIP_EXPANSION} times the ${buf.length} bytes of the gzip file: the data are not in it (a file this compressible is not images); re-download the file, or gunzip it if it is right`);
  }
  const limit = declared + 1;
  let inflated: Buffer;
  try {
    inflated = gunzipSync(buf, { maxOutputLength: limit });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new UserError(`${name}: oversized: decompresses to more than the ${limit - 1} bytes its header declares; the file is corrupt or not an IDX file: ${REDOWNLOAD}`);
    }
    throw broken(e);
  }
  return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
}

/** Parses an IDX file held in memory (raw or gzip). `nameForErrors` is put at the start of every error message. */
export function parseIdx(buf: Uint8Array, nameForErrors: string): IdxArray {
  const name = nameForErrors;
  if (isGzip(buf)) buf = gunzipIdx(buf, name);

  check(buf.length >= 4, `${name}: too short to be an IDX file (${buf.length} bytes, the header alone needs at least 4); ${REDOWNLOAD}`);
  const magic = ((buf[0] << 24) | (buf[1] << 16) | (buf[2] << 8) | buf[3]) >>> 0;
  const type = buf[2];
  const ndim = buf[3];
  check(
    buf[0] === 0 && buf[1] === 0 && ndim >= 1 && ndim <= 4,
    `${name}: not an IDX file (magic number ${hex8(magic)}, expected ${hex8(0x803)} for images or ${hex8(0x801)} for labels); ${REDOWNLOAD} or check that it is an MNIST file`,
  );
  check(
    type === 0x08,
    `${name}: IDX data type 0x${type.toString(16).padStart(2, '0')} (${IDX_TYPE_NAMES[type] ?? 'unknown'}) is not supported (magic number ${hex8(magic)}); only unsigned-byte IDX files (${hex8(0x803)} images, ${hex8(0x801)} labels) can be read`,
  );

  const headerLen = 4 + 4 * ndim;
  check(
    buf.length >= headerLen,
    `${name}: truncated header: ${ndim} dimensions need a ${headerLen}-byte header, but the file has only ${buf.length} bytes; ${REDOWNLOAD}`,
  );
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  let expected = 1;
  for (let k = 0; k < ndim; k++) {
    const d = view.getUint32(4 + 4 * k, false);
    dims.push(d);
    expected *= d;
  }
  const found = buf.length - headerLen;
  const shape = dims.join('x');
  check(
    found >= expected,
    `${name}: truncated: expected ${expected} bytes of data, found ${found} (header declares ${shape}); ${REDOWNLOAD}`,
  );
  check(
    found === expected,
    `${name}: oversized: expected ${expected} bytes of data, found ${found} (header declares ${shape}, ${found - expected} extra bytes); the file is corrupt or not an IDX file: ${REDOWNLOAD}`,
  );
  return { dims, data: buf.subarray(headerLen, headerLen + expected) };
}

/** Reads and parses an IDX file (raw or gzip) from disk. */
export function readIdxFile(path: string): IdxArray {
  return parseIdx(readWholeFile(path, 'IDX file'), path);
}

export const MNIST_ROWS = 28;
export const MNIST_COLS = 28;
export const MNIST_CLASSES = 10;

/** 'an MNIST', 'a Fashion-MNIST' */
const a = (title: string): string => `${/^[AEIMNO]/.test(title) ? 'an' : 'a'} ${title}`;

/**
 * Reads one MNIST split (images + labels) and checks that the two files belong together. `title` names the dataset
 * in errors (Fashion-MNIST has MNIST's format).
 */
export function readMnistSplit(imagesPath: string, labelsPath: string, title = 'MNIST'): MnistSplit {
  const img = readIdxFile(imagesPath);
  check(
    img.dims.length === 3,
    `${imagesPath}: expected ${a(title)} image file (3-D IDX, magic ${hex8(0x803)}), found a ${img.dims.length}-D IDX file of shape ${img.dims.join('x')}; check that the images and labels files are not swapped`,
  );
  check(
    img.dims[1] === MNIST_ROWS && img.dims[2] === MNIST_COLS,
    `${imagesPath}: images are ${img.dims[1]}x${img.dims[2]} pixels, expected ${MNIST_ROWS}x${MNIST_COLS}; this is not ${a(title)} image file`,
  );
  const lab = readIdxFile(labelsPath);
  check(
    lab.dims.length === 1,
    `${labelsPath}: expected ${a(title)} label file (1-D IDX, magic ${hex8(0x801)}), found a ${lab.dims.length}-D IDX file of shape ${lab.dims.join('x')}; check that the images and labels files are not swapped`,
  );
  const n = img.dims[0];
  check(
    lab.dims[0] === n,
    `${labelsPath}: has ${lab.dims[0]} labels but ${imagesPath} has ${n} images; the two files must come from the same split (train-* with train-*, t10k-* with t10k-*)`,
  );
  const labels = lab.data;
  for (let i = 0; i < labels.length; i++) {
    check(
      labels[i] < MNIST_CLASSES,
      `${labelsPath}: label ${labels[i]} at index ${i} is out of range 0..${MNIST_CLASSES - 1}; this is not ${a(title)} label file: ${REDOWNLOAD}`,
    );
  }
  return { images: img.data, labels, n };
}
