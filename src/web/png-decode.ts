/**
 * A PNG decoder for the exported page (src/web/page.ts embeds this function's source), giving exactly the RGBA
 * bytes pngjs gives `deep-svdd score` (src/data/inputs.ts): every colour type and bit depth, Adam7 interlacing,
 * palette and tRNS transparency as pngjs applies them (a tRNS colour zeroes all four channels; 16-bit and 1/2/4-bit
 * samples scaled to 8 bits by ⌊v·255/max + ½⌋; palette indices never scaled), chunk CRCs checked. A browser's own
 * image decoder would not do: it premultiplies alpha and may apply colour profiles and gamma.
 *
 * Self-contained (no module-level names), so that its source text runs in the page as it is; inflates with the
 * platform's DecompressionStream (browsers, Node ≥ 18), stopping at the size the header allows.
 */

export interface RgbaImage { width: number; height: number; data: Uint8Array; color: boolean }

export async function decodePngRgba(buf: Uint8Array, maxPixels: number): Promise<RgbaImage> {
  const fail = (why: string): Error => new Error(`cannot decode the PNG image (${why}); the file is damaged or not a PNG`);
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (buf.length < 8 || !sig.every((b, i) => buf[i] === b)) throw fail('no PNG signature');
  const crcTable = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crcTable[n] = c >>> 0;
  }
  const crc32 = (bytes: Uint8Array): number => {
    let c = 0xffffffff;
    for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let head: { width: number; height: number; depth: number; colorType: number; interlace: number } | undefined;
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  for (let pos = 8; pos + 8 <= buf.length;) {
    const len = dv.getUint32(pos);
    if (pos + 12 + len > buf.length) throw fail('truncated');
    const type = String.fromCharCode(buf[pos + 4], buf[pos + 5], buf[pos + 6], buf[pos + 7]);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (crc32(buf.subarray(pos + 4, pos + 8 + len)) !== dv.getUint32(pos + 8 + len)) throw fail(`crc error in ${type}`);
    if (type === 'IHDR') {
      if (len < 13) throw fail('short IHDR');
      const b = new DataView(body.buffer, body.byteOffset, body.byteLength);
      head = { width: b.getUint32(0), height: b.getUint32(4), depth: body[8], colorType: body[9], interlace: body[12] };
      if (body[10] !== 0 || body[11] !== 0) throw fail('unsupported compression or filter method');
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') trns = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') { ended = true; break; }
    pos += 12 + len;
  }
  if (!head) throw fail('no IHDR');
  if (!ended && idat.length === 0) throw fail('no image data');
  const { width, height, depth, colorType, interlace } = head;
  const samples = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  const allowed = colorType === 3 ? [1, 2, 4, 8] : colorType === 0 ? [1, 2, 4, 8, 16] : [8, 16];
  if (samples === undefined || !allowed.includes(depth)) throw fail(`colour type ${colorType} with bit depth ${depth}`);
  if (interlace !== 0 && interlace !== 1) throw fail(`interlace method ${interlace}`);
  if (!(width > 0 && height > 0)) throw fail(`${width}×${height} pixels`);
  if (width * height > maxPixels) throw new Error(`the PNG header declares ${width}×${height} pixels, more than the ${maxPixels} an image may have here; shrink it`);
  if (colorType === 3 && !palette) throw fail('no palette');
  // the passes: the whole image, or Adam7's seven sub-images
  const passes: number[][] = interlace ? [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] : [[0, 0, 1, 1]];
  const bitsPerPixel = samples * depth;
  const stride = (w: number) => Math.ceil((w * bitsPerPixel) / 8);
  let expected = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((width - x0) / dx);
    const h = Math.ceil((height - y0) / dy);
    if (w > 0 && h > 0) expected += h * (1 + stride(w));
  }
  // inflate, never past what the header allows
  let total = 0;
  for (const part of idat) total += part.length;
  const compressed = new Uint8Array(total);
  total = 0;
  for (const part of idat) { compressed.set(part, total); total += part.length; }
  const raw = new Uint8Array(expected);
  let filled = 0;
  const reader = new Response(compressed).body!.pipeThrough(new DecompressionStream('deflate')).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (filled + value.length > expected) throw fail(`the image data inflates to more than the ${expected} bytes its header allows`);
      raw.set(value, filled);
      filled += value.length;
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    throw e instanceof Error && e.message.startsWith('cannot decode') ? e : fail('bad compressed data');
  }
  if (filled < expected) throw fail('not enough image data');
  // unfilter each pass and map its samples to RGBA (16-bit values kept until the scaling)
  const maxValue = 2 ** depth - 1;
  const rgba = new Uint16Array(width * height * 4);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const trans = trns && colorType === 0 && trns.length >= 2 ? [(trns[0] << 8) | trns[1]]
    : trns && colorType === 2 && trns.length >= 6 ? [(trns[0] << 8) | trns[1], (trns[2] << 8) | trns[3], (trns[4] << 8) | trns[5]] : undefined;
  let at = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((width - x0) / dx);
    const h = Math.ceil((height - y0) / dy);
    if (!(w > 0 && h > 0)) continue;
    const rowBytes = stride(w);
    let prev = new Uint8Array(rowBytes);
    for (let y = 0; y < h; y++) {
      const filter = raw[at];
      const line = raw.slice(at + 1, at + 1 + rowBytes);
      at += 1 + rowBytes;
      for (let i = 0; i < rowBytes; i++) {
        const a = i >= bpp ? line[i - bpp] : 0;
        const b = prev[i];
        const c = i >= bpp ? prev[i - bpp] : 0;
        let add: number;
        switch (filter) {
          case 0: add = 0; break;
          case 1: add = a; break;
          case 2: add = b; break;
          case 3: add = (a + b) >> 1; break;
          case 4: {
            const p = a + b - c;
            const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
            add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            break;
          }
          default: throw fail(`unknown filter type ${filter}`);
        }
        line[i] = (line[i] + add) & 0xff;
      }
      prev = line;
      const sample = (k: number): number => {
        if (depth === 8) return line[k];
        if (depth === 16) return (line[2 * k] << 8) | line[2 * k + 1];
        const bit = k * depth;
        return (line[bit >> 3] >> (8 - depth - (bit & 7))) & maxValue;
      };
      const py = y0 + y * dy;
      for (let x = 0; x < w; x++) {
        const o = (py * width + x0 + x * dx) * 4;
        const s = x * samples;
        let px: number[];
        switch (colorType) {
          case 0: px = [sample(s), sample(s), sample(s), maxValue]; break;
          case 2: px = [sample(s), sample(s + 1), sample(s + 2), maxValue]; break;
          case 3: {
            const i = sample(s);
            if (3 * i + 2 >= palette!.length) throw fail(`index ${i} not in palette`);
            px = [palette![3 * i], palette![3 * i + 1], palette![3 * i + 2], trns && i < trns.length ? trns[i] : 255];
            break;
          }
          case 4: px = [sample(s), sample(s), sample(s), sample(s + 1)]; break;
          default: px = [sample(s), sample(s + 1), sample(s + 2), sample(s + 3)];
        }
        if (trans && (trans.length === 1 ? px[0] === trans[0] : px[0] === trans[0] && px[1] === trans[1] && px[2] === trans[2])) px = [0, 0, 0, 0];
        rgba[o] = px[0]; rgba[o + 1] = px[1]; rgba[o + 2] = px[2]; rgba[o + 3] = px[3];
      }
    }
  }
  const data = new Uint8Array(width * height * 4);
  if (colorType === 3 || depth === 8) data.set(rgba);
  else for (let i = 0; i < data.length; i++) data[i] = Math.floor((rgba[i] * 255) / maxValue + 0.5);
  return { width, height, data, color: (colorType & 2) !== 0 };
}
