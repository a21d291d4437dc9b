/**
 * A small reader for NumPy's .npy format (versions 1.0, 2.0 and 3.0): magic "\x93NUMPY", version, header length,
 * a Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...)}, then the array in C order.
 * Only what deep-svdd reads: little-endian (or byte-order-free) integer, unsigned and float arrays. The caller says
 * which dtypes and shape it accepts; anything else is a one-line UserError naming the file, what it holds and what
 * is needed.
 */
import { UserError } from '../util/errors.js';
import { readWholeFile } from '../util/files.js';

export type NpyDtype = 'u1' | 'i1' | 'u2' | 'i2' | 'u4' | 'i4' | 'i8' | 'u8' | 'f4' | 'f8' | 'b1';

const SIZES: Record<NpyDtype, number> = { u1: 1, i1: 1, b1: 1, u2: 2, i2: 2, u4: 4, i4: 4, i8: 8, u8: 8, f4: 4, f8: 8 };

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  /** the values as float64, in C order */
  data: Float64Array;
}

export interface NpyExpect {
  /** accepted dtypes (default: all) */
  dtypes?: readonly NpyDtype[];
  /** expected shape; -1 = any size on that axis */
  shape?: readonly number[];
  /** what the file should hold, for error messages (e.g. "adversarial images (M, 3, 32, 32)") */
  what?: string;
  /** the most values accepted, checked before anything is allocated (default: no limit) */
  maxValues?: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parses a .npy file's bytes. */
export function parseNpy(buf: Uint8Array, name: string, expect: NpyExpect = {}): NpyArray {
  const what = expect.what ? ` (${expect.what})` : '';
  const bad = (msg: string) => new UserError(`${name}${what}: ${msg}`);
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b)) throw bad('not a .npy file (no \\x93NUMPY magic): save it with numpy.save');
  const major = buf[6];
  let headerLen: number;
  let start: number;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (major === 1) { headerLen = view.getUint16(8, true); start = 10; }
  else if (major === 2 || major === 3) {
    if (buf.length < 12) throw bad('truncated header');
    headerLen = view.getUint32(8, true); start = 12;
  } else throw bad(`.npy format version ${major} is not supported (use 1, 2 or 3)`);
  if (start + headerLen > buf.length) throw bad('truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(buf.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw bad(`malformed header ${JSON.stringify(header.trim())}`);
  const m = /^([<>|=])([uifb])(\d+)$/.exec(descr);
  const dtype = m ? (`${m[2]}${m[3]}` as NpyDtype) : undefined;
  if (!m || !dtype || !(dtype in SIZES)) throw bad(`dtype ${descr} is not supported: save a numeric array (e.g. float32 or uint8)`);
  if (m[1] === '>' && SIZES[dtype] > 1) throw bad(`dtype ${descr} is big-endian: save it little-endian (arr.astype('<${dtype}'))`);
  if (fortran === 'True') throw bad('the array is in Fortran order: save numpy.ascontiguousarray(arr)');
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.some((s) => !Number.isInteger(s) || s < 0)) throw bad(`malformed shape (${shapeText})`);
  if (expect.dtypes && !expect.dtypes.includes(dtype)) {
    throw bad(`dtype ${descr} is not accepted: use one of ${expect.dtypes.join(', ')}`);
  }
  if (expect.shape) {
    const want = expect.shape;
    const ok = want.length === shape.length && want.every((w, i) => w === -1 || w === shape[i]);
    if (!ok) throw bad(`shape (${shape.join(', ')}) is wrong: expected (${want.map((w) => (w === -1 ? 'N' : String(w))).join(', ')})`);
  }
  const n = shape.reduce((a, b) => a * b, 1);
  if (expect.maxValues !== undefined && n > expect.maxValues) {
    throw bad(`shape (${shape.join(', ')}) holds ${n} values, more than the ${expect.maxValues} accepted: use a smaller array`);
  }
  const size = SIZES[dtype];
  const dataStart = start + headerLen;
  if (buf.length - dataStart < n * size) throw bad(`truncated: ${buf.length - dataStart} data bytes for ${n} values of ${size} bytes`);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = dataStart + i * size;
    switch (dtype) {
      case 'u1': case 'b1': data[i] = buf[o]; break;
      case 'i1': data[i] = view.getInt8(o); break;
      case 'u2': data[i] = view.getUint16(o, true); break;
      case 'i2': data[i] = view.getInt16(o, true); break;
      case 'u4': data[i] = view.getUint32(o, true); break;
      case 'i4': data[i] = view.getInt32(o, true); break;
      case 'u8': data[i] = Number(view.getBigUint64(o, true)); break;
      case 'i8': data[i] = Number(view.getBigInt64(o, true)); break;
      case 'f4': data[i] = view.getFloat32(o, true); break;
      case 'f8': data[i] = view.getFloat64(o, true); break;
    }
  }
  return { dtype, shape, data };
}

export function readNpy(file: string, expect: NpyExpect = {}): NpyArray {
  return parseNpy(readWholeFile(file, '.npy file'), file, expect);
}

/** Writes a .npy (version 1.0) file's bytes: for tests and fixtures. */
export function encodeNpy(dtype: 'u1' | 'f4' | 'f8' | 'i8', shape: number[], values: ArrayLike<number>): Uint8Array {
  const descr = dtype === 'u1' ? '|u1' : `<${dtype}`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const size = SIZES[dtype];
  const out = new Uint8Array(10 + header.length + values.length * size);
  out.set(MAGIC, 0); out[6] = 1; out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const o = 10 + header.length;
  for (let i = 0; i < values.length; i++) {
    if (dtype === 'u1') out[o + i] = values[i];
    else if (dtype === 'f4') view.setFloat32(o + 4 * i, values[i], true);
    else if (dtype === 'f8') view.setFloat64(o + 8 * i, values[i], true);
    else view.setBigInt64(o + 8 * i, BigInt(values[i]), true);
  }
  return out;
}
