/** The run's console: every line goes to the terminal (stderr for warnings) and is appended to log.txt. */
import fs from 'node:fs';
import { ioError } from './atomic.js';

export interface RunLog {
  info(line: string): void;
  warn(line: string): void;
  /** only into log.txt (for what the CLI itself reports on stderr) */
  record(line: string): void;
  close(): void;
}

export function openRunLog(file: string | null, quiet = false): RunLog {
  let fd: number | null = null;
  try { fd = file ? fs.openSync(file, 'a') : null; } catch (e) { throw ioError(e, file!); }
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
