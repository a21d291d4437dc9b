/**
 * Reads images to score into uint8 pixels, channels last, already at the model's input shape:
 *
 *   - an MNIST IDX images file (`*-idx3-ubyte`, raw or gzip; detected by content): id = image index 0, 1, ...;
 *     the image size must equal the model's input size (gray is replicated for 3-channel models);
 *   - a folder of .png images, searched recursively, sorted by relative path (code-unit order, '/' separators):
 *     id = relative path;
 *   - a single .png file: id = its file name.
 *
 * PNGs may be gray, gray + alpha, RGB, RGBA or palette, 8 or 16 bit (pngjs decodes them all to 8-bit RGBA); alpha is
 * dropped, channels converted and the image resized to the model's input (src/data/resize.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { UserError } from '../util/errors.js';
import { NotReadable, readFailure, readRegular } from '../util/files.js';
import { parseIdx } from './idx.js';
import { toModelInput, type ImageDims } from './resize.js';

export interface InputImages {
  ids: string[];
  /** n images of height × width × channels bytes, channels last */
  pixels: Uint8Array;
  n: number;
}

export const SUPPORTED_INPUTS = 'an MNIST IDX images file (*-idx3-ubyte, raw or .gz), a .png image, or a folder of .png images';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isPng(buf: Uint8Array): boolean {
  return buf.length >= 8 && PNG_SIGNATURE.every((b, i) => buf[i] === b);
}

function looksLikeIdx(buf: Uint8Array): boolean {
  const gzip = buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  const idx = buf.length >= 4 && buf[0] === 0 && buf[1] === 0 && buf[2] === 0x08 && buf[3] >= 1;
  return gzip || idx;
}

function looksLikeCifar(file: string): boolean {
  return /(^|[\\/])(data_batch_\d+|test_batch)(\.bin)?$/i.test(file) || /cifar/i.test(path.basename(file));
}

function fsWhy(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'not found'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : (e instanceof Error ? e.message.split('\n')[0] : String(e));
}

/** Reads `input` (file or folder) into images of the given shape. */
export function readInputs(input: string, shape: ImageDims): InputImages {
  let st: fs.Stats;
  try {
    st = fs.statSync(input);
  } catch (e) {
    throw new UserError(`--input ${input}: ${fsWhy(e)}; give ${SUPPORTED_INPUTS}`);
  }
  if (st.isDirectory()) return readPngFolder(input, shape);
  let buf: Uint8Array;
  try {
    const b = readRegular(input);
    buf = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new UserError(`--input ${input}: cannot read it (${readFailure(e)}); ${e instanceof NotReadable ? `give ${SUPPORTED_INPUTS}` : 'check the path'}`);
  }
  if (isPng(buf)) {
    return { ids: [path.basename(input)], pixels: decodePng(buf, input, shape), n: 1 };
  }
  if (looksLikeIdx(buf)) return readIdxImages(buf, input, shape);
  if (looksLikeCifar(input)) {
    throw new UserError(`--input ${input}: CIFAR-10 batch files are not supported yet; give ${SUPPORTED_INPUTS} (e.g. the CIFAR-10 images saved as .png files)`);
  }
  throw new UserError(`--input ${input}: unknown file type (neither PNG nor IDX); supported: ${SUPPORTED_INPUTS}`);
}

function readIdxImages(buf: Uint8Array, file: string, shape: ImageDims): InputImages {
  const idx = parseIdx(buf, file);
  if (idx.dims.length !== 3) {
    throw new UserError(`${file}: expected an IDX images file (3-D: n × rows × cols, magic 0x00000803), found a ${idx.dims.length}-D IDX file of shape ${idx.dims.join('×')}; a labels file cannot be scored`);
  }
  const [n, h, w] = idx.dims;
  if (h !== shape.height || w !== shape.width) {
    throw new UserError(`${file}: images are ${h}×${w} pixels but the model takes ${shape.height}×${shape.width} inputs; use a model trained on ${h}×${w} images, or give the images as .png files (they are resized)`);
  }
  if (n === 0) throw new UserError(`${file}: the IDX file holds no images; give a file with at least one image`);
  const d = h * w * shape.channels;
  const pixels = shape.channels === 1 ? Uint8Array.from(idx.data) : new Uint8Array(n * d);
  if (shape.channels !== 1) {
    for (let i = 0; i < n; i++) {
      const one = idx.data.subarray(i * h * w, (i + 1) * h * w);
      pixels.set(toModelInput(one, { height: h, width: w, channels: 1 }, shape), i * d);
    }
  }
  return { ids: Array.from({ length: n }, (_, i) => String(i)), pixels, n };
}

/** Every *.png below `dir` (case-insensitive extension), as sorted relative paths with '/' separators. */
export function listPngs(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = rel ? path.join(dir, rel) : dir;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      throw new UserError(`--input ${abs}: cannot list the folder (${fsWhy(e)}); check its permissions`);
    }
    for (const ent of entries) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        try {
          const s = fs.statSync(path.join(abs, ent.name));
          isDir = false; // linked folders are not followed (no cycles)
          isFile = s.isFile();
        } catch { isFile = false; }
      }
      if (isDir) walk(r);
      else if (isFile && /\.png$/i.test(ent.name)) out.push(r);
    }
  };
  walk('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function readPngFolder(dir: string, shape: ImageDims): InputImages {
  const ids = listPngs(dir);
  if (ids.length === 0) throw new UserError(`--input ${dir}: the folder holds no .png images; give ${SUPPORTED_INPUTS}`);
  const d = shape.height * shape.width * shape.channels;
  const pixels = new Uint8Array(ids.length * d);
  ids.forEach((rel, i) => {
    const file = path.join(dir, rel);
    let buf: Buffer;
    try {
      buf = readRegular(file);
    } catch (e) {
      throw new UserError(`${file}: cannot read it (${readFailure(e)}); ${e instanceof NotReadable ? 'remove it or give a regular file' : 'check its permissions'}`);
    }
    pixels.set(decodePng(buf, file, shape), i * d);
  });
  return { ids, pixels, n: ids.length };
}

/** The most pixels a PNG may have (4096 × 4096), checked from its header before it is decoded. */
export const MAX_PNG_PIXELS = 4096 * 4096;

/**
 * Height, width and channels of a PNG from its header (IHDR), or undefined when it is not a readable PNG. Channels
 * as the header says: colour types with the colour bit (RGB, palette, RGBA) 3, gray (± alpha) 1.
 */
export function pngHeaderDims(buf: Uint8Array): ImageDims | undefined {
  if (buf.length < 33 || !isPng(buf)) return undefined;
  if (String.fromCharCode(buf[12], buf[13], buf[14], buf[15]) !== 'IHDR') return undefined;
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const width = v.getUint32(16);
  const height = v.getUint32(20);
  const colorType = buf[25];
  if (!(width > 0 && height > 0) || ![0, 2, 3, 4, 6].includes(colorType)) return undefined;
  return { height, width, channels: colorType & 2 ? 3 : 1 };
}

/** Adam7's seven passes: x start, y start, x step, y step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/** Samples per pixel of each PNG colour type: gray, RGB, palette, gray + alpha, RGBA. */
const PNG_SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * The bytes a PNG's image data inflates to, from its header: per row a filter byte and ceil(width · bits per pixel
 * / 8) bytes; for an interlaced image the sum of that over Adam7's seven passes (each a sub-image of its own width
 * and height). Undefined for a header this reader does not understand (pngjs then says what is wrong).
 */
export function pngInflatedSize(width: number, height: number, bitDepth: number, colorType: number, interlace: number): number | undefined {
  const samples = PNG_SAMPLES[colorType];
  if (samples === undefined || ![1, 2, 4, 8, 16].includes(bitDepth) || (interlace !== 0 && interlace !== 1)) return undefined;
  const bits = samples * bitDepth;
  const rows = (w: number, h: number) => (w > 0 && h > 0 ? h * (1 + Math.ceil((w * bits) / 8)) : 0);
  if (interlace === 0) return rows(width, height);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) total += rows(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy));
  return total;
}

/**
 * Bounds the decompression of a PNG by what its header allows: the IDAT chunks are inflated here, with zlib's
 * maxOutputLength at that size, before pngjs sees the file (pngjs inflates interlaced images without a limit, so a
 * 28×28 image whose data inflates to gigabytes would take that much memory). A stream that inflates further is a
 * one-line error; one that is damaged otherwise is left to pngjs's own message.
 */
function checkPngData(buf: Uint8Array, name: string): void {
  if (buf.length < 33 || !isPng(buf)) return;
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (String.fromCharCode(buf[12], buf[13], buf[14], buf[15]) !== 'IHDR') return;
  const width = v.getUint32(16);
  const height = v.getUint32(20);
  const interlace = buf[28];
  const allowed = pngInflatedSize(width, height, buf[24], buf[25], interlace);
  if (allowed === undefined) return;
  const idat: Uint8Array[] = [];
  for (let pos = 8; pos + 8 <= buf.length;) {
    const len = v.getUint32(pos);
    const type = String.fromCharCode(buf[pos + 4], buf[pos + 5], buf[pos + 6], buf[pos + 7]);
    if (pos + 12 + len > buf.length) break; // truncated: pngjs says so
    if (type === 'IDAT') idat.push(buf.subarray(pos + 8, pos + 8 + len));
    if (type === 'IEND') break;
    pos += 12 + len;
  }
  try {
    inflateSync(Buffer.concat(idat), { maxOutputLength: Math.max(allowed, 1), finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new UserError(`${name}: the PNG image data inflates to more than the ${allowed} bytes its ${width}×${height}${interlace ? ' interlaced' : ''} header allows; the file is damaged or crafted: replace or remove it`);
    }
    // any other damage: pngjs's message
  }
}

/** One decoded PNG at its own size, channels last. */
export interface NativeImage extends ImageDims {
  pixels: Uint8Array;
  /** a colour PNG whose three channels are identical everywhere (gray saved as RGB / RGBA): counted as one channel */
  grayFromColor: boolean;
}

/**
 * Decodes one PNG at its own size: alpha dropped, gray (and colour whose channels are all identical) as one channel,
 * else three. The pixel count is checked from the header first, so a small file declaring a huge image costs nothing.
 */
export function readPng(buf: Uint8Array, name: string): NativeImage {
  const head = pngHeaderDims(buf);
  if (head && head.height * head.width > MAX_PNG_PIXELS) {
    throw new UserError(`${name}: the PNG header declares ${head.width}×${head.height} pixels, more than the ${MAX_PNG_PIXELS} (4096×4096) an image may have here; shrink it or remove it`);
  }
  checkPngData(buf, name);
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new UserError(`${name}: cannot decode the PNG image (${why}); the file is damaged or not a PNG: replace or remove it`);
  }
  const { width, height, data } = png;
  if (!(width > 0 && height > 0) || width * height > MAX_PNG_PIXELS || data.length !== width * height * 4) {
    throw new UserError(`${name}: the PNG image decodes to ${width}×${height} pixels with ${data.length} bytes; the file is damaged: replace or remove it`);
  }
  return fromRgba(width, height, data, png.color);
}

/**
 * Decoded RGBA pixels (pngjs's, or a browser's: the exported page, src/web) as one image: alpha dropped; a gray image
 * (`color` false) or a colour one whose R = G = B everywhere as one channel, so gray stays exact; else three.
 */
export function fromRgba(width: number, height: number, data: ArrayLike<number>, color: boolean): NativeImage {
  let gray = !color;
  let grayFromColor = false;
  if (!gray) {
    gray = true;
    for (let p = 0; p < width * height * 4 && gray; p += 4) gray = data[p] === data[p + 1] && data[p] === data[p + 2];
    grayFromColor = gray;
  }
  const channels = gray ? 1 : 3;
  const pixels = new Uint8Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < channels; k++) pixels[p * channels + k] = data[p * 4 + k];
  }
  return { height, width, channels, pixels, grayFromColor };
}

/** Decodes one PNG and converts it to the model's input shape. */
export function decodePng(buf: Uint8Array, name: string, shape: ImageDims): Uint8Array {
  const img = readPng(buf, name);
  return toModelInput(img.pixels, img, shape);
}
