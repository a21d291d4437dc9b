/** Small file-system helpers shared by the dataset readers. */
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs';
import { UserError } from './errors.js';

/** Whether `p` is a file (links followed); false when it is missing or cannot be checked. */
export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Whether `p` is a folder (links followed); false when it is missing or cannot be checked. */
export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The whole content of `path`, or a one-line UserError `<path>: cannot read <what> (<why>); check the path` that
 * names why (file not found, is a folder, permission denied, or the system's message).
 */
export function readWholeFile(path: string, what: string): Uint8Array {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new UserError(`${path}: cannot read ${what} (${ioReason(e)}); check the path`);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * The content of the regular file `path`, read only up to the size it has when opened, or a one-line UserError that
 * names the file and the problem. Unlike readWholeFile it never blocks on a FIFO, device or socket (they are refused
 * before being opened, and the file is opened non-blocking and checked again), and it refuses a file larger than
 * `maxBytes` without reading it: `<path>: cannot read <what> (<why>); <fix>`.
 */
export function readRegularFile(path: string, what: string, maxBytes: number): Uint8Array {
  const fail = (why: string, fix = 'check the path') => new UserError(`${path}: cannot read ${what} (${why}); ${fix}`);
  let fd: number;
  try {
    refuseNonRegular(statSync(path), fail);
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw e instanceof UserError ? e : fail(ioReason(e));
  }
  try {
    const st = fstatSync(fd);
    refuseNonRegular(st, fail);
    if (st.size > maxBytes) throw fail(`${st.size} bytes, over the limit of ${maxBytes} bytes`, 'use a smaller file');
    const buf = new Uint8Array(st.size);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return got === buf.length ? buf : buf.subarray(0, got);
  } catch (e) {
    throw e instanceof UserError ? e : fail(ioReason(e));
  } finally {
    closeSync(fd);
  }
}

function refuseNonRegular(st: Stats, fail: (why: string, fix?: string) => UserError): void {
  if (st.isDirectory()) throw fail('is a folder, not a file');
  if (!st.isFile()) throw fail('not a regular file: a FIFO, socket or device', 'give the path of a file');
}

/** Why a file-system call failed, in words: file not found, is a folder, permission denied, or the system's message. */
function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'file not found'
    : code === 'EISDIR' ? 'is a folder, not a file'
    : code === 'EACCES' ? 'permission denied'
    : (e instanceof Error ? e.message : String(e));
}
