/**
 * `deep-svdd data fetch`: downloads MNIST or CIFAR-10 into a data folder, checks MD5 sums, and extracts archives.
 *
 * Rules:
 *  - Every file is downloaded to `<dir>/.partial/<file>.part` with Node's built-in fetch. A rerun resumes it (HTTP
 *    Range from its size; a 206 answer is appended, a server that ignores Range and answers 200 restarts the file).
 *    fetch follows redirects. `http:`, `https:` and `file:` URLs are understood; a plain path is a local copy.
 *  - A download whose MD5 matches becomes `<dir>/.partial/<file>` (kept there until the dataset is in place, so a
 *    failure later reuses it); one whose MD5 differs is deleted.
 *  - Sources are tried in order; a network error (host not found, connection refused, no answer for the timeout,
 *    connection closed early) or an HTTP error moves to the next one. When all fail: one UserError naming the file,
 *    the URLs, the reasons and the fix.
 *  - MNIST: the four `.gz` files end up as `<dir>/<name>.gz`, moved in only once all four are verified. Files
 *    already there with the right MD5 are kept and not downloaded again.
 *  - CIFAR-10: the archive is extracted with the `tar` package into a temporary folder inside `<dir>`, its batches
 *    folder is checked and then renamed to `<dir>/cifar-10-batches-py/` (or `-bin/`); the archive is then deleted.
 *  - Already complete: a message and nothing else, unless `force`.
 *  - Failure: `<dir>` is left as it was, except for `<dir>/.partial/` holding the bytes downloaded so far (to
 *    resume). Nothing is left at all when nothing was downloaded: no `.partial/`, and no `<dir>` if it did not exist.
 *
 * The timeout (connection and idle) is 30 s; the environment variable DEEP_SVDD_FETCH_TIMEOUT (seconds) changes it.
 * Every file's size is known: a server that announces more (Content-Length, Content-Range) is not read, and one that
 * sends more (an endless body without Content-Length) is cut off at that size; the partial file is then deleted.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import cliProgress from 'cli-progress';
import { x as untar } from 'tar';
import { UserError } from '../util/errors.js';
import { isDir, NotReadable, openRegular, readFailure } from '../util/files.js';
import { PACKAGE_VERSION } from '../util/version.js';

/** One file to download: its name in the data folder, its MD5 and size, and the URLs to try in order. */
export interface FetchFile {
  name: string;
  md5: string;
  /** its size in bytes: a source that sends (or announces) more is cut off there, so it never fills the disk */
  size: number;
  urls: string[];
}

/** What to fetch. The dataset registry's entries give the published ones (mnistSource, cifar10Source, oddsSource); tests build their own. */
export interface FetchSource {
  /** for messages: 'MNIST', 'CIFAR-10' */
  title: string;
  files: FetchFile[];
  /** archives (one file): the .tar.gz holds this folder, which is extracted into the data folder */
  extract?: {
    folder: string;
    /** files the folder must hold to count as complete */
    expect: string[];
  };
}

export interface FetchOptions {
  /** the data folder */
  dir: string;
  /** download again even when complete */
  force?: boolean;
  /** connection and idle timeout; default DEEP_SVDD_FETCH_TIMEOUT seconds, else 30 s */
  timeoutMs?: number;
  /** 'auto': a bar on a terminal, else a line every `progressIntervalMs` */
  progress?: 'auto' | 'bar' | 'lines' | 'none';
  progressIntervalMs?: number;
  /** where messages and progress lines go (default: stdout; errors are thrown, and the bar is drawn on stderr) */
  log?: (line: string) => void;
}

export interface FetchResult {
  status: 'present' | 'fetched';
  /** what is now in the data folder: the MNIST files, or the extracted folder */
  paths: string[];
}

const HINT = 'check the network or pass --url with a mirror or a local copy';

/** A --url value as a URL: http(s) and file URLs as given, anything without a scheme as a local path. */
export function toUrl(u: string): URL {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(u) || /^[a-z]:[\\/]/i.test(u)) return pathToFileURL(path.resolve(u));
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw new UserError(`--url ${u} is not a valid URL: give an http(s):// or file:// URL, or a local path`);
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol)) {
    throw new UserError(`--url ${u}: ${url.protocol.replace(/:$/, '')} URLs are not supported; use http(s)://, file:// or a local path`);
  }
  return url;
}

/** `base` as a folder URL with `name` appended. */
export function under(base: string, name: string): string {
  const url = toUrl(base);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return new URL(name, url).href;
}

export function lastSegment(u: string): string {
  const url = toUrl(u);
  return decodeURIComponent(url.pathname.split('/').pop() ?? '');
}

/** The connection / idle timeout from DEEP_SVDD_FETCH_TIMEOUT (seconds), else 30 s. */
export function defaultTimeoutMs(): number {
  const raw = process.env.DEEP_SVDD_FETCH_TIMEOUT;
  if (raw === undefined || raw.trim() === '') return 30_000;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0) throw new UserError(`DEEP_SVDD_FETCH_TIMEOUT=${raw} is invalid: use a number of seconds > 0, or unset it`);
  return s * 1000;
}

// ---------------------------------------------------------------------------------------------------------------
// small helpers
// ---------------------------------------------------------------------------------------------------------------

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function sizeOf(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

/** Removes a folder if it is empty; never throws. */
function rmdirIfEmpty(dir: string): void {
  try {
    if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  } catch { /* not there, or not empty */ }
}

/** The MD5 of a regular file (a FIFO or a device is a one-line error, never read). */
export async function md5File(file: string): Promise<string> {
  let opened: { fd: number; size: number };
  try {
    opened = openRegular(file);
  } catch (e) {
    throw new UserError(`${file}: cannot read it (${readFailure(e)}); remove it or choose another --dir`);
  }
  const h = createHash('md5');
  if (opened.size === 0) {
    fs.closeSync(opened.fd);
    return h.digest('hex');
  }
  await pipeline(fs.createReadStream('', { fd: opened.fd, start: 0, end: opened.size - 1 }), h);
  return h.digest('hex');
}

/** A file-system error as a one-line UserError naming the path and the fix. */
function fsError(e: unknown, target: string): Error {
  if (e instanceof UserError) return e;
  const err = e as NodeJS.ErrnoException;
  const why =
    err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS' ? 'permission denied'
    : err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'the disk is full'
    : err.code === 'ENOTDIR' || err.code === 'EEXIST' ? 'a file stands where a folder is needed'
    : undefined;
  if (why === undefined) return err instanceof Error ? err : new Error(String(e));
  const fix = why === 'the disk is full' ? 'free space or choose another --dir' : 'choose another --dir';
  return new UserError(`cannot write ${target}: ${why}; ${fix}`);
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** A failed attempt at one URL that the next URL may fix (network, HTTP status, truncated body). */
class SourceError extends Error {
  constructor(message: string, readonly network: boolean) {
    super(message);
  }
}

const NET_REASONS: Record<string, string> = {
  ENOTFOUND: 'host not found (ENOTFOUND)',
  EAI_AGAIN: 'host name lookup failed (EAI_AGAIN)',
  ECONNREFUSED: 'connection refused (ECONNREFUSED)',
  ECONNRESET: 'connection reset (ECONNRESET)',
  EHOSTUNREACH: 'host unreachable (EHOSTUNREACH)',
  ENETUNREACH: 'network unreachable (ENETUNREACH)',
  EPIPE: 'connection closed (EPIPE)',
};

function networkReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code && NET_REASONS[err.code]) return NET_REASONS[err.code];
  return String(err?.message ?? e).split('\n')[0] + (err.code && !String(err.message).includes(err.code) ? ` (${err.code})` : '');
}

// ---------------------------------------------------------------------------------------------------------------
// progress
// ---------------------------------------------------------------------------------------------------------------

class Progress {
  private bar: cliProgress.SingleBar | undefined;
  private last = Date.now();
  private readonly t0 = Date.now();
  private done: number;

  constructor(
    private readonly name: string,
    private readonly start: number,
    private readonly total: number | undefined,
    private readonly mode: 'bar' | 'lines' | 'none',
    private readonly interval: number,
    private readonly log: (line: string) => void,
  ) {
    this.done = start;
    if (mode === 'bar' && total !== undefined && total > 0) {
      this.bar = new cliProgress.SingleBar({
        format: `  ${name} [{bar}] {percentage}% | {done}/{size} MB | {speed} MB/s | ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: null,
        barsize: 30,
      }, cliProgress.Presets.shades_classic);
      this.bar.start(total, start, { done: mb(start), size: mb(total), speed: '0.0' });
    }
  }

  private speed(): string {
    const s = (Date.now() - this.t0) / 1000;
    return s > 0 ? mb((this.done - this.start) / s) : '0.0';
  }

  update(bytes: number): void {
    this.done = bytes;
    if (this.bar) {
      this.bar.update(bytes, { done: mb(bytes), speed: this.speed() });
    } else if (this.mode !== 'none' && Date.now() - this.last >= this.interval) {
      this.last = Date.now();
      const of = this.total ? ` of ${mb(this.total)} MB (${Math.floor((100 * bytes) / this.total)}%)` : ' MB';
      this.log(`${this.name}: ${mb(bytes)}${of}, ${this.speed()} MB/s`);
    }
  }

  stop(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = undefined;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// one transfer: URL → .part file, resuming
// ---------------------------------------------------------------------------------------------------------------

interface TransferCtx {
  timeoutMs: number;
  progress: 'bar' | 'lines' | 'none';
  interval: number;
  log: (line: string) => void;
}

interface Opened {
  status: number;
  statusText: string;
  headers: Headers;
  body: Readable;
  /** whether the timeout cut the transfer */
  timedOut: () => boolean;
  /** data arrived: the idle timeout starts again */
  touch: () => void;
  /** stops the timer and drops the body (a response that is not used, or a finished one) */
  close: () => void;
}

/** The reason of a failed fetch: the network error under undici's "fetch failed". */
function fetchReason(e: unknown): string {
  const cause = (e as { cause?: unknown }).cause;
  return networkReason(cause ?? e);
}

/**
 * Opens `url` with Node's fetch and an optional Range start. fetch follows redirects (http and https only); the
 * timeout covers the connection and each wait for data (`touch` restarts it). No content encoding is accepted, so
 * the bytes are the file's and Content-Length counts them.
 */
async function open(url: URL, start: number, timeoutMs: number): Promise<Opened> {
  const abort = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => { timedOut = true; abort.abort(new Error(`no answer for ${timeoutMs / 1000} s (timed out)`)); }, timeoutMs);
  };
  touch();
  const headers: Record<string, string> = { 'User-Agent': `deep-svdd/${PACKAGE_VERSION}`, 'Accept-Encoding': 'identity' };
  if (start > 0) headers.Range = `bytes=${start}-`;
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: 'follow', signal: abort.signal });
  } catch (e) {
    clearTimeout(timer);
    throw new SourceError(timedOut ? `no answer for ${timeoutMs / 1000} s (timed out)` : fetchReason(e), true);
  }
  const body = res.body ? Readable.fromWeb(res.body as import('node:stream/web').ReadableStream) : Readable.from([]);
  body.on('error', () => { /* reported by the pipeline that reads it */ });
  return {
    status: res.status, statusText: res.statusText, headers: res.headers, body, timedOut: () => timedOut, touch,
    close: () => { clearTimeout(timer); if (!body.readableEnded) body.destroy(); },
  };
}

/**
 * Downloads `url` into `part`, resuming from its current size. Returns whether bytes already there were kept.
 * Creates the part file (and its folder) only once the source answers with data.
 */
async function transfer(url: URL, part: string, name: string, size: number, ctx: TransferCtx): Promise<{ resumed: boolean }> {
  let start = sizeOf(part);
  if (start > size) { fs.rmSync(part, { force: true }); start = 0; } // not a prefix of this file
  const tooLarge = (n: number) => new SourceError(`it announces ${n} bytes, more than the ${size} of ${name}: not the right file`, false);
  let body: Readable;
  let total: number | undefined;
  let append = false;
  let timedOut = () => false;
  let touch = () => { /* no timeout on local files */ };
  let close = () => { /* nothing to release */ };

  if (url.protocol === 'file:') {
    const file = fileURLToPath(url);
    let opened: { fd: number; size: number };
    try {
      opened = openRegular(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new SourceError(code === 'ENOENT' ? 'file not found' : e instanceof NotReadable ? readFailure(e) : networkReason(e), false);
    }
    total = opened.size;
    if (total > size) { fs.closeSync(opened.fd); throw tooLarge(total); }
    if (start > total) start = 0;
    if (start === total) {
      fs.closeSync(opened.fd);
      if (start > 0) return { resumed: true };
      body = Readable.from([]);
    } else {
      body = fs.createReadStream('', { fd: opened.fd, start, end: total - 1 });
    }
    append = start > 0;
  } else {
    let r = await open(url, start, ctx.timeoutMs);
    if (r.status === 416 && start > 0) {
      // nothing after `start`: complete if the server says the file has exactly that size
      r.close();
      const m = /^bytes \*\/(\d+)$/.exec(r.headers.get('content-range') ?? '');
      if (m && Number(m[1]) === start) return { resumed: true };
      fs.rmSync(part, { force: true });
      start = 0;
      r = await open(url, 0, ctx.timeoutMs);
    }
    if (r.status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(r.headers.get('content-range') ?? '');
      if (!m || Number(m[1]) !== start) {
        // a range we did not ask for: start over
        r.close();
        fs.rmSync(part, { force: true });
        start = 0;
        r = await open(url, 0, ctx.timeoutMs);
      } else {
        append = true;
        total = m[3] !== '*' ? Number(m[3]) : undefined;
      }
    }
    if (r.status === 200) {
      if (start > 0) ctx.log(`${name}: the server ignores resume requests: downloading it from the start`);
      start = 0;
      append = false;
      const len = r.headers.get('content-length');
      total = len !== null && /^\d+$/.test(len) ? Number(len) : undefined;
    } else if (r.status !== 206) {
      r.close();
      throw new SourceError(`HTTP ${r.status}${r.statusText ? ` ${r.statusText}` : ''}`, false);
    }
    if (total !== undefined && total > size) {
      r.close();
      throw tooLarge(total);
    }
    body = r.body;
    timedOut = r.timedOut;
    touch = r.touch;
    close = r.close;
  }

  try {
    fs.mkdirSync(path.dirname(part), { recursive: true });
  } catch (e) {
    body.destroy();
    close();
    throw fsError(e, path.dirname(part));
  }
  if (start > 0) ctx.log(`${name}: resuming at ${mb(start)} MB`);
  const progress = new Progress(name, start, total, ctx.progress, ctx.interval, ctx.log);
  let bytes = start;
  let overflow = false;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      touch();
      if (bytes + chunk.length > size) {
        // more than the file has (an endless body without Content-Length): stop reading, write nothing more
        overflow = true;
        cb(new Error('more data than the file has'));
        return;
      }
      bytes += chunk.length;
      progress.update(bytes);
      cb(null, chunk);
    },
  });
  const out = fs.createWriteStream(part, { flags: append ? 'a' : 'w' });
  // which side failed first: the pipeline passes the first error on to the other streams
  let writeError: unknown;
  let failed = false;
  body.once('error', () => { failed = true; });
  out.once('error', (e) => {
    if (!failed) writeError = e;
    failed = true;
  });
  try {
    await pipeline(body, counter, out);
  } catch (e) {
    close();
    progress.stop();
    // let the bytes already received reach the file before anyone measures it for a resume
    if (!out.closed) await new Promise<void>((r) => { out.once('close', () => r()); out.destroy(); });
    if (writeError !== undefined) throw fsError(writeError, part);
    if (overflow) {
      fs.rmSync(part, { force: true });
      throw new SourceError(`it sent more than the ${size} bytes of ${name}: not the right file (stopped there)`, false);
    }
    if (url.protocol === 'file:') throw new SourceError(`cannot read it (${networkReason(e)})`, false);
    if (timedOut()) throw new SourceError(`no data for ${ctx.timeoutMs / 1000} s (timed out) after ${mb(bytes)} MB`, true);
    const of = total !== undefined ? ` of ${mb(total)}` : '';
    throw new SourceError(`connection closed after ${mb(bytes)}${of} MB (${networkReason(e)})`, true);
  }
  close();
  progress.stop();
  if (total !== undefined && bytes !== total) {
    throw new SourceError(`connection closed after ${bytes} of ${total} bytes`, true);
  }
  return { resumed: start > 0 };
}

// ---------------------------------------------------------------------------------------------------------------
// one file: all its URLs, MD5 check
// ---------------------------------------------------------------------------------------------------------------

interface RunState {
  ctx: TransferCtx;
  force: boolean;
  /** origins that failed at the network level: tried last for the next files */
  dead: Set<string>;
}

function originOf(u: string): string {
  const url = new URL(u);
  return url.protocol === 'file:' ? 'file:' : url.origin;
}

function where(u: string): string {
  const url = new URL(u);
  return url.protocol === 'file:' ? fileURLToPath(url) : url.host;
}

/** Downloads one file into `<partialDir>/<name>` with a verified MD5; returns that path. */
async function fetchFile(f: FetchFile, partialDir: string, st: RunState): Promise<string> {
  const verified = path.join(partialDir, f.name);
  const part = `${verified}.part`;
  if (st.force) {
    fs.rmSync(verified, { force: true });
  } else if (exists(verified)) {
    if (sizeOf(verified) === f.size && (await md5File(verified)) === f.md5) {
      st.ctx.log(`${f.name}: using the download verified earlier (${path.relative(process.cwd(), verified) || verified})`);
      return verified;
    }
    fs.rmSync(verified, { force: true });
  }

  if (f.urls.length === 0) throw new UserError(`no source for ${f.name}: pass --url`);
  const urls = [...f.urls].sort((a, b) => Number(st.dead.has(originOf(a))) - Number(st.dead.has(originOf(b))));
  const failures: { url: string; reason: string; md5?: string }[] = [];
  for (const u of urls) {
    st.ctx.log(`downloading ${f.name} from ${u}`);
    try {
      for (let attempt = 0; ; attempt++) {
        const { resumed } = await transfer(new URL(u), part, f.name, f.size, st.ctx);
        const actual = await md5File(part);
        if (actual === f.md5) {
          fs.renameSync(part, verified);
          st.ctx.log(`${f.name}: MD5 ${actual} is correct`);
          return verified;
        }
        fs.rmSync(part, { force: true });
        if (resumed && attempt === 0) {
          st.ctx.log(`${f.name}: the resumed download has MD5 ${actual}, expected ${f.md5}: downloading it again from the start`);
          continue;
        }
        failures.push({ url: u, reason: `MD5 ${actual}, expected ${f.md5}`, md5: actual });
        break;
      }
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      if (e.network) st.dead.add(originOf(u));
      failures.push({ url: u, reason: e.message });
      if (sizeOf(part) === 0) fs.rmSync(part, { force: true });
    }
  }
  if (failures.every((x) => x.md5 !== undefined)) {
    const actual = [...new Set(failures.map((x) => x.md5))].join(' / ');
    throw new UserError(
      `${f.name} has MD5 ${actual}, expected ${f.md5} (downloaded from ${failures.map((x) => x.url).join(', ')}): the download is corrupt or the source holds another file; run the command again, or pass --url with another mirror or a correct copy`,
    );
  }
  const reasons = failures.length === 1 ? failures[0].reason : failures.map((x) => `${where(x.url)}: ${x.reason}`).join('; ');
  throw new UserError(`cannot download ${f.name} from ${urls.join(', ')}: ${reasons}; ${HINT}${sizeOf(part) > 0 ? ` (the ${mb(sizeOf(part))} MB downloaded are kept in ${path.relative(process.cwd(), part) || part}: the same command resumes)` : ''}`);
}

// ---------------------------------------------------------------------------------------------------------------
// the whole dataset
// ---------------------------------------------------------------------------------------------------------------

function missingIn(folder: string, expect: readonly string[]): string[] {
  return expect.filter((n) => {
    try {
      return !fs.statSync(path.join(folder, n)).isFile();
    } catch {
      return true;
    }
  });
}

function show(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') ? p : rel;
}

/** Downloads (and extracts) `source` into `opts.dir`; see the rules at the top of this file. */
export async function fetchDataset(source: FetchSource, opts: FetchOptions): Promise<FetchResult> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const mode = opts.progress ?? 'auto';
  const progress = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : mode;
  const ctx: TransferCtx = { timeoutMs: opts.timeoutMs ?? defaultTimeoutMs(), progress, interval: opts.progressIntervalMs ?? 5000, log };
  const st: RunState = { ctx, force: opts.force ?? false, dead: new Set() };
  const dir = path.resolve(opts.dir);
  if (exists(dir) && !isDir(dir)) throw new UserError(`--dir ${opts.dir} is a file, not a folder; choose another --dir`);
  const dirExisted = exists(dir);
  const partialDir = path.join(dir, '.partial');
  const partialExisted = exists(partialDir);
  if (source.extract && source.files.length !== 1) throw new Error('an archive source has exactly one file');

  // already there?
  if (source.extract) {
    const target = path.join(dir, source.extract.folder);
    if (exists(target) && !st.force) {
      const missing = isDir(target) ? missingIn(target, source.extract.expect) : ['(it is not a folder)'];
      if (missing.length === 0) {
        log(`${source.title} is already in ${show(target)}: nothing to do (pass --force to download it again)`);
        return { status: 'present', paths: [target] };
      }
      throw new UserError(`${show(target)} exists but is incomplete (missing ${missing.join(', ')}): pass --force to replace it with a fresh download, or remove it`);
    }
  }
  const todo: FetchFile[] = [];
  if (!source.extract) {
    for (const f of source.files) {
      const p = path.join(dir, f.name);
      if (!st.force && exists(p)) {
        const bytes = sizeOf(p);
        const actual = bytes === f.size ? await md5File(p) : undefined;
        if (actual === f.md5) continue;
        log(actual === undefined ? `${show(p)} has ${bytes} bytes, expected ${f.size}: downloading it again` : `${show(p)} has MD5 ${actual}, expected ${f.md5}: downloading it again`);
      }
      todo.push(f);
    }
    if (todo.length === 0) {
      log(`${source.title} is already in ${show(dir)} (${source.files.map((f) => f.name).join(', ')}; MD5 checked): nothing to do (pass --force to download it again)`);
      return { status: 'present', paths: source.files.map((f) => path.join(dir, f.name)) };
    }
  } else {
    todo.push(source.files[0]);
  }

  let tmp: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    process.stderr.write(`deep-svdd: ${signal}: stopped; downloads so far are kept in ${show(partialDir)} and the same command resumes them\n`);
    process.exit(signal === 'SIGTERM' ? 143 : 130);
  };
  try {
    const verified: string[] = [];
    for (const f of todo) verified.push(await fetchFile(f, partialDir, st));

    if (!source.extract) {
      fs.mkdirSync(dir, { recursive: true });
      const paths: string[] = [];
      for (let i = 0; i < todo.length; i++) {
        const dest = path.join(dir, todo[i].name);
        try {
          fs.renameSync(verified[i], dest);
        } catch (e) {
          throw fsError(e, dest);
        }
        paths.push(dest);
      }
      rmdirIfEmpty(partialDir);
      log(`${source.title} is in ${show(dir)}: ${source.files.map((f) => f.name).join(', ')} (MD5 checked)`);
      return { status: 'fetched', paths: source.files.map((f) => path.join(dir, f.name)) };
    }

    // extract into a temporary folder inside dir, check, then rename into place
    const { folder, expect } = source.extract;
    const archive = verified[0];
    const target = path.join(dir, folder);
    tmp = path.join(dir, `.deep-svdd-extract-${process.pid}-${randomBytes(4).toString('hex')}`);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      fs.mkdirSync(tmp);
    } catch (e) {
      throw fsError(e, tmp);
    }
    log(`extracting ${todo[0].name}`);
    try {
      await untar({ file: archive, cwd: tmp, strict: true, preserveOwner: false });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code && ['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS'].includes(err.code)) throw fsError(e, tmp);
      throw new UserError(`cannot extract ${todo[0].name} (${String(err.message).split('\n')[0]}): the archive is damaged; delete ${show(archive)} and run the command again`);
    }
    const got = path.join(tmp, folder);
    const missing = isDir(got) ? missingIn(got, expect) : [`${folder}/`];
    if (missing.length > 0) {
      fs.rmSync(archive, { force: true });
      throw new UserError(`${todo[0].name} is not the expected archive: it lacks ${missing.map((m) => (m.endsWith('/') ? m : `${folder}/${m}`)).join(', ')}; pass --url with the right archive`);
    }
    if (exists(target)) {
      // --force: swap the old folder out, the new one in
      const old = path.join(tmp, '.old');
      try {
        fs.renameSync(target, old);
      } catch (e) {
        throw fsError(e, target);
      }
      try {
        fs.renameSync(got, target);
      } catch (e) {
        fs.renameSync(old, target);
        throw fsError(e, target);
      }
    } else {
      try {
        fs.renameSync(got, target);
      } catch (e) {
        throw fsError(e, target);
      }
    }
    fs.rmSync(archive, { force: true });
    rmdirIfEmpty(partialDir);
    log(`${source.title} is in ${show(target)} (MD5 checked)`);
    return { status: 'fetched', paths: [target] };
  } catch (e) {
    // leave dir as it was, apart from bytes worth resuming in .partial/
    if (!partialExisted) rmdirIfEmpty(partialDir);
    if (!dirExisted) rmdirIfEmpty(dir);
    throw e;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}
