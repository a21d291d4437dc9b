/**
 * Small file-system helpers shared by the readers. Every file a command reads from a path it was given goes through
 * `readRegular` (or `readWholeFile`, its one-line-error form): only regular files are read, their size known before
 * the first byte, so a FIFO, a device (a link to /dev/zero or /dev/urandom) or a socket can neither hang a command
 * nor make it read without end.
 */
import fs from 'node:fs';
import { UserError } from './errors.js';

/** Whether `p` is a file (links followed); false when it is missing or cannot be checked. */
export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Whether `p` is a folder (links followed); false when it is missing or cannot be checked. */
export function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * What stands at `p` when it exists but is not a regular file (links followed): 'a folder', 'a FIFO (named pipe)',
 * 'a character device', ...; undefined when `p` is a regular file or missing. For the dataset locators, which say so
 * instead of treating the path as missing or reading it.
 */
export function notAFile(p: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    // a link to nowhere is missing; a path that cannot be checked is left to the reader's own error
    return undefined;
  }
  return st.isFile() ? undefined : fileKind(st);
}

/** The largest file any reader takes (1 GiB of IDX data and its header; Node's buffers end near 2 GiB). */
export const MAX_READ_BYTES = 1024 ** 3 + 64;

/** What a path that is not a regular file is, in words: 'a FIFO', 'a character device', ... */
export function fileKind(st: fs.Stats): string {
  return st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO (named pipe)' : st.isCharacterDevice() ? 'a character device'
    : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
}

/**
 * A read that failed because of what the path is, not because of the file system: not a regular file, or larger
 * than the reader takes. `message` says so in words ("is a FIFO (named pipe), not a regular file").
 */
export class NotReadable extends Error {
  constructor(message: string, readonly why: 'special' | 'size') {
    super(message);
    this.name = 'NotReadable';
  }
}

/**
 * The content of the regular file `file` (links followed), at most `maxBytes`. Opened without blocking (a FIFO's
 * open would wait for a writer), checked on the open descriptor (no race with a file swapped in), then exactly the
 * size fstat reports is read: a file that grows meanwhile is read no further. Throws the file system's error
 * (ENOENT, EISDIR, EACCES, ...) or a NotReadable.
 */
export function readRegular(file: string, maxBytes = MAX_READ_BYTES): Buffer {
  const { fd, size } = openRegular(file, maxBytes);
  try {
    const buf = Buffer.allocUnsafeSlow(size); // its own memory: readers view buf.buffer
    let got = 0;
    while (got < size) {
      const n = fs.readSync(fd, buf, got, size - got, got);
      if (n === 0) break; // shrank meanwhile
      got += n;
    }
    return got === size ? buf : buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Opens the regular file `file` for reading (links followed; without blocking, as a FIFO's open would wait for a
 * writer) and checks the open descriptor: a regular file of at most `maxBytes`. Returns the descriptor, which the
 * caller closes, and the size to read no further than. Throws like readRegular.
 */
export function openRegular(file: string, maxBytes = MAX_READ_BYTES): { fd: number; size: number } {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${file}'`), { code: 'EISDIR' });
    if (!st.isFile()) throw new NotReadable(`is ${fileKind(st)}, not a regular file`, 'special');
    if (st.size > maxBytes) throw new NotReadable(`is ${st.size} bytes, more than the ${maxBytes} this file may have`, 'size');
    return { fd, size: st.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** `readRegular` as text (UTF-8). */
export function readRegularText(file: string, maxBytes?: number): string {
  return readRegular(file, maxBytes).toString('utf8');
}

/** Why a read failed, in words: 'file not found', 'is a folder, not a file', 'is a FIFO (named pipe), not a regular file', ... */
export function readFailure(e: unknown): string {
  if (e instanceof NotReadable) return e.message;
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'file not found'
    : code === 'EISDIR' ? 'is a folder, not a file'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'ENOTDIR' ? 'a file stands where a folder is expected'
    : (e instanceof Error ? e.message.split('\n')[0] : String(e));
}

/**
 * The whole content of the regular file `path` (at most `maxBytes`), or a one-line UserError
 * `<path>: cannot read <what> (<why>); <fix>` that names why (file not found, is a folder, is a FIFO, permission
 * denied, too large, or the system's message) and what to do (default: check the path; give a regular file).
 */
export function readWholeFile(path: string, what: string, maxBytes?: number): Uint8Array {
  let buf: Buffer;
  try {
    buf = readRegular(path, maxBytes);
  } catch (e) {
    const fix = e instanceof NotReadable ? (e.why === 'special' ? 'give a regular file' : 'give the right file') : 'check the path';
    throw new UserError(`${path}: cannot read ${what} (${readFailure(e)}); ${fix}`);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * `readWholeFile` with a size limit the caller must name (the table, .mat and row readers): the regular file `path`,
 * at most `maxBytes`, or a one-line UserError `<path>: cannot read <what> (<why>); <fix>`. One mechanism
 * (`readRegular`) underneath both.
 */
export function readRegularFile(path: string, what: string, maxBytes: number): Uint8Array {
  return readWholeFile(path, what, maxBytes);
}
