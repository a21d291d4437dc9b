/**
 * The one rule for files a command writes at a path the user named (`score --out`, and DIR/sweep.sbatch): an output
 * never replaces an input or a special file.
 *
 *  - The path must be given (not empty) and name a file, not a folder.
 *  - When something is there already it must be a regular file (not a link, FIFO, device or socket: writing goes
 *    through a temporary file renamed into place, which would replace the link or the FIFO itself), and the command
 *    must have been told it may replace it (`--force 1`).
 *  - It is never one of the command's input files (compared by device and inode, so a link or another spelling of
 *    the same file is caught) and never inside one of its input folders (the model folder, a folder of images),
 *    compared by real path.
 *
 * `checkOutputPath` is called once the options are parsed (before any work) and again just before the write, so a
 * file that appeared meanwhile is not replaced either.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { fileKind } from '../util/files.js';

export interface OutputRule {
  /** the option that names the file, for messages: '--out' */
  option: string;
  /** an existing regular file may be replaced (`--force 1`) */
  force: boolean;
  /** the command's inputs: files (never replaced) and folders (nothing written inside) */
  inputs?: readonly string[];
  /** an example of a good value, for messages: 'scores.csv' */
  example?: string;
  /** how the user says "replace it", for messages (default: `--force 1`) */
  forceHint?: string;
}

/** The real path of `p`, or of its nearest existing ancestor with the rest appended (for a file not yet written). */
function realPathOf(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  for (let d = abs; ; d = path.dirname(d)) {
    try {
      return path.join(fs.realpathSync(d), ...rest.reverse());
    } catch {
      if (path.dirname(d) === d) return abs;
      rest.push(path.basename(d));
    }
  }
}

function inside(child: string, folder: string): boolean {
  const rel = path.relative(folder, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Checks that the command may write `file` (see the module comment); throws a one-line UserError naming the problem
 * and the fix. Returns the path to write.
 */
export function checkOutputPath(file: string, rule: OutputRule): string {
  const { option } = rule;
  const example = rule.example ?? 'out.csv';
  if (file.trim() === '') throw new UserError(`${option} is empty: give the file to write, e.g. ${option} ${example}`);
  let st: fs.Stats | undefined;
  try { st = fs.lstatSync(file); } catch { /* a new file */ }
  if (st?.isDirectory()) throw new UserError(`${option} ${file} is a folder: give a file name, e.g. ${option} ${path.join(file, example)}`);
  if (st?.isSymbolicLink()) throw new UserError(`${option} ${file} is a symbolic link: it is not replaced or followed; give the path of a regular file, or choose another ${option}`);
  if (st && !st.isFile()) throw new UserError(`${option} ${file} is ${fileKind(st)}, not a regular file: it is never replaced; choose another ${option}`);
  const target = realPathOf(file);
  for (const input of rule.inputs ?? []) {
    let ist: fs.Stats;
    try { ist = fs.statSync(input); } catch { continue; } // an input that is not there is its reader's error
    if (ist.isDirectory()) {
      const folder = realPathOf(input);
      if (inside(target, folder)) throw new UserError(`${option} ${file} is inside ${input}, which this command reads: write it elsewhere (choose another ${option})`);
    } else if (st && st.dev === ist.dev && st.ino === ist.ino) {
      throw new UserError(`${option} ${file} is ${input}, which this command reads: it is never replaced; choose another ${option}`);
    }
  }
  if (st && !rule.force) throw new UserError(`${option} ${file} already exists: pass ${rule.forceHint ?? '--force 1'} to replace it, or choose another ${option}`);
  return file;
}

export interface OutputFolderRule extends OutputRule {
  /** a file that marks a folder this command wrote before: --force replaces only such a folder's files (or an empty folder) */
  marker: string;
}

/**
 * The same rule for a folder a command writes its files into (`export --out DIR`): given; a folder or nothing (never a
 * file or a link); never one of the inputs nor inside one; an existing folder only with `--force 1` and only when it
 * is empty or holds `marker` (so a folder of the user's is never written over). Each file written into it still goes
 * through checkOutputPath.
 */
export function checkOutputFolder(dir: string, rule: OutputFolderRule): string {
  const { option } = rule;
  const example = rule.example ?? 'out';
  if (dir.trim() === '') throw new UserError(`${option} is empty: give the folder to write, e.g. ${option} ${example}`);
  let st: fs.Stats | undefined;
  try { st = fs.lstatSync(dir); } catch { /* a new folder */ }
  if (st?.isSymbolicLink()) throw new UserError(`${option} ${dir} is a symbolic link: it is not followed; give the path of a folder, or choose another ${option}`);
  if (st && !st.isDirectory()) throw new UserError(`${option} ${dir} is ${st.isFile() ? 'a file' : fileKind(st)}, not a folder: choose another ${option}`);
  const target = realPathOf(dir);
  for (const input of rule.inputs ?? []) {
    let ist: fs.Stats;
    try { ist = fs.statSync(input); } catch { continue; }
    if (ist.isDirectory() && inside(target, realPathOf(input))) {
      throw new UserError(`${option} ${dir} is inside ${input}, which this command reads: write it elsewhere (choose another ${option})`);
    }
  }
  if (st) {
    if (!rule.force) throw new UserError(`${option} ${dir} already exists: pass ${rule.forceHint ?? '--force 1'} to replace its files, or choose another ${option}`);
    let names: string[];
    try { names = fs.readdirSync(dir); } catch { throw new UserError(`${option} ${dir}: cannot list the folder; check its permissions or choose another ${option}`); }
    if (names.length > 0 && !names.includes(rule.marker)) {
      throw new UserError(`${option} ${dir} holds other files and no ${rule.marker}: it is not a folder this command wrote, so nothing is replaced; choose a new or empty ${option}`);
    }
  }
  return dir;
}
