/** Small file-system helpers shared by the dataset readers. */
import { readFileSync, statSync } from 'node:fs';
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
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'file not found'
      : code === 'EISDIR' ? 'is a folder, not a file'
      : code === 'EACCES' ? 'permission denied'
      : (e instanceof Error ? e.message : String(e));
    throw new UserError(`${path}: cannot read ${what} (${why}); check the path`);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
