/**
 * A tiny built-in bitmap font for the PNG charts (no font files, no dependencies): 5×7-pixel glyphs in the style of
 * the HD44780 character-LCD font, drawn at an integer scale. Glyphs are proportional: the blank columns on both sides
 * of a glyph are trimmed and one blank column (× scale) separates neighbours; a space advances 3 columns.
 *
 * Covered: digits, A–Z, a–z, space and . , : ; - + % ( ) [ ] / × ± _ = < > ! ? ' " * # & | plus − (U+2212, minus)
 * and – (U+2013, en dash). Any other character is drawn as a hollow 5×7 box, so that a missing glyph is visible
 * instead of silently dropped.
 */

/** Rows of a glyph: 7 strings of 5 characters, '#' = pixel set. */
const G: Record<string, string> = {
  '0': '.###. #...# #...# #...# #...# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  A: '.###. #...# #...# #...# ##### #...# #...#',
  B: '####. #...# #...# ####. #...# #...# ####.',
  C: '.###. #...# #.... #.... #.... #...# .###.',
  D: '###.. #..#. #...# #...# #...# #..#. ###..',
  E: '##### #.... #.... ####. #.... #.... #####',
  F: '##### #.... #.... ####. #.... #.... #....',
  G: '.###. #...# #.... #.### #...# #...# .####',
  H: '#...# #...# #...# ##### #...# #...# #...#',
  I: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  J: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  K: '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  L: '#.... #.... #.... #.... #.... #.... #####',
  M: '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  N: '#...# #...# ##..# #.#.# #..## #...# #...#',
  O: '.###. #...# #...# #...# #...# #...# .###.',
  P: '####. #...# #...# ####. #.... #.... #....',
  Q: '.###. #...# #...# #...# #.#.# #..#. .##.#',
  R: '####. #...# #...# ####. #.#.. #..#. #...#',
  S: '.#### #.... #.... .###. ....# ....# ####.',
  T: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  U: '#...# #...# #...# #...# #...# #...# .###.',
  V: '#...# #...# #...# #...# #...# .#.#. ..#..',
  W: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  X: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  Y: '#...# #...# #...# .#.#. ..#.. ..#.. ..#..',
  Z: '##### ....# ...#. ..#.. .#... #.... #####',
  a: '..... ..... .###. ....# .#### #...# .####',
  b: '#.... #.... #.##. ##..# #...# #...# ####.',
  c: '..... ..... .###. #.... #.... #...# .###.',
  d: '....# ....# .##.# #..## #...# #...# .####',
  e: '..... ..... .###. #...# ##### #.... .###.',
  f: '..##. .#..# .#... ###.. .#... .#... .#...',
  g: '..... ..... .#### #...# #...# #...# .#### ....# .###.',
  h: '#.... #.... #.##. ##..# #...# #...# #...#',
  i: '..#.. ..... .##.. ..#.. ..#.. ..#.. .###.',
  j: '...#. ..... ..##. ...#. ...#. ...#. ...#. #..#. .##..',
  k: '#.... #.... #..#. #.#.. ##... #.#.. #..#.',
  l: '.##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  m: '..... ..... ##.#. #.#.# #.#.# #...# #...#',
  n: '..... ..... #.##. ##..# #...# #...# #...#',
  o: '..... ..... .###. #...# #...# #...# .###.',
  p: '..... ..... ####. #...# #...# #...# ####. #.... #....',
  q: '..... ..... .#### #...# #...# #...# .#### ....# ....#',
  r: '..... ..... #.##. ##..# #.... #.... #....',
  s: '..... ..... .###. #.... .###. ....# ####.',
  t: '.#... .#... ###.. .#... .#... .#..# ..##.',
  u: '..... ..... #...# #...# #...# #..## .##.#',
  v: '..... ..... #...# #...# #...# .#.#. ..#..',
  w: '..... ..... #...# #...# #.#.# #.#.# .#.#.',
  x: '..... ..... #...# .#.#. ..#.. .#.#. #...#',
  y: '..... ..... #...# #...# #...# #...# .#### ....# .###.',
  z: '..... ..... ##### ...#. ..#.. .#... #####',
  ' ': '..... ..... ..... ..... ..... ..... .....',
  '.': '..... ..... ..... ..... ..... ##... ##...',
  ',': '..... ..... ..... ..... .##.. ..#.. .#...',
  ':': '..... ##... ##... ..... ##... ##... .....',
  ';': '..... .##.. .##.. ..... .##.. ..#.. .#...',
  '-': '..... ..... ..... ####. ..... ..... .....',
  '−': '..... ..... ..... ##### ..... ..... .....',
  '–': '..... ..... ..... ##### ..... ..... .....',
  '+': '..... ..#.. ..#.. ##### ..#.. ..#.. .....',
  '%': '##... ##..# ...#. ..#.. .#... #..## ...##',
  '(': '...#. ..#.. .#... .#... .#... ..#.. ...#.',
  ')': '.#... ..#.. ...#. ...#. ...#. ..#.. .#...',
  '[': '.###. .#... .#... .#... .#... .#... .###.',
  ']': '.###. ...#. ...#. ...#. ...#. ...#. .###.',
  '/': '..... ....# ...#. ..#.. .#... #.... .....',
  '×': '..... #...# .#.#. ..#.. .#.#. #...# .....',
  '±': '..#.. ..#.. ##### ..#.. ..#.. ..... #####',
  '_': '..... ..... ..... ..... ..... ..... #####',
  '=': '..... ..... ##### ..... ##### ..... .....',
  '<': '...#. ..#.. .#... #.... .#... ..#.. ...#.',
  '>': '#.... .#... ..#.. ...#. ..#.. .#... #....',
  '!': '..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..',
  '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
  "'": '..#.. ..#.. .#... ..... ..... ..... .....',
  '"': '.#.#. .#.#. .#.#. ..... ..... ..... .....',
  '*': '..... ..#.. #.#.# .###. #.#.# ..#.. .....',
  '#': '.#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.',
  '&': '.##.. #..#. #.#.. .#... #.#.# #..#. .##.#',
  '|': '..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
};

const BOX = '##### #...# #...# #...# #...# #...# #####';

/** Cap height: rows 0–6 of a glyph sit on the baseline. */
export const GLYPH_HEIGHT = 7;
/** Rows below the baseline (descenders of g j p q y). */
export const GLYPH_DESCENT = 2;
const ROWS = GLYPH_HEIGHT + GLYPH_DESCENT;
/** Advance of a space, in font pixels. */
const SPACE_WIDTH = 3;

/** A glyph trimmed to its inked columns: bits[row][col], ROWS rows; `x2` is the same shape smoothed to twice the size. */
interface Glyph { bits: boolean[][]; width: number; x2: boolean[][] }

/**
 * Scale2x (EPX) doubling: each pixel becomes 2 × 2, and a corner takes the colour of its two neighbours when they
 * agree (and the opposite two do not), so diagonals come out as steps of one small pixel instead of blocks.
 */
function scale2x(b: boolean[][]): boolean[][] {
  const h = b.length;
  const w = b[0]?.length ?? 0;
  const at = (y: number, x: number) => (y >= 0 && x >= 0 && y < h && x < w ? b[y][x] : false);
  const out = Array.from({ length: 2 * h }, () => new Array<boolean>(2 * w).fill(false));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const P = b[y][x];
      const A = at(y - 1, x); const B = at(y, x + 1); const C = at(y, x - 1); const D = at(y + 1, x);
      out[2 * y][2 * x] = C === A && C !== D && A !== B ? A : P;
      out[2 * y][2 * x + 1] = A === B && A !== C && B !== D ? B : P;
      out[2 * y + 1][2 * x] = D === C && D !== B && C !== A ? C : P;
      out[2 * y + 1][2 * x + 1] = B === D && B !== A && D !== C ? D : P;
    }
  }
  return out;
}

function parse(rowsText: string): Glyph {
  const rows = rowsText.split(' ');
  if ((rows.length !== GLYPH_HEIGHT && rows.length !== ROWS) || rows.some((r) => r.length !== 5)) throw new Error(`bad glyph ${rowsText}`);
  while (rows.length < ROWS) rows.push('.....');
  const full = rows.map((r) => [...r].map((ch) => ch === '#'));
  let x0 = 5;
  let x1 = -1;
  for (const r of full) r.forEach((on, x) => { if (on) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); } });
  const bits = x1 < 0 ? full.map(() => new Array<boolean>(SPACE_WIDTH).fill(false)) : full.map((r) => r.slice(x0, x1 + 1));
  return { bits, width: bits[0].length, x2: scale2x(bits) };
}

const GLYPHS = new Map<string, Glyph>(Object.entries(G).map(([ch, rows]) => [ch, parse(rows)]));
const BOX_GLYPH = parse(BOX);

/** Every character with its own glyph (anything else is drawn as a box). */
export const FONT_CHARS: string = [...GLYPHS.keys()].join('');

export const hasGlyph = (ch: string): boolean => GLYPHS.has(ch);

function glyphOf(ch: string): Glyph {
  return GLYPHS.get(ch) ?? BOX_GLYPH;
}

/** Width in pixels of `text` drawn at `scale` (no trailing gap). */
export function textWidth(text: string, scale = 1): number {
  let w = 0;
  let n = 0;
  for (const ch of text) { w += glyphOf(ch).width; n++; }
  return n ? (w + n - 1) * scale : 0;
}

/** Cap height in pixels at `scale` (digits and capitals; descenders reach GLYPH_DESCENT × scale further down). */
export const textHeight = (scale = 1): number => GLYPH_HEIGHT * scale;

/** An RGBA pixel buffer, as a pngjs PNG. */
export interface Canvas { width: number; height: number; data: Uint8Array }

export type Rgb = readonly [number, number, number] | readonly number[];

function put(c: Canvas, x: number, y: number, rgb: Rgb): void {
  if (x < 0 || y < 0 || x >= c.width || y >= c.height) return;
  const p = (y * c.width + x) * 4;
  c.data[p] = rgb[0]; c.data[p + 1] = rgb[1]; c.data[p + 2] = rgb[2]; c.data[p + 3] = 255;
}

/**
 * Draws `text` with the top-left corner of its first capital at (x, y); pixels outside the canvas are skipped. An even
 * `scale` draws the Scale2x-smoothed glyphs. With `rotate` the text runs upwards (turned 90° counter-clockwise) and
 * (x, y) is its bottom-left corner. Returns the text's width (its length along the reading direction).
 */
export function drawText(c: Canvas, text: string, x: number, y: number, rgb: Rgb, scale = 1, rotate = false): number {
  const s = Math.max(1, Math.round(scale));
  const smooth = s % 2 === 0;
  const k = smooth ? s / 2 : s; // each bitmap pixel becomes k × k
  const unit = smooth ? 2 : 1; // bitmap pixels per font pixel
  x = Math.round(x); y = Math.round(y);
  let pen = 0; // in font pixels
  let first = true;
  for (const ch of text) {
    if (!first) pen += 1;
    first = false;
    const g = glyphOf(ch);
    const bits = smooth ? g.x2 : g.bits;
    for (let gy = 0; gy < bits.length; gy++) {
      const row = bits[gy];
      for (let gx = 0; gx < row.length; gx++) {
        if (!row[gx]) continue;
        for (let dy = 0; dy < k; dy++) {
          for (let dx = 0; dx < k; dx++) {
            const u = (pen * unit + gx) * k + dx; // along the text
            const v = gy * k + dy; // down from the top of the line
            if (rotate) put(c, x + v, y - u, rgb); else put(c, x + u, y + v, rgb);
          }
        }
      }
    }
    pen += g.width;
  }
  return pen * s;
}
