/**
 * PNG image grids: the most normal / most anomalous test images, in original pixel scale, framed green for
 * normal-class and red for outlier-class images. Charts are charts.ts.
 */
import { PNG } from 'pngjs';
import { writeFileAtomic } from './atomic.js';

export interface RawImages { pixels: Uint8Array; height: number; width: number; channels: number }

const FRAME = 2;
const GAP = 2;

/** Writes a grid of the images at `indices` (row-major, `cols` per row) with a frame coloured by label. */
export function writeImageGrid(file: string, imgs: RawImages, indices: ArrayLike<number>, labels: ArrayLike<number>, cols = 8, scale = 2): void {
  const n = indices.length;
  const rows = Math.max(1, Math.ceil(n / cols));
  const cell = (s: number) => s * scale + 2 * FRAME + GAP;
  const W = cols * cell(imgs.width) + GAP;
  const H = rows * cell(imgs.height) + GAP;
  const png = new PNG({ width: W, height: H });
  png.data.fill(255);
  const d = imgs.height * imgs.width * imgs.channels;
  for (let k = 0; k < n; k++) {
    const ox = GAP + (k % cols) * cell(imgs.width);
    const oy = GAP + Math.floor(k / cols) * cell(imgs.height);
    const frame = labels[k] ? [220, 40, 40] : [40, 160, 60];
    const fw = imgs.width * scale + 2 * FRAME;
    const fh = imgs.height * scale + 2 * FRAME;
    for (let y = 0; y < fh; y++) {
      for (let x = 0; x < fw; x++) {
        const p = ((oy + y) * W + ox + x) * 4;
        const inner = x >= FRAME && y >= FRAME && x < fw - FRAME && y < fh - FRAME;
        let rgb = frame;
        if (inner) {
          const iy = Math.floor((y - FRAME) / scale);
          const ix = Math.floor((x - FRAME) / scale);
          const base = indices[k] * d + (iy * imgs.width + ix) * imgs.channels;
          rgb = imgs.channels === 1 ? [imgs.pixels[base], imgs.pixels[base], imgs.pixels[base]]
            : [imgs.pixels[base], imgs.pixels[base + 1], imgs.pixels[base + 2]];
        }
        png.data[p] = rgb[0]; png.data[p + 1] = rgb[1]; png.data[p + 2] = rgb[2]; png.data[p + 3] = 255;
      }
    }
  }
  writeFileAtomic(file, PNG.sync.write(png));
}
