/** Atomic file writes: a temporary file in the same folder, then rename, so no reader ever sees half a file. */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';

export function writeFileAtomic(file: string, data: string | Uint8Array, option?: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to clean */ }
    throw ioError(e, file, option);
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Turns a file-system error into a one-line UserError naming the path and the fix (choosing another `option`). */
export function ioError(e: unknown, target: string, option = '--xp-dir'): Error {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'EACCES': case 'EPERM': case 'EROFS':
      return new UserError(`cannot write ${target}: permission denied; choose a writable ${option}`);
    case 'ENOSPC': case 'EDQUOT':
      return new UserError(`cannot write ${target}: the disk is full; free space or choose another ${option}`);
    case 'ENOTDIR': case 'EEXIST':
      return new UserError(`cannot write ${target}: a file stands where a folder is needed; choose another ${option}`);
    case 'ENOENT':
      return new UserError(`cannot write ${target}: its folder does not exist; choose another ${option}`);
    default:
      return err instanceof Error ? err : new Error(String(e));
  }
}

/** Creates a folder (and its parents) or throws a one-line UserError (suggesting another `option`). */
export function ensureDir(dir: string, option?: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw ioError(e, dir, option);
  }
}
