/**
 * A reader of Python pickles that hold plain data and numpy arrays (CIFAR-10's python batches), which never runs
 * code: an interpreter of the pickle opcodes of protocols 0..5 that builds plain values, and understands only the
 * few Python globals such data refers to (numpy's array reconstruction, numpy.dtype, _codecs.encode for bytes
 * written by Python 3 with protocol 2); any other class makes the file be rejected.
 *
 * Untrusted files cost at most linear time and memory in their size: integers are limited to 64 bits (a pickled
 * 200 KB integer would take minutes to convert), containers to MAX_NESTING levels, dictionary keys to one scalar
 * (text, bytes, a number) of at most MAX_KEY_BYTES, and the bytes that conversions copy (text ↔ bytes) to a few
 * times the file size. Nothing walks a value's contents recursively, so shared references (memo GETs, which make
 * a small file describe an exponentially large tree) never multiply the work.
 */
import { UserError } from '../util/errors.js';

/** the deepest nesting of containers (lists, tuples, dicts, sets) and of MARKs a pickle may have */
export const MAX_NESTING = 64;
/** the longest dictionary key, in bytes or characters */
export const MAX_KEY_BYTES = 1024;
/** the largest integer, in bytes (LONG1 / LONG4) or decimal digits (INT / LONG) */
const MAX_INT_BYTES = 8;
const MAX_INT_DIGITS = 20;

export interface UnpickleOptions {
  /** what the file should be, for messages: 'a CIFAR-10 batch' */
  kind: string;
  /** the fix every message ends with: 're-download the CIFAR-10 files' */
  fix: string;
  /** what to do with a gzip-compressed file */
  gzipHint: string;
}


/** Python 2 `str` / Python 3 `bytes` / `bytearray`. */
export class PyBytes {
  constructor(readonly data: Uint8Array) {}
}

export class PyDict {
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

export class DType {
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

export class NdArray {
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
export function pyType(v: unknown): string {
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

/** `a list`, `an int`: the Python type of a value with its article, for messages. */
export function aPyType(v: unknown): string {
  const t = pyType(v);
  return t === 'None' ? 'None' : `${/^[aeiou]/i.test(t) ? 'an' : 'a'} ${t}`;
}

/** Whether a dictionary key is one scalar value (text, bytes, number, bool, None): what PyDict.keyOf turns into text. */
function isScalarKey(k: unknown): boolean {
  return k === null || k === undefined || typeof k === 'string' || typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean' || k instanceof PyBytes;
}

/** Reads integers from a numpy buffer of integer dtype. */
export function readInts(dtype: DType, data: Uint8Array, count: number): number[] {
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
export function unpickle(buf: Uint8Array, file: string, o: UnpickleOptions): unknown {
  const { fix } = o;
  const corrupt = (why: string): never => {
    throw new UserError(`${file} is corrupt or not ${o.kind}: ${why}; ${fix}`);
  };
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    throw new UserError(`${file} is gzip-compressed, not a pickle: ${o.gzipHint}`);
  }
  if (buf.length === 0 || OPNAMES[buf[0]] === undefined) {
    const head = [...buf.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new UserError(`${file} is not a Python pickle (${buf.length === 0 ? 'the file is empty' : `it starts with bytes ${head}`}); ${fix}`);
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
  // limits (see the module comment): conversions are charged to a budget of a few times the file size, and the
  // nesting depth of each container is recorded as it is built
  let budget = 4 * buf.length + (1 << 20);
  const charge = (n: number): void => {
    budget -= n;
    if (budget < 0) corrupt(`it converts more data than it holds (the same value converted over and over, at byte ${opPos})`);
  };
  const depth = new WeakMap<object, number>();
  const depthOf = (v: unknown): number => {
    if (typeof v !== 'object' || v === null) return 0;
    return depth.get(v) ?? (Array.isArray(v) || v instanceof PyDict ? 1 : 0); // an empty container is one level
  };
  const nest = <T extends object>(container: T, items: Iterable<unknown>): T => {
    let d = depth.get(container) ?? 1;
    for (const it of items) d = Math.max(d, depthOf(it) + 1);
    if (d > MAX_NESTING) corrupt(`containers nested more than ${MAX_NESTING} levels deep (at byte ${opPos})`);
    depth.set(container, d);
    return container;
  };
  const dictSet = (d: PyDict, k: unknown, v: unknown): void => {
    // a key is one scalar: a list, tuple, dict or array key would be expanded into text, and one built of shared
    // references (memo GETs) doubles with every level, exponential work for a small file
    if (!isScalarKey(k)) corrupt(`a dictionary key that is ${aPyType(k)} at byte ${opPos}: keys must be strings, bytes or numbers`);
    const size = k instanceof PyBytes ? k.data.length : typeof k === 'string' ? k.length : 0;
    if (size > MAX_KEY_BYTES) corrupt(`a dictionary key of ${size} bytes at byte ${opPos}, longer than ${MAX_KEY_BYTES}`);
    charge(size);
    d.set(k, v);
    nest(d, [v]);
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) corrupt(`${OPNAMES[op]} at byte ${opPos} refers to memo entry ${i}, which was never stored`);
    return memo.get(i);
  };
  const refuse = (module: string, name: string): never => {
    throw new UserError(
      `${file} refers to Python class ${module}.${name}, which ${o.kind} does not contain; the file is not loaded (code in pickles is never run): ${fix}`,
    );
  };
  const global = (module: string, name: string): PyGlobal => {
    const kind = ALLOWED_GLOBALS[`${module}.${name}`];
    if (kind === undefined) refuse(module, name);
    return new PyGlobal(module, name, kind);
  };
  const unsupported = (what: string): never => {
    throw new UserError(`${file} uses ${what} (pickle opcode ${OPNAMES[op]} at byte ${opPos}), which ${o.kind} does not contain; ${fix}`);
  };
  const asText = (v: unknown, what: string): string => {
    if (typeof v === 'string') return v;
    if (v instanceof PyBytes) {
      charge(v.data.length);
      return latin1(v.data);
    }
    return corrupt(`${what} is ${aPyType(v)}, expected a string`);
  };
  const asInt = (v: unknown, what: string): number => {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
    if (typeof v === 'bigint') return corrupt(`${what} ${v} is out of range (at most ${Number.MAX_SAFE_INTEGER} in size)`);
    return corrupt(`${what} is ${aPyType(v)}, expected an int`);
  };
  const asShape = (v: unknown): number[] => {
    if (typeof v === 'number') return [asInt(v, 'the array shape')];
    if (!Array.isArray(v)) return corrupt(`the array shape is ${aPyType(v)}, expected a tuple`);
    return v.map((d) => {
      const n = asInt(d, 'an array dimension');
      if (n < 0) corrupt(`negative array dimension ${n}`);
      return n;
    });
  };

  const call = (f: unknown, args: unknown): unknown => {
    if (!(f instanceof PyGlobal)) return corrupt(`REDUCE at byte ${opPos} calls ${aPyType(f)}`);
    if (!Array.isArray(args)) return corrupt(`REDUCE at byte ${opPos} gets ${aPyType(args)} as arguments`);
    switch (f.kind) {
      case 'reconstruct': {
        if (!(args[0] instanceof PyGlobal && args[0].kind === 'ndarray')) {
          return corrupt(`${f.module}._reconstruct builds ${aPyType(args[0])}, expected numpy.ndarray`);
        }
        return new NdArray();
      }
      case 'dtype':
        return new DType(asText(args[0], 'the numpy dtype'));
      case 'frombuffer': {
        // numpy >= 1.16, protocol 5: _frombuffer(buffer, dtype, shape, order)
        const [b, dt, shape, order] = args;
        if (!(b instanceof PyBytes)) return corrupt(`${f.module}._frombuffer gets ${aPyType(b)}, expected a buffer`);
        if (!(dt instanceof DType)) return corrupt(`${f.module}._frombuffer gets ${aPyType(dt)}, expected a dtype`);
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
        if (typeof raw === 'string') charge(raw.length);
        const data = raw instanceof PyBytes ? raw.data : typeof raw === 'string' ? Buffer.from(raw, 'latin1') : undefined;
        if (data === undefined || data.length !== dt.size) return corrupt('malformed numpy scalar');
        return readInts(dt, data, 1)[0];
      }
      case 'encode': {
        // Python 3 writes bytes with protocol < 3 as _codecs.encode(text, 'latin1')
        const [text, enc] = args;
        const encoding = enc === undefined ? 'utf-8' : asText(enc, 'the encoding').toLowerCase().replace('_', '-');
        if (typeof text !== 'string') return corrupt(`_codecs.encode gets ${aPyType(text)}`);
        charge(3 * text.length);
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
        return corrupt(`${f.module}.bytes called with ${aPyType(args[0])}`);
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
      if (!(dt instanceof DType)) return void corrupt(`numpy array state holds ${aPyType(dt)} as dtype`);
      obj.shape = asShape(shape);
      obj.dtype = dt;
      obj.fortran = asInt(fortran, 'is_fortran') !== 0;
      if (raw instanceof PyBytes) obj.data = raw.data;
      else if (typeof raw === 'string') { charge(raw.length); obj.data = Buffer.from(raw, 'latin1'); } // Python 2 pickle loaded as unicode
      else if (Array.isArray(raw)) obj.objects = raw;
      else corrupt(`numpy array state holds ${aPyType(raw)} as data`);
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
    corrupt(`BUILD at byte ${opPos} sets the state of ${aPyType(obj)}`);
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
    if (t.length > MAX_INT_DIGITS + 1) corrupt(`an integer of ${t.length} digits at byte ${opPos}, longer than 64 bits`);
    if (!/^[+-]?\d+$/.test(t)) corrupt(`malformed number '${s}' at byte ${opPos}`);
    const b = BigInt(t);
    return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
  };
  const longBytes = (b: Uint8Array): number | bigint => {
    if (b.length > MAX_INT_BYTES) corrupt(`an integer of ${b.length} bytes at byte ${opPos}, longer than 64 bits`);
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
          if (v > 5) throw new UserError(`${file} is a pickle of protocol ${v}, newer than this reader knows (0..5); write it with protocol 5 or lower, or ${fix}`);
          break;
        }
        case 0x95: need(8); break; // FRAME: framing is transparent
        case 0x2e: { // STOP
          const v = pop();
          return v;
        }
        case 0x28: // MARK
          if (metastack.length >= MAX_NESTING) corrupt(`MARKs nested more than ${MAX_NESTING} levels deep (at byte ${opPos})`);
          metastack.push(stack);
          stack = [];
          break;
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
          throw new UserError(`${file} keeps its data in out-of-band buffers (pickle protocol 5 with buffer_callback), which are not in the file; write it without buffer_callback, or ${fix}`);
        case 0x98: break; // READONLY_BUFFER

        case 0x29: stack.push([]); break; // EMPTY_TUPLE
        case 0x74: case 0x6c: { // TUPLE, LIST
          const items = popMark();
          stack.push(nest(items, items));
          break;
        }
        case 0x85: { // TUPLE1
          const a = [pop()];
          stack.push(nest(a, a));
          break;
        }
        case 0x86: { // TUPLE2
          const b = pop();
          const a = pop();
          stack.push(nest([a, b], [a, b]));
          break;
        }
        case 0x87: { // TUPLE3
          const c = pop();
          const b = pop();
          const a = pop();
          stack.push(nest([a, b, c], [a, b, c]));
          break;
        }
        case 0x5d: stack.push([]); break; // EMPTY_LIST
        case 0x61: { // APPEND
          const v = pop();
          const list = top();
          if (!Array.isArray(list)) corrupt(`APPEND at byte ${opPos} appends to ${aPyType(list)}`);
          (list as unknown[]).push(v);
          nest(list as unknown[], [v]);
          break;
        }
        case 0x65: { // APPENDS
          const items = popMark();
          const list = top();
          if (!Array.isArray(list)) corrupt(`APPENDS at byte ${opPos} appends to ${aPyType(list)}`);
          for (const it of items) (list as unknown[]).push(it);
          nest(list as unknown[], items);
          break;
        }
        case 0x7d: stack.push(new PyDict()); break; // EMPTY_DICT
        case 0x64: { // DICT
          const items = popMark();
          const d = new PyDict();
          for (let i = 0; i + 1 < items.length; i += 2) dictSet(d, items[i], items[i + 1]);
          stack.push(d);
          break;
        }
        case 0x73: { // SETITEM
          const v = pop();
          const k = pop();
          const d = top();
          if (!(d instanceof PyDict)) corrupt(`SETITEM at byte ${opPos} sets an item of ${aPyType(d)}`);
          dictSet(d as PyDict, k, v);
          break;
        }
        case 0x75: { // SETITEMS
          const items = popMark();
          const d = top();
          if (!(d instanceof PyDict)) corrupt(`SETITEMS at byte ${opPos} sets items of ${aPyType(d)}`);
          for (let i = 0; i + 1 < items.length; i += 2) dictSet(d as PyDict, items[i], items[i + 1]);
          break;
        }
        case 0x8f: stack.push([]); break; // EMPTY_SET
        case 0x91: { // FROZENSET
          const items = popMark();
          stack.push(nest(items, items));
          break;
        }
        case 0x90: { // ADDITEMS
          const items = popMark();
          const s = top();
          if (!Array.isArray(s)) corrupt(`ADDITEMS at byte ${opPos} adds to ${aPyType(s)}`);
          for (const it of items) (s as unknown[]).push(it);
          nest(s as unknown[], items);
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
          if (typeof name !== 'string' || typeof module !== 'string') corrupt(`STACK_GLOBAL at byte ${opPos} gets ${aPyType(module)} and ${aPyType(name)}`);
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
          ? `${file} is truncated: the pickle ends at byte ${buf.length} before its STOP opcode; ${fix}`
          : `${file} is truncated: the pickle ends at byte ${buf.length}, inside the ${OPNAMES[op] ?? 'opcode'} at byte ${opPos}; ${fix}`,
      );
    }
    throw e;
  }
}

