/**
 * A reader for MATLAB level-5 MAT-files (MATLAB `save -v7` / `-v6`, Octave `save -mat7-binary`, scipy.io.savemat),
 * the format of the ODDS anomaly-detection tables: a 128-byte header (text, version 0x0100, endian indicator 'IM'
 * little-endian or 'MI' big-endian), then data elements, each an 8-byte tag (type, byte count) or a 4-byte "small
 * element" tag with up to 4 data bytes packed in, padded to 8 bytes. A variable is an miMATRIX element (array flags,
 * dimensions, name, real part, ...), at the top level or zlib-compressed inside an miCOMPRESSED element.
 *
 * It reads real 2-D numeric matrices of every numeric class (double, single, int8..uint64, logical), converting by
 * the type of the data subelement (MATLAB stores e.g. a double matrix of small integers as miUINT8), and returns
 * them row-major. Other variables (char, cell, struct, sparse, objects, complex, N-D) are skipped; asking for one by
 * name is an error.
 *
 * Hand-written because no well-kept JavaScript library reads these files within bounded time and memory: untrusted
 * files are read here at a cost linear in their size and capped in memory. Every declared size is checked against
 * the bytes present before anything is allocated; a compressed variable is first inflated only from its first
 * PEEK_INPUT_BYTES (to read its name and class), then in full only when wanted, to exactly its declared size; and
 * everything one read inflates or decodes counts against MAT_MAX_BYTES, all of it before the first large allocation. Errors are one-line UserErrors
 * `<file>: <problem>; <fix>`.
 */
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { UserError } from '../util/errors.js';
import { readRegularFile } from '../util/files.js';

/**
 * The most bytes one read may inflate and decode, all together (256 MiB): the inflated bytes of every compressed
 * element it looks into (each look counted as at least INFLATE_COST) plus 8 bytes per value it returns (the largest
 * ODDS table, shuttle, needs 3.5 MB). It keeps the memory a crafted file can make a read use well under 500 MB, and
 * its time to about a second; it is also the largest .mat file read.
 */
export const MAT_MAX_BYTES = 256 * 1024 * 1024;

/**
 * What one inflation counts at least against MAT_MAX_BYTES (64 KiB: zlib's 32 KiB window and state and Node's
 * 16 KiB output chunk), which bounds a file of many tiny compressed elements to 4096 of them.
 */
const INFLATE_COST = 64 * 1024;

/** How much of a compressed element is inflated to read its header (a real header compresses to ~100 bytes). */
const PEEK_INPUT_BYTES = 1024;

export interface MatVariable {
  rows: number;
  cols: number;
  /** rows × cols values, row-major */
  data: Float64Array;
  /** MATLAB class: 'double', 'single', 'int8' .. 'uint64', or 'logical' */
  mclass: string;
}

// data element types (miINT8 ...) and their sizes in bytes
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;
const MI_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };
const MI_NAME: Record<number, string> = {
  1: 'miINT8', 2: 'miUINT8', 3: 'miINT16', 4: 'miUINT16', 5: 'miINT32', 6: 'miUINT32', 7: 'miSINGLE', 9: 'miDOUBLE', 12: 'miINT64', 13: 'miUINT64',
};
// array classes (mxCELL_CLASS = 1 ...): 6..15 are numeric
const MX_NAME: Record<number, string> = {
  1: 'cell array', 2: 'struct', 3: 'object', 4: 'char array', 5: 'sparse matrix', 6: 'double', 7: 'single', 8: 'int8', 9: 'uint8',
  10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64',
};
const FLAG_COMPLEX = 0x08;
const FLAG_LOGICAL = 0x02;

const RESAVE = 're-save it with MATLAB (save -v7), Octave (save -mat7-binary) or scipy.io.savemat';
const DAMAGED = `the file is damaged or not a MATLAB .mat file: re-download it or ${RESAVE}`;

/** A read in progress: the file name for messages and the bytes left of MAT_MAX_BYTES. */
class MatRead {
  private left = MAT_MAX_BYTES;
  constructor(readonly file: string, readonly le: boolean) {}

  error(problem: string, fix = DAMAGED): UserError {
    return new UserError(`${this.file}: ${problem}; ${fix}`);
  }

  /** Counts `bytes` against MAT_MAX_BYTES, or fails naming `what` needs them. */
  charge(bytes: number, what: string): void {
    if (bytes > this.left) {
      throw this.error(`${what} needs ${mib(bytes)} MiB, over what is left of the ${mib(MAT_MAX_BYTES)} MiB a .mat read may use (MAT_MAX_BYTES)`,
        'use a smaller table, or save the variables you need in a file of their own');
    }
    this.left -= bytes;
  }
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toPrecision(3);
}

/** Bytes read in the file's byte order. */
class Bytes {
  readonly view: DataView;
  constructor(readonly buf: Uint8Array, readonly le: boolean) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u32(at: number): number {
    return this.view.getUint32(at, this.le);
  }
}

/** A data element's tag: its type, byte count, where its data starts, and where the next element starts. */
interface Tag {
  type: number;
  nbytes: number;
  data: number;
  next: number;
}

/**
 * The tag at `pos` of an element that must end by `end`; `b` must hold the tag's bytes. A tag whose upper 16 bits
 * are not zero is a small element: byte count in the upper half, type in the lower, data in the next 4 bytes.
 */
function readTag(r: MatRead, b: Bytes, pos: number, end: number): Tag {
  if (end - pos < 8) throw r.error(`truncated data element at byte ${pos}`);
  if (b.buf.length - pos < 8) throw beyondPeek(r);
  const first = b.u32(pos);
  if (first >>> 16 !== 0) {
    const nbytes = first >>> 16;
    if (nbytes > 4) throw r.error(`a small data element at byte ${pos} declares ${nbytes} bytes (at most 4 fit)`);
    return { type: first & 0xffff, nbytes, data: pos + 4, next: pos + 8 };
  }
  const nbytes = b.u32(pos + 4);
  if (nbytes > end - pos - 8) throw r.error(`a data element at byte ${pos} declares ${nbytes} bytes, but only ${end - pos - 8} follow`);
  return { type: first, nbytes, data: pos + 8, next: Math.min(end, pos + 8 + Math.ceil(nbytes / 8) * 8) };
}

/** A compressed variable's header lies past the bytes inflated to read it (never so in files MATLAB or scipy write). */
function beyondPeek(r: MatRead): UserError {
  return r.error(`a compressed variable's header does not lie within the bytes inflated from its first ${PEEK_INPUT_BYTES} compressed bytes`);
}

/** The data of `tag`, which must lie within `b` (a peek may hold less than the element). */
function dataOf(r: MatRead, b: Bytes, tag: Tag): Uint8Array {
  if (tag.data + tag.nbytes > b.buf.length) throw beyondPeek(r);
  return b.buf.subarray(tag.data, tag.data + tag.nbytes);
}

/** The header of an miMATRIX element: what the reader needs before deciding to decode it. */
interface MatrixHeader {
  name: string;
  /** array class number (6 = double ...) */
  cls: number;
  flags: number;
  dims: number[];
  /** the tag of the real part (undefined for classes whose layout is not flags, dims, name, data) */
  real?: Tag;
}

/**
 * Reads the header of the miMATRIX element whose content is b[start, end): array flags, dimensions, name, and the
 * real part's tag. `b` may hold only a prefix of the content (a compressed element's first inflated bytes); a header
 * that does not lie within it is an error.
 */
function readMatrixHeader(r: MatRead, b: Bytes, start: number, end: number): MatrixHeader {
  const flagsTag = readTag(r, b, start, end);
  if (flagsTag.type !== 6 || flagsTag.nbytes !== 8) throw r.error(`a variable's array flags are not 8 bytes of miUINT32 (type ${flagsTag.type}, ${flagsTag.nbytes} bytes)`);
  dataOf(r, b, flagsTag);
  const word = b.u32(flagsTag.data);
  const cls = word & 0xff;
  const flags = (word >>> 8) & 0xff;
  if (!(cls in MX_NAME)) return { name: '', cls, flags, dims: [] }; // function handles, opaque objects: another layout
  const dimsTag = readTag(r, b, flagsTag.next, end);
  if (dimsTag.type !== 5 || dimsTag.nbytes % 4 !== 0 || dimsTag.nbytes < 8) throw r.error(`a variable's dimensions are not miINT32 values (type ${dimsTag.type}, ${dimsTag.nbytes} bytes)`);
  dataOf(r, b, dimsTag);
  const dims: number[] = [];
  for (let o = dimsTag.data; o < dimsTag.data + dimsTag.nbytes; o += 4) dims.push(b.view.getInt32(o, b.le));
  if (dims.some((d) => d < 0)) throw r.error(`a variable has negative dimensions (${dims.join('×')})`);
  const nameTag = readTag(r, b, dimsTag.next, end);
  const name = Buffer.from(dataOf(r, b, nameTag)).toString('latin1');
  const real = cls >= 6 && nameTag.next < end ? readTag(r, b, nameTag.next, end) : undefined;
  return { name, cls, flags, dims, real };
}

/** The class name as MATLAB prints it ('logical' for a logical uint8). */
function className(h: MatrixHeader): string {
  if (h.flags & FLAG_LOGICAL) return 'logical';
  return MX_NAME[h.cls] ?? `class ${h.cls}`;
}

/** Why variable `h` cannot be returned as a real 2-D numeric matrix, or undefined when it can. */
function unsupported(h: MatrixHeader): string | undefined {
  if (h.cls < 6 || h.cls > 15) return `is a ${className(h)}, not a numeric matrix`;
  if (h.flags & FLAG_COMPLEX) return 'is complex (only real matrices are read)';
  if (h.dims.length !== 2) return `is ${h.dims.length}-D, ${h.dims.join('×')} (only 2-D matrices are read)`;
  return undefined;
}

/** Checks that the real part holds exactly rows × cols values of a numeric type. */
function checkRealPart(r: MatRead, h: MatrixHeader): Tag {
  const real = h.real;
  if (!real) throw r.error(`variable '${h.name}' has no data`);
  const size = MI_SIZE[real.type];
  if (size === undefined) throw r.error(`variable '${h.name}' stores its values as type ${real.type}, not a numeric type`);
  const count = h.dims[0] * h.dims[1];
  if (real.nbytes !== count * size) {
    throw r.error(`variable '${h.name}' is ${h.dims.join('×')} but holds ${real.nbytes} bytes of ${MI_NAME[real.type]} (${count * size} expected)`);
  }
  return real;
}

/** The values of `real` (column-major rows × cols, type `real.type`) as row-major float64. */
function decodeReal(b: Bytes, real: Tag, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  const size = MI_SIZE[real.type];
  const get = valueReader(real.type, b.view, b.le);
  let o = real.data;
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++, o += size) out[i * cols + j] = get(o);
  }
  return out;
}

function valueReader(type: number, v: DataView, le: boolean): (at: number) => number {
  switch (type) {
    case 1: return (at) => v.getInt8(at);
    case 2: return (at) => v.getUint8(at);
    case 3: return (at) => v.getInt16(at, le);
    case 4: return (at) => v.getUint16(at, le);
    case 5: return (at) => v.getInt32(at, le);
    case 6: return (at) => v.getUint32(at, le);
    case 7: return (at) => v.getFloat32(at, le);
    case 9: return (at) => v.getFloat64(at, le);
    case 12: return (at) => Number(v.getBigInt64(at, le));
    case 13: return (at) => Number(v.getBigUint64(at, le));
    default: throw new Error(`no reader for data type ${type}`);
  }
}

/** Inflates zlib data: all of it (exactly `size` bytes expected), or only from its first `input` bytes (a peek). */
function inflate(r: MatRead, comp: Uint8Array, want: { size: number } | { input: number }): Uint8Array {
  let out: Buffer;
  try {
    out = 'size' in want
      ? inflateSync(comp, { maxOutputLength: Math.max(1, want.size), chunkSize: Math.max(64, want.size) })
      : inflateSync(comp.subarray(0, want.input), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw r.error('a compressed variable inflates to more bytes than it declares');
    throw r.error(`compressed data cannot be inflated (${e instanceof Error ? e.message : String(e)})`);
  }
  if ('size' in want && out.length !== want.size) throw r.error(`a compressed variable inflates to ${out.length} bytes, but declares ${want.size}`);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** One variable found in the file: its header, and how to get the bytes its real part lies in. */
interface Found {
  header: MatrixHeader;
  /** the bytes getting `bytes()` inflates (0 for an uncompressed element) */
  inflates: number;
  /** the bytes header.real's offsets refer to, holding the element in full */
  bytes: () => Bytes;
}

/**
 * The variable in the top-level element with tag `tag`, or undefined when the element is not a variable. A
 * compressed element is peeked at (PEEK_INPUT_BYTES of input) to read its header; its full inflation is left to
 * `bytes()` (its declared size, `inflates`, is charged by the caller).
 */
function variableAt(r: MatRead, top: Bytes, tag: Tag): Found | undefined {
  if (tag.type === MI_MATRIX) {
    if (tag.nbytes === 0) return undefined;
    return { header: readMatrixHeader(r, top, tag.data, tag.data + tag.nbytes), inflates: 0, bytes: () => top };
  }
  if (tag.type !== MI_COMPRESSED) return undefined;
  const comp = top.buf.subarray(tag.data, tag.data + tag.nbytes);
  const peek = inflate(r, comp, { input: PEEK_INPUT_BYTES });
  r.charge(Math.max(INFLATE_COST, peek.length), 'looking into a compressed variable');
  const head = new Bytes(peek, r.le);
  const inner = readTag(r, head, 0, Number.MAX_SAFE_INTEGER);
  if (inner.type !== MI_MATRIX || inner.nbytes === 0) return undefined;
  const end = 8 + inner.nbytes;
  const header = readMatrixHeader(r, head, 8, end);
  return { header, inflates: Math.max(INFLATE_COST, end), bytes: () => new Bytes(inflate(r, comp, { size: end }), r.le) };
}

/** Checks the 128-byte header; returns whether the file is little-endian. */
function readFileHeader(buf: Uint8Array, file: string): boolean {
  const fail = (problem: string, fix = DAMAGED) => new UserError(`${file}: ${problem}; ${fix}`);
  if (buf.length < 128) throw fail(`too short for a MATLAB .mat file (${buf.length} bytes; the header alone has 128)`);
  const mark = String.fromCharCode(buf[126], buf[127]);
  if (mark !== 'IM' && mark !== 'MI') throw fail('not a MATLAB level-5 .mat file (no MI/IM endian indicator at byte 126; level-4 files are not read)', RESAVE);
  const le = mark === 'IM';
  const version = new DataView(buf.buffer, buf.byteOffset + 124, 2).getUint16(0, le);
  if (version === 0x0200) throw fail('is a MATLAB v7.3 (HDF5) file, which is not read', 're-save it with MATLAB save -v7 (not -v7.3) or scipy.io.savemat');
  if (version !== 0x0100) throw fail(`unknown MAT-file version 0x${version.toString(16).padStart(4, '0')} (0x0100 expected)`, RESAVE);
  return le;
}

/**
 * Walks the top-level elements and finds the variables to decode (`names`, or every real 2-D numeric one), checking
 * their headers; nothing large is inflated or allocated yet.
 */
function findVariables(r: MatRead, top: Bytes, names: string[] | undefined): Map<string, Found> {
  const buf = top.buf;
  const wanted = new Map<string, Found>();
  const seen: string[] = [];
  for (let pos = 128; pos < buf.length;) {
    const tag = readTag(r, top, pos, buf.length);
    pos = tag.type === MI_COMPRESSED ? tag.data + tag.nbytes : tag.next;
    const found = variableAt(r, top, tag);
    if (!found) continue;
    const h = found.header;
    if (h.name !== '') seen.push(`${h.name} (${h.dims.join('×')} ${className(h)})`);
    const why = unsupported(h);
    if (names ? !names.includes(h.name) : why !== undefined) continue;
    if (why !== undefined) throw r.error(`variable '${h.name}' ${why}`, `save '${h.name}' as a real numeric matrix`);
    if (wanted.has(h.name)) throw r.error(`holds two variables named '${h.name}'`, RESAVE);
    checkRealPart(r, h);
    wanted.set(h.name, found);
  }
  const listed = seen.length > 12 ? [...seen.slice(0, 12), `and ${seen.length - 12} more`] : seen;
  const missing = (names ?? []).filter((n) => !wanted.has(n));
  if (missing.length > 0) {
    throw r.error(`has no variable ${missing.map((n) => `'${n}'`).join(', ')} (it holds ${listed.length ? listed.join(', ') : 'no variables'})`,
      'name a variable the file holds');
  }
  return wanted;
}

/**
 * The real 2-D numeric variables of a level-5 .mat file held in `buf`: those named in `names` (each must exist and
 * be one), or all of them when `names` is left out. `file` starts every error message.
 */
export function readMatVariables(buf: Uint8Array, file: string, names?: string[]): Map<string, MatVariable> {
  const r = new MatRead(file, readFileHeader(buf, file));
  const wanted = findVariables(r, new Bytes(buf, r.le), names);
  for (const [name, found] of wanted) {
    const [rows, cols] = found.header.dims;
    r.charge(found.inflates + rows * cols * 8, `variable '${name}' (${rows}×${cols} values as float64${found.inflates ? ', inflated first' : ''})`);
  }
  const out = new Map<string, MatVariable>();
  for (const [name, found] of wanted) {
    const [rows, cols] = found.header.dims;
    out.set(name, { rows, cols, data: decodeReal(found.bytes(), checkRealPart(r, found.header), rows, cols), mclass: className(found.header) });
  }
  return out;
}

/** Reads the real 2-D numeric variables `names` (default: all) of the level-5 .mat file `file`. */
export function readMatFile(file: string, names?: string[]): Map<string, MatVariable> {
  return readMatVariables(readRegularFile(file, 'a MATLAB .mat file', MAT_MAX_BYTES), file, names);
}
