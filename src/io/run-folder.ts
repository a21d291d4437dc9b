/**
 * Run folders are never damaged by a later command.
 *
 *  - `lockFolder`: one writer per folder. A lock file holding the owner's pid is created exclusively (written under
 *    a temporary name, then hard-linked into place, so no reader sees it empty); a second process stops at once with
 *    one line naming the holder's pid. A lock left by a process that no longer exists is taken over atomically
 *    (exactly one of several processes that find it wins; see lockFolder). The lock goes when
 *    its owner releases it or exits (the 'exit' handler also runs after SIGINT / SIGTERM end the process).
 *  - `openRunFolder`: before a training run writes anything, checks the folder (a file where the folder should be,
 *    `--out-name` escaping it), locks it and decides from what it holds: an empty or new folder runs; a finished,
 *    interrupted or failed run, or any file a run writes, needs `--force` (replace) or, with a checkpoint,
 *    `--resume` (continue). Nothing in the folder is deleted, truncated or replaced until the caller has validated
 *    every option and input and calls `commit()`; until then `abandon()` leaves the folder exactly as it was (a
 *    folder it created is removed again). Replacing a run (`--force`) moves *everything* in the folder away on
 *    commit (not only the names this version writes: a picture of an older run, a train run's files under a
 *    baseline run), so the folder never mixes two runs; a subfolder that is not a model folder is refused when the
 *    folder is opened, so that --force never deletes a folder of the user's (`--xp-dir .` in a checkout).
 *  - `insideFolder`: a name resolved inside a folder, or a one-line error when it would leave it (`..`, `/`, `a/b`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../util/errors.js';
import { fileKind, readFailure, readRegularText } from '../util/files.js';
import { ioError } from './atomic.js';
import { CHECKPOINT_FILE } from './checkpoint.js';
import { readResults } from './results.js';

/** The lock file of a training run's folder. */
export const RUN_LOCK = '.train.lock';

/** Files a training run writes directly in its folder (besides its model folders). */
export const RUN_FILES = [
  'config.json', 'log.txt', 'epochs.csv', 'results.json', CHECKPOINT_FILE,
  'most_normal.png', 'most_anomalous.png', 'loss_pretrain.png', 'loss_train.png', 'filters_init.png',
] as const;

/** Files a model folder holds (src/io/model.ts). */
const MODEL_FILES = ['model.json', 'weights.bin', 'zca.bin'];

/** The temporary folder a replaced run's files are moved into before they are deleted (one left by a crash goes too). */
const REPLACED_PREFIX = '.deep-svdd-replaced.';

/** Whether a run writes a file or folder of this name directly in its folder (so --out-name may not take it). */
export function isRunFileName(name: string): boolean {
  return (RUN_FILES as readonly string[]).includes(name) || name === RUN_LOCK || name.startsWith(`${RUN_LOCK}.`) || name.startsWith(REPLACED_PREFIX);
}

/** Whether `dir` is a model folder: nothing in it but a model's files (and their temporary files). */
function isModelFolder(dir: string): boolean {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).every((e) => !e.isDirectory() && (MODEL_FILES.includes(e.name) || /^\..+\.\d+\.tmp$/.test(e.name)));
  } catch {
    return false;
  }
}

/** Whether process `pid` exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

const releasers = new Set<() => void>();
let exitHook = false;

/** The lock file's text and inode, or undefined when it is gone; a one-line error when it is no lock file (a FIFO, ...). */
function readLock(file: string): { text: string; ino: number } | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return undefined;
  }
  if (!st.isFile()) throw new UserError(`${file} is ${fileKind(st)}, not a lock file: remove it`);
  try {
    return { text: readRegularText(file, 4096).trim(), ino: st.ino };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`${file}: cannot read the lock (${readFailure(e)}): remove it if no deep-svdd process is using its folder`);
  }
}

/**
 * Creates `file` holding this process's pid, atomically and only if it does not exist (written under a temporary
 * name, then hard-linked into place, so no reader ever sees it empty). Returns false when it exists.
 */
function createExclusive(file: string): boolean {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, `${process.pid}\n`);
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioError(e, file);
  } finally {
    try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to clean */ }
  }
}

/** The pid a lock file names when that process is alive (and not this one), else undefined: the lock is stale. */
function liveHolder(text: string): number | undefined {
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid) ? pid : undefined;
}

const pause = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => { Atomics.wait(pause, 0, 0, ms); };

/**
 * Locks `dir` (which must exist) with the file `name` in it, or throws `busy(pid)` when a live process holds it.
 * Returns the release function (idempotent; also run when the process exits).
 *
 * A lock whose process no longer exists is taken over atomically: only the holder of `<name>.takeover` (created
 * exclusively, like the lock) may delete a stale lock, and only after checking, under it, that the lock is still the
 * same stale file (same inode, same text). Everyone then races for the exclusive create of the lock itself, which
 * exactly one process wins; the others find a live holder. Without the takeover file, two processes that both saw
 * the stale lock could each delete the other's fresh one and both believe they hold the folder.
 */
export function lockFolder(dir: string, name: string, busy: (pid: number) => UserError): () => void {
  const lock = path.join(dir, name);
  const takeover = `${lock}.takeover`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (createExclusive(lock)) {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        releasers.delete(release);
        try { if (readRegularText(lock, 4096).trim() === String(process.pid)) fs.rmSync(lock, { force: true }); } catch { /* gone */ }
      };
      releasers.add(release);
      if (!exitHook) {
        exitHook = true;
        process.on('exit', () => { for (const r of [...releasers]) r(); });
      }
      return release;
    }
    const seen = readLock(lock);
    if (seen === undefined) continue; // released meanwhile: try again
    const pid = liveHolder(seen.text);
    if (pid !== undefined) throw busy(pid);
    // stale: its owner is gone. Take it over under the takeover file.
    if (!createExclusive(takeover)) {
      const other = readLock(takeover);
      if (other?.text === String(process.pid)) { fs.rmSync(takeover, { force: true }); continue; } // an earlier process's, with this pid
      if (other !== undefined && liveHolder(other.text) === undefined) {
        throw new UserError(`cannot lock ${lock}: ${takeover} was left by a process that no longer exists (pid ${other.text}); remove both files if no deep-svdd process is using ${dir}`);
      }
      sleep(2); // another process is taking the stale lock over: then it holds the folder, or it is free again
      continue;
    }
    try {
      const now = readLock(lock);
      if (now !== undefined && now.ino === seen.ino && now.text === seen.text) fs.rmSync(lock, { force: true });
    } catch (e) {
      throw ioError(e, lock);
    } finally {
      try { fs.rmSync(takeover, { force: true }); } catch { /* nothing to clean */ }
    }
  }
  throw new UserError(`cannot lock ${lock}: remove it if no deep-svdd process is using ${dir}`);
}

/** `name` inside `dir` as one path component, or a UserError naming `option` when it would leave the folder. */
export function insideFolder(dir: string, name: string, option: string): string {
  const base = path.resolve(dir);
  const target = path.resolve(base, name);
  if (name === '' || name === '.' || name === '..' || path.dirname(target) !== base || path.basename(target) !== name) {
    throw new UserError(`${option} ${name} is invalid: it must name a folder inside the run folder (letters, digits, '.', '_' or '-'; not '.', '..' or a path)`);
  }
  return path.join(dir, name);
}

export type RunFolderState = 'new' | 'finished' | 'interrupted' | 'failed' | 'files';

export interface RunFolder {
  dir: string;
  /** what the folder held when it was opened */
  state: RunFolderState;
  /** after every option and input was validated: clears a replaced run's files (not with --resume) */
  commit(): void;
  /** the run failed before commit(): the folder stays as it was, a folder this process created goes again */
  abandon(): void;
  release(): void;
}

export interface RunFolderOptions { xpDir: string; outName: string; resume: boolean; force: boolean }

/** The status in a run folder's results.json (the one reader, ./results.ts): undefined when there is none. */
function readStatus(file: string): string | undefined {
  const r = readResults(file);
  return r.state === 'missing' ? undefined : r.state === 'corrupt' ? 'unreadable' : r.results.status ?? 'unknown';
}

/** Model folders of a run: `<outName>` and its `<outName>_epoch<E>` snapshots. */
function modelFolders(dir: string, outName: string): string[] {
  let names: string[] = [];
  try { names = fs.readdirSync(dir); } catch { /* none */ }
  const snap = new RegExp(`^${outName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_epoch\\d+$`);
  return names.filter((n) => n === outName || snap.test(n)).map((n) => path.join(dir, n));
}

/** Opens `o.xpDir` for a training run (see the module comment). */
export function openRunFolder(o: RunFolderOptions): RunFolder {
  const dir = o.xpDir;
  if (!dir.trim()) throw new UserError('--xp-dir is empty: give the run folder, e.g. --xp-dir log/my_run');
  insideFolder(dir, o.outName, '--out-name');
  let st: fs.Stats | undefined;
  try { st = fs.statSync(dir); } catch { /* a new folder */ }
  if (st && !st.isDirectory()) throw new UserError(`--xp-dir ${dir} is a file, not a folder: choose another --xp-dir`);
  // the folders this process creates, outermost first, to remove them again when the run never starts
  const created: string[] = [];
  if (!st) {
    for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) created.unshift(d);
    try { fs.mkdirSync(dir, { recursive: true }); } catch (e) { throw ioError(e, dir); }
  }
  const removeCreated = () => {
    for (const d of [...created].reverse()) { try { fs.rmdirSync(d); } catch { break; } }
  };
  let release: () => void;
  try {
    release = lockFolder(dir, RUN_LOCK, (pid) => new UserError(`${dir} is in use by another deep-svdd process (pid ${pid}): wait for it, stop it (kill -INT ${pid}), or choose another --xp-dir`));
  } catch (e) {
    removeCreated();
    throw e;
  }
  const abandon = () => { release(); removeCreated(); };
  try {
    const status = readStatus(path.join(dir, 'results.json'));
    const checkpoint = fs.existsSync(path.join(dir, CHECKPOINT_FILE));
    const present = RUN_FILES.filter((f) => fs.existsSync(path.join(dir, f)));
    const models = modelFolders(dir, o.outName);
    const state: RunFolderState = status === 'finished' ? 'finished' : checkpoint ? 'interrupted'
      : status !== undefined ? 'failed' : present.length || models.length ? 'files' : 'new';
    if (o.resume) {
      if (state === 'finished') throw new UserError(`${dir} holds a finished run: there is nothing to resume (pass --force 1 without --resume to run it again)`);
      if (!checkpoint) throw new UserError(`no checkpoint at ${path.join(dir, CHECKPOINT_FILE)}: there is nothing to resume; start the run without --resume 1${state === 'new' ? '' : ' (and with --force 1 to replace what the folder holds)'}`);
    } else if (!o.force) {
      if (state === 'finished') throw new UserError(`${dir} already holds a finished run (results.json): pass --force 1 to overwrite it, or choose another --xp-dir`);
      if (state === 'interrupted') throw new UserError(`${dir} holds an interrupted run (${CHECKPOINT_FILE}): continue it with --resume 1, replace it with --force 1, or choose another --xp-dir`);
      if (state === 'failed') throw new UserError(`${dir} holds a run that did not finish (results.json status ${status}): pass --force 1 to replace it, or choose another --xp-dir`);
      if (state === 'files') {
        const names = [...present, ...models.map((m) => `${path.basename(m)}/`)];
        throw new UserError(`${dir} already holds files a run writes (${names.join(', ')}): pass --force 1 to replace them, or choose another --xp-dir`);
      }
    }
    const replaces = !o.resume && state !== 'new';
    if (replaces) {
      // --force replaces the whole folder: a folder that no run writes is the user's, and is not deleted
      const foreign = fs.readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith(REPLACED_PREFIX) && !isModelFolder(path.join(dir, e.name))).map((e) => `${e.name}/`);
      if (foreign.length) {
        throw new UserError(`${dir} holds ${foreign.join(', ')}, which no run writes: --force 1 replaces everything in the run folder, so move ${foreign.length === 1 ? 'it' : 'them'} out of it first, or choose another --xp-dir`);
      }
    }
    return {
      dir, state, release, abandon,
      commit() {
        created.length = 0; // the folder now belongs to this run
        if (!replaces) return;
        // every entry of the previous run (links as links: nothing outside the folder is touched) is moved into one
        // temporary folder, which then goes
        const trash = path.join(dir, `${REPLACED_PREFIX}${process.pid}.${randomBytes(4).toString('hex')}`);
        try {
          fs.mkdirSync(trash);
          for (const name of fs.readdirSync(dir)) {
            if (name === RUN_LOCK || name.startsWith(`${RUN_LOCK}.`) || path.join(dir, name) === trash) continue;
            fs.renameSync(path.join(dir, name), path.join(trash, name));
          }
          fs.rmSync(trash, { recursive: true, force: true });
        } catch (e) {
          throw ioError(e, dir);
        }
      },
    };
  } catch (e) {
    abandon();
    throw e;
  }
}
