/** The run's console: every line goes to the terminal (stderr for warnings) and is appended to log.txt. */
import fs from 'node:fs';
import { UserError } from '../util/errors.js';
import { fileKind } from '../util/files.js';
import { ioError } from './atomic.js';

export interface RunLog {
  info(line: string): void;
  warn(line: string): void;
  /** only into log.txt (for what the CLI itself reports on stderr) */
  record(line: string): void;
  close(): void;
}

/**
 * Opens log.txt for appending: a regular file only (a resumed run appends to the folder's own log). Not through a
 * link (it would write outside the run folder), and without blocking: a FIFO without a reader would wait for ever.
 */
function openAppend(file: string): number {
  const c = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(file, c.O_WRONLY | c.O_APPEND | c.O_CREAT | c.O_NONBLOCK | c.O_NOFOLLOW | c.O_NOCTTY, 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new UserError(`${file} is a symbolic link, not the run's log: remove it`);
    if (code === 'ENXIO') throw new UserError(`${file} is a FIFO (named pipe), not the run's log: remove it`);
    throw ioError(e, file);
  }
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw new UserError(`${file} is ${fileKind(st)}, not the run's log: remove it`);
  }
  return fd;
}

export function openRunLog(file: string | null, quiet = false): RunLog {
  const fd: number | null = file ? openAppend(file) : null;
  const write = (line: string) => {
    if (fd === null) return;
    try { fs.writeSync(fd, `${new Date().toISOString()} ${line}\n`); } catch (e) { throw ioError(e, file!); }
  };
  return {
    info(line) { if (!quiet) process.stdout.write(`${line}\n`); write(line); },
    warn(line) { process.stderr.write(`warning: ${line}\n`); write(`WARNING ${line}`); },
    record(line) { write(line); },
    close() { if (fd !== null) fs.closeSync(fd); },
  };
}
