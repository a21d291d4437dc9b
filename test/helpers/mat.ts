/**
 * A tiny writer of MATLAB level-5 .mat bytes for tests: either byte order, any storage type for the values, small
 * data elements, and compression, so that tests can build files scipy cannot write (big-endian, narrowed types) and
 * crafted ones.
 */
import { deflateSync } from 'node:zlib';

/** miINT8 .. miUINT64 and their sizes */
export const MI = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15 } as const;
const SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };
/** mxDOUBLE_CLASS .. */
export const MX = { CELL: 1, CHAR: 4, DOUBLE: 6, SINGLE: 7, INT8: 8, UINT8: 9, INT16: 10, INT32: 12, UINT64: 15 } as const;

export interface MatVarSpec {
  name: string;
  /** mx class number (default double) */
  cls?: number;
  /** array flag bits (0x08 complex, 0x02 logical) */
  flags?: number;
  dims: number[];
  /** the values in column-major order */
  values: number[];
  /** the data element type the values are stored as (default miDOUBLE) */
  type?: number;
  /** pack the name into a small data element when it has at most 4 bytes (default true) */
  smallName?: boolean;
}

function u32(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, le);
  return b;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** One data element: an 8-byte tag and the data padded to 8 bytes, or a small element when asked and it fits. */
export function element(type: number, data: Uint8Array, le: boolean, small = false): Uint8Array {
  if (small && data.length <= 4) {
    const out = new Uint8Array(8);
    out.set(u32((data.length << 16) | type, le), 0);
    out.set(data, 4);
    return out;
  }
  const pad = (8 - (data.length % 8)) % 8;
  return concat([u32(type, le), u32(data.length, le), data, new Uint8Array(pad)]);
}

/** The bytes of `values` stored as data element type `type`. */
export function typed(type: number, values: number[], le: boolean): Uint8Array {
  const size = SIZE[type];
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    const o = i * size;
    switch (type) {
      case 1: v.setInt8(o, x); break;
      case 2: v.setUint8(o, x); break;
      case 3: v.setInt16(o, x, le); break;
      case 4: v.setUint16(o, x, le); break;
      case 5: v.setInt32(o, x, le); break;
      case 6: v.setUint32(o, x, le); break;
      case 7: v.setFloat32(o, x, le); break;
      case 9: v.setFloat64(o, x, le); break;
      case 12: v.setBigInt64(o, BigInt(x), le); break;
      case 13: v.setBigUint64(o, BigInt(x), le); break;
    }
  });
  return out;
}

/** The content of an miMATRIX element (array flags, dimensions, name, real part) — without its own tag. */
export function matrixContent(s: MatVarSpec, le: boolean): Uint8Array {
  const flags = concat([u32(((s.flags ?? 0) << 8) | (s.cls ?? MX.DOUBLE), le), u32(0, le)]);
  return concat([
    element(MI.UINT32, flags, le),
    element(MI.INT32, typed(MI.INT32, s.dims, le), le),
    element(MI.INT8, new TextEncoder().encode(s.name), le, s.smallName ?? true),
    element(s.type ?? MI.DOUBLE, typed(s.type ?? MI.DOUBLE, s.values, le), le),
  ]);
}

/** A whole miMATRIX element for `s`. */
export function matrix(s: MatVarSpec, le: boolean): Uint8Array {
  return element(MI.MATRIX, matrixContent(s, le), le);
}

/** An miCOMPRESSED element holding `inner` (zlib), not padded, as MATLAB writes it. */
export function compressed(inner: Uint8Array, le: boolean): Uint8Array {
  const z = deflateSync(inner);
  return concat([u32(MI.COMPRESSED, le), u32(z.length, le), z]);
}

/** A .mat file: the 128-byte header (text, version 0x0100, 'IM' or 'MI') followed by `elements`. */
export function matFile(elements: Uint8Array[], le = true, version = 0x0100): Uint8Array {
  const head = new Uint8Array(128).fill(0x20);
  head.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, written by a deep-svdd test'), 0);
  head.fill(0, 116, 124);
  new DataView(head.buffer).setUint16(124, version, le);
  head.set(le ? [0x49, 0x4d] : [0x4d, 0x49], 126); // 'IM' read little-endian, 'MI' big-endian
  return concat([head, ...elements]);
}

export { concat, u32 };
