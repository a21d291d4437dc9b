/**
 * Netpbm PPM/PGM decoding (the GTSRB images are binary PPM, "P6"): P6 and P5 (binary) and P3 and P2 (ASCII), maxval
 * up to 65535 (rescaled to 0..255), '#' comments in the header. Returns channels-last uint8 pixels.
 */
import { UserError } from '../util/errors.js';

/** The most pixels a PPM may have (as a PNG: src/data/inputs.ts). */
export const MAX_PPM_PIXELS = 4096 * 4096;

export interface DecodedImage { pixels: Uint8Array; height: number; width: number; channels: number }

export function decodePpm(buf: Uint8Array, name: string): DecodedImage {
  const bad = (msg: string) => new UserError(`${name}: ${msg}`);
  let pos = 0;
  const skipSpace = () => {
    for (;;) {
      while (pos < buf.length && isSpace(buf[pos])) pos++;
      if (buf[pos] !== 0x23) return; // '#': comment to end of line
      while (pos < buf.length && buf[pos] !== 0x0a && buf[pos] !== 0x0d) pos++;
    }
  };
  const token = (): string => {
    skipSpace();
    const s = pos;
    while (pos < buf.length && !isSpace(buf[pos]) && buf[pos] !== 0x23) pos++;
    if (s === pos) throw bad('truncated PPM header');
    return String.fromCharCode(...buf.subarray(s, pos));
  };
  if (buf.length < 2 || buf[0] !== 0x50) throw bad('not a PPM/PGM image (no P2, P3, P5 or P6 magic)');
  const magic = String.fromCharCode(buf[0], buf[1]);
  if (!['P2', 'P3', 'P5', 'P6'].includes(magic)) throw bad(`Netpbm type ${magic} is not supported: use P6 (binary RGB) or P5/P3/P2`);
  pos = 2;
  const width = Number(token());
  const height = Number(token());
  const maxval = Number(token());
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw bad(`invalid image size ${width}×${height}`);
  if (!Number.isInteger(maxval) || maxval < 1 || maxval > 65535) throw bad(`invalid maxval ${maxval}`);
  const channels = magic === 'P3' || magic === 'P6' ? 3 : 1;
  if (width * height > MAX_PPM_PIXELS) throw bad(`the header declares ${width}×${height} pixels, more than the ${MAX_PPM_PIXELS} (4096×4096) an image may have here; shrink it or remove it`);
  const n = width * height * channels;
  // the bytes must be there before anything is allocated: binary samples take 1 or 2 bytes, text ones at least 2
  // (a digit and a separator; the last one 1)
  const least = magic === 'P5' || magic === 'P6' ? n * (maxval < 256 ? 1 : 2) + 1 : 2 * n - 1;
  if (buf.length - pos < least) throw bad(`truncated: the header declares a ${width}×${height}×${channels} image, which needs at least ${least} more bytes than the ${buf.length - pos} the file holds`);
  const pixels = new Uint8Array(n);
  const scale = (v: number) => (maxval === 255 ? v : Math.round((v * 255) / maxval));
  if (magic === 'P5' || magic === 'P6') {
    pos++; // exactly one whitespace byte after maxval
    const bytes = maxval < 256 ? 1 : 2;
    if (buf.length - pos < n * bytes) throw bad(`truncated: ${buf.length - pos} pixel bytes for a ${width}×${height}×${channels} image`);
    for (let i = 0; i < n; i++) {
      const v = bytes === 1 ? buf[pos + i] : (buf[pos + 2 * i] << 8) | buf[pos + 2 * i + 1];
      if (v > maxval) throw bad(`pixel value ${v} above maxval ${maxval}`);
      pixels[i] = scale(v);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = Number(token());
      if (!Number.isInteger(v) || v < 0 || v > maxval) throw bad(`invalid pixel value at sample ${i}`);
      pixels[i] = scale(v);
    }
  }
  return { pixels, height, width, channels };
}

/** A binary P6 image (for tests and fixtures). */
export function encodePpm(pixels: Uint8Array, height: number, width: number): Uint8Array {
  const header = new TextEncoder().encode(`P6\n${width} ${height}\n255\n`);
  const out = new Uint8Array(header.length + pixels.length);
  out.set(header); out.set(pixels, header.length);
  return out;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}
