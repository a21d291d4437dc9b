/**
 * Pure pixel conversions used to feed arbitrary images to a trained model: channel conversion and bilinear
 * resizing of uint8 images stored channels last (row-major h × w × c).
 */
import { check } from '../util/errors.js';

export interface ImageDims { height: number; width: number; channels: number }

/** ITU-R BT.601 luma of one pixel, rounded to the nearest integer: 0.299 R + 0.587 G + 0.114 B. */
export function luma601(r: number, g: number, b: number): number {
  return Math.round(0.299 * r + 0.587 * g + 0.114 * b);
}

/**
 * Converts `nPixels` pixels from `from` to `to` channels:
 *   1 → 3  gray replicated into R, G and B
 *   3 → 1  ITU-R 601 luma, rounded (R = G = B gives the value back exactly)
 *   2 → 1, 4 → 3  the alpha channel is dropped (not composited); 2 → 3 and 4 → 1 combine the two steps
 *   c → c  a copy
 */
export function convertChannels(src: Uint8Array, nPixels: number, from: number, to: number): Uint8Array {
  check(from >= 1 && from <= 4 && Number.isInteger(from), `convertChannels: cannot read ${from}-channel pixels (use 1, 2, 3 or 4)`);
  check(to === 1 || to === 3, `convertChannels: cannot produce ${to}-channel pixels (use 1 or 3)`);
  check(src.length === nPixels * from, `convertChannels: ${src.length} values are not ${nPixels} pixels of ${from} channels`);
  const out = new Uint8Array(nPixels * to);
  const color = from >= 3;
  for (let p = 0; p < nPixels; p++) {
    const s = p * from;
    if (to === 1) {
      out[p] = color ? luma601(src[s], src[s + 1], src[s + 2]) : src[s];
    } else if (color) {
      out[p * 3] = src[s];
      out[p * 3 + 1] = src[s + 1];
      out[p * 3 + 2] = src[s + 2];
    } else {
      out[p * 3] = out[p * 3 + 1] = out[p * 3 + 2] = src[s];
    }
  }
  return out;
}

/**
 * Bilinear resize of one image with HALF-PIXEL CENTRES (the convention of OpenCV's INTER_LINEAR, PIL's
 * bilinear without antialiasing, and tf.image.resizeBilinear with halfPixelCenters = true):
 *
 *   the centre of output pixel x lies at source coordinate  sx = (x + 0.5) · inW / outW − 0.5
 *   (the same for rows), clamped to [0, inW − 1]; with x0 = ⌊sx⌋, x1 = min(x0 + 1, inW − 1), fx = sx − x0,
 *   the value is the usual bilinear mix of the four neighbours (x0|x1) × (y0|y1).
 *
 * Consequences: at equal size sx = x, so the resize is exactly the identity; halving a size averages 2 × 2
 * blocks; doubling a size gives ¾/¼ mixes with the border pixels repeated. Values are returned unrounded.
 */
export function resizeBilinear(src: ArrayLike<number>, from: ImageDims, outHeight: number, outWidth: number): Float64Array {
  const { height: inH, width: inW, channels: c } = from;
  check(inH >= 1 && inW >= 1 && c >= 1 && outHeight >= 1 && outWidth >= 1, `resizeBilinear: empty image size ${inH}×${inW}×${c} → ${outHeight}×${outWidth}`);
  check(src.length === inH * inW * c, `resizeBilinear: ${src.length} values are not a ${inH}×${inW}×${c} image`);
  const xs = sampleAxis(inW, outWidth);
  const ys = sampleAxis(inH, outHeight);
  const out = new Float64Array(outHeight * outWidth * c);
  for (let y = 0; y < outHeight; y++) {
    const y0 = ys.i0[y], y1 = ys.i1[y], fy = ys.f[y];
    for (let x = 0; x < outWidth; x++) {
      const x0 = xs.i0[x], x1 = xs.i1[x], fx = xs.f[x];
      const o = (y * outWidth + x) * c;
      for (let k = 0; k < c; k++) {
        const a = src[(y0 * inW + x0) * c + k];
        const b = src[(y0 * inW + x1) * c + k];
        const d = src[(y1 * inW + x0) * c + k];
        const e = src[(y1 * inW + x1) * c + k];
        const top = a + (b - a) * fx;
        const bottom = d + (e - d) * fx;
        out[o + k] = top + (bottom - top) * fy;
      }
    }
  }
  return out;
}

/** resizeBilinear rounded to the nearest integer (halves up) and clamped to 0..255. */
export function resizeBilinearU8(src: Uint8Array, from: ImageDims, outHeight: number, outWidth: number): Uint8Array {
  const f = resizeBilinear(src, from, outHeight, outWidth);
  const out = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(f[i])));
  return out;
}

/** Source neighbours and weights along one axis (half-pixel centres, clamped at the borders). */
export function sampleAxis(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const f = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const s = Math.min(inSize - 1, Math.max(0, (o + 0.5) * scale - 0.5));
    const lo = Math.floor(s);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inSize - 1);
    f[o] = s - lo;
  }
  return { i0, i1, f };
}

/**
 * Any decoded image (1 = gray, 2 = gray + alpha, 3 = RGB, 4 = RGBA) to the model's input: channels converted
 * first (convertChannels), then resized (resizeBilinearU8) unless the size already matches.
 */
export function toModelInput(src: Uint8Array, from: ImageDims, to: ImageDims): Uint8Array {
  const conv = convertChannels(src, from.height * from.width, from.channels, to.channels);
  if (from.height === to.height && from.width === to.width) return conv;
  return resizeBilinearU8(conv, { height: from.height, width: from.width, channels: to.channels }, to.height, to.width);
}
