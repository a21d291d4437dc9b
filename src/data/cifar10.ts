/**
 * Finds and loads CIFAR-10 (https://www.cs.toronto.edu/~kriz/cifar.html) in either of its two distributed forms:
 *
 *  - python: `<dataDir>/cifar-10-batches-py/` with `data_batch_1`, `data_batch_2`, ... (consecutive numbers from 1,
 *    normally up to 5), `test_batch` and optionally `batches.meta`. Each batch is a pickled dict with
 *    `data` (a numpy uint8 array N x 3072) and `labels` (a list of N ints). The official files are Python 2 cPickle
 *    protocol-2 pickles; files re-written by Python 3 (protocols 2..5, str or bytes keys, numpy 1 or 2) are read too.
 *  - binary: `<dataDir>/cifar-10-batches-bin/` with `data_batch_1.bin`, ..., `test_batch.bin` and optionally
 *    `batches.meta.txt` (one class name per line). Each record is 1 label byte + 3072 pixel bytes.
 *
 * Both store an image as 3072 bytes: 1024 red (32x32, row-major), then 1024 green, then 1024 blue. The loader returns
 * images channels last (for each pixel R, G, B), uint8.
 *
 * The pickles are read by a small interpreter of the pickle opcodes that never executes code: only the few Python
 * globals a CIFAR-10 batch refers to (numpy's array reconstruction, numpy.dtype, _codecs.encode for bytes written by
 * Python 3 with protocol 2) are understood; any other class makes the file be rejected.
 */
import { join, resolve } from 'node:path';
import { UserError, check } from '../util/errors.js';
import { isDir, isFile, readWholeFile } from '../util/files.js';

export const CIFAR10_SIDE = 32;
export const CIFAR10_CHANNELS = 3;
/** pixels of one channel plane (32 x 32) */
export const CIFAR10_PLANE = CIFAR10_SIDE * CIFAR10_SIDE;
/** bytes per image (3 x 32 x 32) */
export const CIFAR10_IMAGE_BYTES = CIFAR10_CHANNELS * CIFAR10_PLANE;
export const CIFAR10_CLASSES = 10;
export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];
export const CIFAR10_PY_FOLDER = 'cifar-10-batches-py';
export const CIFAR10_BIN_FOLDER = 'cifar-10-batches-bin';

export type Cifar10Format = 'python' | 'binary';

export interface Cifar10Location {
  /** human-readable description of where the files come from */
  source: string;
  format: Cifar10Format;
  /** the batches folder (…/cifar-10-batches-py or …/cifar-10-batches-bin) */
  dir: string;
  /** training batch files, in order (data_batch_1, data_batch_2, …) */
  trainFiles: string[];
  testFile: string;
  /** batches.meta / batches.meta.txt when present */
  metaFile?: string;
}

export interface Cifar10Split {
  /** n * 32 * 32 * 3 pixel values 0..255, channels last: image i at [i*3072, (i+1)*3072), pixel (r, c) channel ch at i*3072 + (r*32 + c)*3 + ch */
  images: Uint8Array;
  /** n labels 0..9 */
  labels: Uint8Array;
  n: number;
}

export interface Cifar10Data {
  source: string;
  classNames: string[];
  train: Cifar10Split;
  test: Cifar10Split;
}

const FETCH_HINT = "download them with 'deep-svdd data fetch cifar10' or from the CIFAR-10 page";
const REDOWNLOAD = 're-download the CIFAR-10 files';

interface Candidate {
  format: Cifar10Format;
  dir: string;
  trainFiles: string[];
  testFile?: string;
  metaFile?: string;
}

function scan(dir: string, format: Cifar10Format): Candidate | undefined {
  if (!isDir(dir)) return undefined;
  const ext = format === 'python' ? '' : '.bin';
  const trainFiles: string[] = [];
  for (let k = 1; ; k++) {
    const p = join(dir, `data_batch_${k}${ext}`);
    if (!isFile(p)) break;
    trainFiles.push(p);
  }
  const test = join(dir, `test_batch${ext}`);
  const meta = join(dir, format === 'python' ? 'batches.meta' : 'batches.meta.txt');
  return {
    format,
    dir,
    trainFiles,
    testFile: isFile(test) ? test : undefined,
    metaFile: isFile(meta) ? meta : undefined,
  };
}

function complete(c: Candidate | undefined): c is Candidate & { testFile: string } {
  return c !== undefined && c.trainFiles.length > 0 && c.testFile !== undefined;
}

function toLocation(c: Candidate & { testFile: string }): Cifar10Location {
  const kind = c.format === 'python' ? 'python batches' : 'binary batches';
  return {
    source: `${c.dir} (CIFAR-10 ${kind}, ${c.trainFiles.length} training batch${c.trainFiles.length === 1 ? '' : 'es'})`,
    format: c.format,
    dir: c.dir,
    trainFiles: c.trainFiles,
    testFile: c.testFile,
    ...(c.metaFile !== undefined ? { metaFile: c.metaFile } : {}),
  };
}

/**
 * Finds the CIFAR-10 batches under `dataDir`: `<dataDir>/cifar-10-batches-py/` (preferred when both are complete) or
 * `<dataDir>/cifar-10-batches-bin/`.
 */
export function locateCifar10(dataDir: string): Cifar10Location {
  const dir = resolve(dataDir);
  const py = scan(join(dir, CIFAR10_PY_FOLDER), 'python');
  const bin = scan(join(dir, CIFAR10_BIN_FOLDER), 'binary');
  if (complete(py)) return toLocation(py);
  if (complete(bin)) return toLocation(bin);

  for (const c of [py, bin]) {
    if (c === undefined) continue;
    const ext = c.format === 'python' ? '' : '.bin';
    const missing: string[] = [];
    if (c.trainFiles.length === 0) missing.push(`data_batch_1${ext}`);
    if (c.testFile === undefined) missing.push(`test_batch${ext}`);
    throw new UserError(
      `incomplete CIFAR-10 ${c.format} batches in ${c.dir}: missing ${missing.join(' and ')} (expected data_batch_1${ext}..data_batch_5${ext} and test_batch${ext}); ${FETCH_HINT}`,
    );
  }
  const inside = isFile(join(dir, 'data_batch_1')) || isFile(join(dir, 'data_batch_1.bin'));
  throw new UserError(
    `no CIFAR-10 files in ${dataDir}: expected ${join(dataDir, CIFAR10_PY_FOLDER)}/ (python batches) or ${join(dataDir, CIFAR10_BIN_FOLDER)}/ (binary batches); ` +
      (inside ? `${dataDir} itself holds batch files: pass the folder above it, or ` : '') +
      FETCH_HINT,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// pickle reader
// ---------------------------------------------------------------------------------------------------------------

/** Python 2 `str` / Python 3 `bytes` / `bytearray`. */
class PyBytes {
  constructor(readonly data: Uint8Array) {}
}

class PyDict {
  readonly map = new Map<string, unknown>();
  /** Keys are matched by text: 'data', u'data' and b'data' are the same key. */
  static keyOf(k: unknown): string {
    if (typeof k === 'string') return k;
    if (k instanceof PyBytes) return Buffer.from(k.data.buffer, k.data.byteOffset, k.data.byteLength).toString('latin1');
    return `\u0000${typeof k}:${String(k)}`;
  }
  set(k: unknown, v: unknown): void {
    this.map.set(PyDict.keyOf(k), v);
  }
  get(k: string): unknown {
    return this.map.get(k);
  }
  has(k: string): boolean {
    return this.map.has(k);
  }
  keyList(): string {
    return [...this.map.keys()].filter((k) => !k.startsWith('\u0000')).map((k) => `'${k}'`).join(', ');
  }
}

type GlobalKind = 'reconstruct' | 'ndarray' | 'dtype' | 'frombuffer' | 'scalar' | 'encode' | 'bytes';

class PyGlobal {
  constructor(readonly module: string, readonly name: string, readonly kind: GlobalKind) {}
}

const ALLOWED_GLOBALS: Record<string, GlobalKind> = {
  'numpy.core.multiarray._reconstruct': 'reconstruct',
  'numpy._core.multiarray._reconstruct': 'reconstruct',
  'numpy.ndarray': 'ndarray',
  'numpy.dtype': 'dtype',
  'numpy.core.numeric._frombuffer': 'frombuffer',
  'numpy._core.numeric._frombuffer': 'frombuffer',
  'numpy.core.multiarray.scalar': 'scalar',
  'numpy._core.multiarray.scalar': 'scalar',
  '_codecs.encode': 'encode',
  '__builtin__.bytes': 'bytes',
  'builtins.bytes': 'bytes',
};

class DType {
  kind: string;
  size: number;
  order: string;
  constructor(readonly descr: string) {
    const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
    this.order = m?.[1] || '|';
    this.kind = m?.[2] ?? '?';
    this.size = m !== null && m[3] !== '' ? Number(m[3]) : 0;
  }
  get isUint8(): boolean {
    return (this.kind === 'u' && this.size === 1) || this.descr === 'uint8' || this.descr === 'B';
  }
  get isInteger(): boolean {
    return (this.kind === 'u' || this.kind === 'i') && [1, 2, 4, 8].includes(this.size);
  }
  get name(): string {
    return this.descr;
  }
}

class NdArray {
  shape: number[] = [];
  dtype: DType | undefined;
  fortran = false;
  data: Uint8Array | undefined;
  /** object arrays keep their items as a list */
  objects: unknown[] | undefined;
}

const OPNAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4a: 'BININT',
  0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE',
  0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND',
  0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT', 0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET',
  0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT',
  0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2',
  0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME',
  0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

/** Thrown when reading past the end of the pickle. */
class Truncated extends Error {}

const utf8 = new TextDecoder('utf-8');

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** Python type name of an unpickled value, for messages. */
function pyType(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (v instanceof PyBytes) return 'bytes';
  if (v instanceof PyDict) return 'dict';
  if (Array.isArray(v)) return 'list';
  if (v instanceof NdArray) return `numpy array of dtype ${v.dtype?.name ?? '?'}`;
  if (v instanceof DType) return 'numpy dtype';
  if (v instanceof PyGlobal) return `${v.module}.${v.name}`;
  return 'object';
}

/** Reads integers from a numpy buffer of integer dtype. */
function readInts(dtype: DType, data: Uint8Array, count: number): number[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = dtype.order !== '>';
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const o = i * dtype.size;
    const signed = dtype.kind === 'i';
    switch (dtype.size) {
      case 1: out.push(signed ? view.getInt8(o) : view.getUint8(o)); break;
      case 2: out.push(signed ? view.getInt16(o, le) : view.getUint16(o, le)); break;
      case 4: out.push(signed ? view.getInt32(o, le) : view.getUint32(o, le)); break;
      default: out.push(Number(signed ? view.getBigInt64(o, le) : view.getBigUint64(o, le)));
    }
  }
  return out;
}

/**
 * Unpickles `buf` (named `file` in messages). Supports all opcodes of protocols 0..5 that build plain data; refuses
 * to call anything but the allowed globals.
 */
function unpickle(buf: Uint8Array, file: string): unknown {
  const corrupt = (why: string): never => {
    throw new UserError(`${file} is corrupt or not a CIFAR-10 batch: ${why}; ${REDOWNLOAD}`);
  };
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    throw new UserError(`${file} is gzip-compressed, not a pickle: extract the CIFAR-10 archive (tar xzf cifar-10-python.tar.gz) and point to the extracted ${CIFAR10_PY_FOLDER}/ folder`);
  }
  if (buf.length === 0 || OPNAMES[buf[0]] === undefined) {
    const head = [...buf.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new UserError(`${file} is not a Python pickle (${buf.length === 0 ? 'the file is empty' : `it starts with bytes ${head}`}); ${REDOWNLOAD}`);
  }

  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  let op = 0;
  let opPos = 0;
  const need = (n: number): number => {
    if (n > buf.length - pos) throw new Truncated();
    const p = pos;
    pos += n;
    return p;
  };
  const u8 = (): number => buf[need(1)];
  const u16 = (): number => view.getUint16(need(2), true);
  const i32 = (): number => view.getInt32(need(4), true);
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const p = need(8);
    const v = view.getBigUint64(p, true);
    if (v > BigInt(buf.length)) throw new Truncated();
    return Number(v);
  };
  const bytes = (n: number): Uint8Array => buf.subarray(need(n), pos);
  const line = (): string => {
    const end = buf.indexOf(0x0a, pos);
    if (end < 0) throw new Truncated();
    const s = latin1(buf.subarray(pos, end));
    pos = end + 1;
    return s;
  };

  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const pop = (): unknown => {
    if (stack.length === 0) corrupt(`${OPNAMES[op]} at byte ${opPos} finds an empty stack`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) corrupt(`${OPNAMES[op]} at byte ${opPos} finds an empty stack`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) corrupt(`${OPNAMES[op]} at byte ${opPos} has no matching MARK`);
    stack = prev as unknown[];
    return items;
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) corrupt(`${OPNAMES[op]} at byte ${opPos} refers to memo entry ${i}, which was never stored`);
    return memo.get(i);
  };
  const refuse = (module: string, name: string): never => {
    throw new UserError(
      `${file} refers to Python class ${module}.${name}, which a CIFAR-10 batch does not contain; the file is not loaded (code in pickles is never run): ${REDOWNLOAD}`,
    );
  };
  const global = (module: string, name: string): PyGlobal => {
    const kind = ALLOWED_GLOBALS[`${module}.${name}`];
    if (kind === undefined) refuse(module, name);
    return new PyGlobal(module, name, kind);
  };
  const unsupported = (what: string): never => {
    throw new UserError(`${file} uses ${what} (pickle opcode ${OPNAMES[op]} at byte ${opPos}), which a CIFAR-10 batch does not contain; ${REDOWNLOAD}`);
  };
  const asText = (v: unknown, what: string): string => {
    if (typeof v === 'string') return v;
    if (v instanceof PyBytes) return latin1(v.data);
    return corrupt(`${what} is a ${pyType(v)}, expected a string`);
  };
  const asInt = (v: unknown, what: string): number => {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
    return corrupt(`${what} is a ${pyType(v)}, expected an int`);
  };
  const asShape = (v: unknown): number[] => {
    if (typeof v === 'number') return [asInt(v, 'the array shape')];
    if (!Array.isArray(v)) return corrupt(`the array shape is a ${pyType(v)}, expected a tuple`);
    return v.map((d) => {
      const n = asInt(d, 'an array dimension');
      if (n < 0) corrupt(`negative array dimension ${n}`);
      return n;
    });
  };

  const call = (f: unknown, args: unknown): unknown => {
    if (!(f instanceof PyGlobal)) return corrupt(`REDUCE at byte ${opPos} calls a ${pyType(f)}`);
    if (!Array.isArray(args)) return corrupt(`REDUCE at byte ${opPos} gets a ${pyType(args)} as arguments`);
    switch (f.kind) {
      case 'reconstruct': {
        if (!(args[0] instanceof PyGlobal && args[0].kind === 'ndarray')) {
          return corrupt(`${f.module}._reconstruct builds a ${pyType(args[0])}, expected numpy.ndarray`);
        }
        return new NdArray();
      }
      case 'dtype':
        return new DType(asText(args[0], 'the numpy dtype'));
      case 'frombuffer': {
        // numpy >= 1.16, protocol 5: _frombuffer(buffer, dtype, shape, order)
        const [b, dt, shape, order] = args;
        if (!(b instanceof PyBytes)) return corrupt(`${f.module}._frombuffer gets a ${pyType(b)}, expected a buffer`);
        if (!(dt instanceof DType)) return corrupt(`${f.module}._frombuffer gets a ${pyType(dt)}, expected a dtype`);
        const a = new NdArray();
        a.data = b.data;
        a.dtype = dt;
        a.shape = asShape(shape);
        a.fortran = asText(order ?? 'C', 'the array order') === 'F';
        return a;
      }
      case 'scalar': {
        // numpy scalar: scalar(dtype, raw bytes)
        const [dt, raw] = args;
        if (!(dt instanceof DType) || !dt.isInteger) return corrupt(`a numpy scalar of ${pyType(dt)} ${dt instanceof DType ? dt.name : ''}, expected an integer`);
        const data = raw instanceof PyBytes ? raw.data : typeof raw === 'string' ? Buffer.from(raw, 'latin1') : undefined;
        if (data === undefined || data.length !== dt.size) return corrupt('malformed numpy scalar');
        return readInts(dt, data, 1)[0];
      }
      case 'encode': {
        // Python 3 writes bytes with protocol < 3 as _codecs.encode(text, 'latin1')
        const [text, enc] = args;
        const encoding = enc === undefined ? 'utf-8' : asText(enc, 'the encoding').toLowerCase().replace('_', '-');
        if (typeof text !== 'string') return corrupt(`_codecs.encode gets a ${pyType(text)}`);
        if (encoding === 'latin1' || encoding === 'latin-1' || encoding === 'iso-8859-1') {
          for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) corrupt('_codecs.encode gets text that is not latin-1');
          return new PyBytes(Buffer.from(text, 'latin1'));
        }
        if (encoding === 'utf-8' || encoding === 'utf8') return new PyBytes(Buffer.from(text, 'utf8'));
        return corrupt(`_codecs.encode with encoding '${encoding}'`);
      }
      case 'bytes':
        if (args.length === 0) return new PyBytes(new Uint8Array(0));
        if (args[0] instanceof PyBytes) return args[0];
        return corrupt(`${f.module}.bytes called with a ${pyType(args[0])}`);
      case 'ndarray':
        return corrupt('numpy.ndarray called directly');
    }
  };

  const build = (obj: unknown, state: unknown): void => {
    if (obj instanceof NdArray) {
      // ndarray.__setstate__((version, shape, dtype, is_fortran, rawdata)) or the 4-tuple without version
      if (!Array.isArray(state) || (state.length !== 5 && state.length !== 4)) corrupt('malformed numpy array state');
      const s = state as unknown[];
      const [shape, dt, fortran, raw] = s.length === 5 ? s.slice(1) : s;
      if (!(dt instanceof DType)) return void corrupt(`numpy array state holds a ${pyType(dt)} as dtype`);
      obj.shape = asShape(shape);
      obj.dtype = dt;
      obj.fortran = asInt(fortran, 'is_fortran') !== 0;
      if (raw instanceof PyBytes) obj.data = raw.data;
      else if (typeof raw === 'string') obj.data = Buffer.from(raw, 'latin1'); // Python 2 pickle loaded as unicode
      else if (Array.isArray(raw)) obj.objects = raw;
      else corrupt(`numpy array state holds a ${pyType(raw)} as data`);
      return;
    }
    if (obj instanceof DType) {
      // dtype.__setstate__((version, byteorder, subarray, names, fields, elsize, alignment, flags))
      if (Array.isArray(state) && state.length >= 2 && (typeof state[1] === 'string' || state[1] instanceof PyBytes)) {
        const order = asText(state[1], 'the byte order');
        if (order !== '') obj.order = order;
        return;
      }
      return void corrupt('malformed numpy dtype state');
    }
    corrupt(`BUILD at byte ${opPos} sets the state of a ${pyType(obj)}`);
  };

  /** Decodes a protocol-0 STRING argument: a Python repr in quotes. */
  const reprString = (s: string): PyBytes => {
    if (s.length < 2 || s[0] !== s[s.length - 1] || (s[0] !== "'" && s[0] !== '"')) corrupt(`malformed STRING at byte ${opPos}`);
    const body = s.slice(1, -1);
    const out: number[] = [];
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11, '0': 0 };
    for (let i = 0; i < body.length; i++) {
      const c = body[i];
      if (c !== '\\') {
        out.push(c.charCodeAt(0) & 0xff);
        continue;
      }
      const e = body[++i];
      if (e === 'x') {
        out.push(parseInt(body.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (e >= '0' && e <= '7') {
        let j = i;
        while (j < i + 3 && body[j] >= '0' && body[j] <= '7') j++;
        out.push(parseInt(body.slice(i, j), 8) & 0xff);
        i = j - 1;
      } else if (simple[e] !== undefined) out.push(simple[e]);
      else out.push(92, e.charCodeAt(0));
    }
    return new PyBytes(Uint8Array.from(out));
  };
  /** Decodes a protocol-0 UNICODE argument (raw-unicode-escape). */
  const rawUnicode = (s: string): string =>
    s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a: string, b: string) => String.fromCodePoint(parseInt(a ?? b, 16)));
  const textInt = (s: string): number | bigint => {
    const t = s.trim().replace(/L$/, '');
    if (!/^[+-]?\d+$/.test(t)) corrupt(`malformed number '${s}' at byte ${opPos}`);
    const b = BigInt(t);
    return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
  };
  const longBytes = (b: Uint8Array): number | bigint => {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b.length > 0 && b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };

  try {
    for (;;) {
      opPos = pos;
      op = u8();
      switch (op) {
        case 0x80: { // PROTO
          const v = u8();
          if (v > 5) throw new UserError(`${file} is a pickle of protocol ${v}, newer than this reader knows (0..5); write it with protocol 5 or lower, or ${REDOWNLOAD}`);
          break;
        }
        case 0x95: need(8); break; // FRAME: framing is transparent
        case 0x2e: { // STOP
          const v = pop();
          return v;
        }
        case 0x28: metastack.push(stack); stack = []; break; // MARK
        case 0x30: pop(); break; // POP
        case 0x31: popMark(); break; // POP_MARK
        case 0x32: stack.push(top()); break; // DUP

        case 0x70: memo.set(Number(textInt(line())), top()); break; // PUT
        case 0x71: memo.set(u8(), top()); break; // BINPUT
        case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
        case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
        case 0x67: stack.push(memoGet(Number(textInt(line())))); break; // GET
        case 0x68: stack.push(memoGet(u8())); break; // BINGET
        case 0x6a: stack.push(memoGet(u32())); break; // LONG_BINGET

        case 0x4e: stack.push(null); break; // NONE
        case 0x88: stack.push(true); break; // NEWTRUE
        case 0x89: stack.push(false); break; // NEWFALSE
        case 0x49: { // INT
          const s = line();
          stack.push(s === '01' ? true : s === '00' ? false : textInt(s));
          break;
        }
        case 0x4c: stack.push(textInt(line())); break; // LONG
        case 0x46: stack.push(parseFloat(line())); break; // FLOAT
        case 0x47: stack.push(view.getFloat64(need(8), false)); break; // BINFLOAT
        case 0x4a: stack.push(i32()); break; // BININT
        case 0x4b: stack.push(u8()); break; // BININT1
        case 0x4d: stack.push(u16()); break; // BININT2
        case 0x8a: stack.push(longBytes(bytes(u8()))); break; // LONG1
        case 0x8b: { // LONG4
          const n = i32();
          if (n < 0) corrupt(`negative length at byte ${opPos}`);
          stack.push(longBytes(bytes(n)));
          break;
        }

        case 0x53: stack.push(reprString(line())); break; // STRING
        case 0x54: { // BINSTRING
          const n = i32();
          if (n < 0) corrupt(`negative length at byte ${opPos}`);
          stack.push(new PyBytes(bytes(n)));
          break;
        }
        case 0x55: stack.push(new PyBytes(bytes(u8()))); break; // SHORT_BINSTRING
        case 0x42: stack.push(new PyBytes(bytes(u32()))); break; // BINBYTES
        case 0x43: stack.push(new PyBytes(bytes(u8()))); break; // SHORT_BINBYTES
        case 0x8e: stack.push(new PyBytes(bytes(u64()))); break; // BINBYTES8
        case 0x96: stack.push(new PyBytes(bytes(u64()))); break; // BYTEARRAY8
        case 0x56: stack.push(rawUnicode(line())); break; // UNICODE
        case 0x58: stack.push(utf8.decode(bytes(u32()))); break; // BINUNICODE
        case 0x8c: stack.push(utf8.decode(bytes(u8()))); break; // SHORT_BINUNICODE
        case 0x8d: stack.push(utf8.decode(bytes(u64()))); break; // BINUNICODE8
        case 0x97: // NEXT_BUFFER
          throw new UserError(`${file} keeps its data in out-of-band buffers (pickle protocol 5 with buffer_callback), which are not in the file; write it without buffer_callback, or ${REDOWNLOAD}`);
        case 0x98: break; // READONLY_BUFFER

        case 0x29: stack.push([]); break; // EMPTY_TUPLE
        case 0x74: case 0x6c: { // TUPLE, LIST
          const items = popMark();
          stack.push(items);
          break;
        }
        case 0x85: stack.push([pop()]); break; // TUPLE1
        case 0x86: { // TUPLE2
          const b = pop();
          const a = pop();
          stack.push([a, b]);
          break;
        }
        case 0x87: { // TUPLE3
          const c = pop();
          const b = pop();
          const a = pop();
          stack.push([a, b, c]);
          break;
        }
        case 0x5d: stack.push([]); break; // EMPTY_LIST
        case 0x61: { // APPEND
          const v = pop();
          const list = top();
          if (!Array.isArray(list)) corrupt(`APPEND at byte ${opPos} appends to a ${pyType(list)}`);
          (list as unknown[]).push(v);
          break;
        }
        case 0x65: { // APPENDS
          const items = popMark();
          const list = top();
          if (!Array.isArray(list)) corrupt(`APPENDS at byte ${opPos} appends to a ${pyType(list)}`);
          for (const it of items) (list as unknown[]).push(it);
          break;
        }
        case 0x7d: stack.push(new PyDict()); break; // EMPTY_DICT
        case 0x64: { // DICT
          const items = popMark();
          const d = new PyDict();
          for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]);
          stack.push(d);
          break;
        }
        case 0x73: { // SETITEM
          const v = pop();
          const k = pop();
          const d = top();
          if (!(d instanceof PyDict)) corrupt(`SETITEM at byte ${opPos} sets an item of a ${pyType(d)}`);
          (d as PyDict).set(k, v);
          break;
        }
        case 0x75: { // SETITEMS
          const items = popMark();
          const d = top();
          if (!(d instanceof PyDict)) corrupt(`SETITEMS at byte ${opPos} sets items of a ${pyType(d)}`);
          for (let i = 0; i + 1 < items.length; i += 2) (d as PyDict).set(items[i], items[i + 1]);
          break;
        }
        case 0x8f: stack.push([]); break; // EMPTY_SET
        case 0x91: stack.push(popMark()); break; // FROZENSET
        case 0x90: { // ADDITEMS
          const items = popMark();
          const s = top();
          if (!Array.isArray(s)) corrupt(`ADDITEMS at byte ${opPos} adds to a ${pyType(s)}`);
          for (const it of items) (s as unknown[]).push(it);
          break;
        }

        case 0x63: { // GLOBAL
          const module = line();
          const name = line();
          stack.push(global(module, name));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = pop();
          const module = pop();
          if (typeof name !== 'string' || typeof module !== 'string') corrupt(`STACK_GLOBAL at byte ${opPos} gets a ${pyType(module)} and a ${pyType(name)}`);
          stack.push(global(module as string, name as string));
          break;
        }
        case 0x69: refuse(line(), line()); break; // INST
        case 0x52: { // REDUCE
          const args = pop();
          const f = pop();
          stack.push(call(f, args));
          break;
        }
        case 0x62: { // BUILD
          const state = pop();
          build(top(), state);
          break;
        }
        case 0x6f: case 0x81: case 0x92: // OBJ, NEWOBJ, NEWOBJ_EX
          unsupported('Python object construction');
          break;
        case 0x50: case 0x51: // PERSID, BINPERSID
          unsupported('persistent ids');
          break;
        case 0x82: case 0x83: case 0x84: // EXT1, EXT2, EXT4
          unsupported('the extension registry');
          break;
        default:
          corrupt(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${opPos}`);
      }
    }
  } catch (e) {
    if (e instanceof Truncated) {
      throw new UserError(
        pos >= buf.length && opPos >= buf.length
          ? `${file} is truncated: the pickle ends at byte ${buf.length} before its STOP opcode; ${REDOWNLOAD}`
          : `${file} is truncated: the pickle ends at byte ${buf.length}, inside the ${OPNAMES[op] ?? 'opcode'} at byte ${opPos}; ${REDOWNLOAD}`,
      );
    }
    throw e;
  }
}

/** One batch as stored: n images of 3072 bytes each in CIFAR's planar order (R plane, G plane, B plane). */
interface RawBatch {
  planar: Uint8Array;
  labels: Uint8Array;
  n: number;
}

function checkLabels(labels: ArrayLike<number>, file: string, notA: string): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    check(
      Number.isInteger(y) && y >= 0 && y < CIFAR10_CLASSES,
      `${file} ${notA}: label ${y} at index ${i} is out of range 0..${CIFAR10_CLASSES - 1}; ${REDOWNLOAD}`,
    );
    out[i] = y;
  }
  return out;
}

/** Reads a python CIFAR-10 batch (a pickled dict with 'data' and 'labels'). */
export function readCifar10PythonBatch(path: string): RawBatch {
  const value = unpickle(readWholeFile(path, 'CIFAR-10 batch'), path);
  const notA = 'is not a CIFAR-10 batch';
  if (!(value instanceof PyDict)) {
    throw new UserError(`${path} ${notA}: the pickle holds a ${pyType(value)}, expected a dict with 'data' and 'labels'; ${REDOWNLOAD}`);
  }
  for (const key of ['data', 'labels']) {
    check(value.has(key), `${path} ${notA}: no '${key}' entry (it has ${value.keyList() || 'no entries'}); ${REDOWNLOAD}`);
  }

  const data = value.get('data');
  if (!(data instanceof NdArray) || (data.data === undefined && data.objects === undefined)) {
    throw new UserError(`${path} ${notA}: 'data' is a ${pyType(data)}, expected a numpy uint8 array of N x ${CIFAR10_IMAGE_BYTES}; ${REDOWNLOAD}`);
  }
  check(
    data.dtype !== undefined && data.dtype.isUint8 && data.data !== undefined,
    `${path} ${notA}: 'data' is a numpy array of dtype ${data.dtype?.name ?? '?'}, expected uint8 (u1); ${REDOWNLOAD}`,
  );
  const shape = data.shape;
  const shapeText = shape.join('x');
  const total = shape.reduce((a, b) => a * b, 1);
  const rowShape = shape.slice(1).join('x');
  check(
    (shape.length === 1 && total % CIFAR10_IMAGE_BYTES === 0) ||
      (shape.length >= 2 && (rowShape === String(CIFAR10_IMAGE_BYTES) || rowShape === `${CIFAR10_CHANNELS}x${CIFAR10_SIDE}x${CIFAR10_SIDE}`)),
    `${path} ${notA}: 'data' has shape ${shapeText}, expected N x ${CIFAR10_IMAGE_BYTES} (N images of 3 x 32 x 32); ${REDOWNLOAD}`,
  );
  let raw = data.data as Uint8Array;
  check(
    raw.length === total,
    `${path} is truncated or corrupt: 'data' holds ${raw.length} bytes but its shape ${shapeText} needs ${total}; ${REDOWNLOAD}`,
  );
  const n = total / CIFAR10_IMAGE_BYTES;
  if (data.fortran && shape.length > 1) {
    check(shape.length === 2, `${path}: 'data' is a Fortran-ordered ${shapeText} array, which is not supported; store it C-contiguous (numpy.ascontiguousarray)`);
    const t = new Uint8Array(total);
    for (let j = 0; j < CIFAR10_IMAGE_BYTES; j++) for (let i = 0; i < n; i++) t[i * CIFAR10_IMAGE_BYTES + j] = raw[j * n + i];
    raw = t;
  }

  const lab = value.get('labels');
  let labels: number[];
  if (Array.isArray(lab)) {
    labels = lab.map((y, i) => {
      if (typeof y === 'number' || typeof y === 'boolean') return Number(y);
      throw new UserError(`${path} ${notA}: label ${i} is a ${pyType(y)}, expected an int; ${REDOWNLOAD}`);
    });
  } else if (lab instanceof NdArray && lab.dtype?.isInteger && lab.data !== undefined && lab.shape.length === 1 && lab.data.length === lab.shape[0] * lab.dtype.size) {
    labels = readInts(lab.dtype, lab.data, lab.shape[0]);
  } else {
    throw new UserError(`${path} ${notA}: 'labels' is a ${pyType(lab)}, expected a list of ints; ${REDOWNLOAD}`);
  }
  check(
    labels.length === n,
    `${path} ${notA}: it has ${n} images but ${labels.length} labels; ${REDOWNLOAD}`,
  );
  return { planar: raw, labels: checkLabels(labels, path, notA), n };
}

/** Reads a binary CIFAR-10 batch: records of 1 label byte + 3072 pixel bytes. */
export function readCifar10BinaryBatch(path: string): RawBatch {
  const buf = readWholeFile(path, 'CIFAR-10 binary batch');
  const rec = CIFAR10_IMAGE_BYTES + 1;
  check(buf.length > 0, `${path} is empty; ${REDOWNLOAD}`);
  check(
    buf.length % rec === 0,
    `${path} is truncated or not a CIFAR-10 binary batch: its size ${buf.length} bytes is not a multiple of ${rec} (1 label byte + ${CIFAR10_IMAGE_BYTES} pixel bytes per image); ${REDOWNLOAD}`,
  );
  const n = buf.length / rec;
  const planar = new Uint8Array(n * CIFAR10_IMAGE_BYTES);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = buf[i * rec];
    planar.set(buf.subarray(i * rec + 1, (i + 1) * rec), i * CIFAR10_IMAGE_BYTES);
  }
  return { planar, labels: checkLabels(labels, path, 'is not a CIFAR-10 binary batch'), n };
}

/** Class names from batches.meta (python) or batches.meta.txt (binary). */
export function readCifar10ClassNames(path: string, format: Cifar10Format): string[] {
  let names: string[];
  if (format === 'binary') {
    const text = Buffer.from(readWholeFile(path, 'CIFAR-10 class names')).toString('utf8');
    names = text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
  } else {
    const value = unpickle(readWholeFile(path, 'CIFAR-10 metadata'), path);
    const notA = 'is not CIFAR-10 metadata';
    if (!(value instanceof PyDict) || !value.has('label_names')) {
      throw new UserError(`${path} ${notA}: expected a dict with 'label_names', found ${value instanceof PyDict ? `a dict with ${value.keyList() || 'no entries'}` : `a ${pyType(value)}`}; ${REDOWNLOAD} or delete it to use the standard class names`);
    }
    const list = value.get('label_names');
    if (!Array.isArray(list)) throw new UserError(`${path} ${notA}: 'label_names' is a ${pyType(list)}, expected a list of strings; ${REDOWNLOAD}`);
    names = list.map((s, i) => {
      if (typeof s === 'string') return s;
      if (s instanceof PyBytes) return utf8.decode(s.data);
      throw new UserError(`${path} ${notA}: label name ${i} is a ${pyType(s)}, expected a string; ${REDOWNLOAD}`);
    });
  }
  check(
    names.length === CIFAR10_CLASSES,
    `${path} lists ${names.length} class names, expected ${CIFAR10_CLASSES}; ${REDOWNLOAD} or delete it to use the standard class names`,
  );
  return names;
}

/** Converts n planar CIFAR images (R plane, G plane, B plane) to channels last (R, G, B per pixel), into `out` at image `at`. */
export function planarToHwc(planar: Uint8Array, n: number, out: Uint8Array, at = 0): void {
  for (let i = 0; i < n; i++) {
    const src = i * CIFAR10_IMAGE_BYTES;
    let dst = (at + i) * CIFAR10_IMAGE_BYTES;
    for (let p = 0; p < CIFAR10_PLANE; p++) {
      out[dst++] = planar[src + p];
      out[dst++] = planar[src + CIFAR10_PLANE + p];
      out[dst++] = planar[src + 2 * CIFAR10_PLANE + p];
    }
  }
}

function joinBatches(batches: RawBatch[]): Cifar10Split {
  const n = batches.reduce((a, b) => a + b.n, 0);
  const images = new Uint8Array(n * CIFAR10_IMAGE_BYTES);
  const labels = new Uint8Array(n);
  let at = 0;
  for (const b of batches) {
    planarToHwc(b.planar, b.n, images, at);
    labels.set(b.labels, at);
    at += b.n;
  }
  return { images, labels, n };
}

/** Locates and reads the CIFAR-10 train and test splits; images channels last (HWC), uint8. */
export function loadCifar10(dataDir: string): Cifar10Data {
  const loc = locateCifar10(dataDir);
  const read = loc.format === 'python' ? readCifar10PythonBatch : readCifar10BinaryBatch;
  const classNames = loc.metaFile !== undefined ? readCifar10ClassNames(loc.metaFile, loc.format) : [...CIFAR10_CLASS_NAMES];
  const train = joinBatches(loc.trainFiles.map(read));
  const test = joinBatches([read(loc.testFile)]);
  return { source: loc.source, classNames, train, test };
}
