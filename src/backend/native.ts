/**
 * The native backend: `@tensorflow/tfjs-node` on TensorFlow's own C library, wherever it came from.
 *
 * Two places are looked in, in this order:
 *   1. an ordinary npm install next to deep-svdd (`npm install @tensorflow/tfjs-node@4.22.0`, or -gpu), whose own
 *      install script downloaded libtensorflow;
 *   2. deep-svdd's cache, filled by `deep-svdd setup tensorflow` (src/native/setup.ts): one folder per build,
 *      `<cache>/native/<key>/`, holding the package's JavaScript, the addon built against TensorFlow's PyPI wheel,
 *      and that wheel's two shared libraries.
 * Both are loaded by the same function (loadNativePackage). There must be exactly one tfjs-core in the process, or
 * tfjs-node registers its `tensorflow` backend in a copy deep-svdd never uses: while the package loads, every
 * `@tensorflow/tfjs*` it requires is resolved from deep-svdd's own node_modules (the cached package has none of its
 * own, so a miss fails loudly instead of loading a second copy), and the backend is then looked up in deep-svdd's
 * tfjs-core.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Module, { createRequire } from 'node:module';
import { NATIVE_INTEROP_THREADS } from './thread-policy.js';

const require = createRequire(import.meta.url);
/** deep-svdd's tfjs-core, loaded on first use (the benchmark's parent process finds builds without loading TF.js) */
const tfjs = () => require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');

/** the tfjs-node release the setup builds (the same exact version as every other TF.js package here) */
export const TFJS_NODE_VERSION = '4.22.0';
/** the TensorFlow release whose PyPI wheel the setup builds against by default */
export const TENSORFLOW_VERSION = '2.21.0';
/** N-API version the addon is built for (tfjs-node's binding.gyp supports 3–8; Node ≥ 20 has 8) */
export const NAPI_VERSION = 8;
/** the setup's stderr helper, in <build>/lib/ (see src/native/setup.ts) */
export const QUIET_STDERR_ADDON = 'quiet-stderr.node';
/** the setup's own TensorFlow kernels (src/native/kernels.c), in <build>/lib/ */
export const OWN_KERNELS_ADDON = 'deep-svdd-kernels.node';
/** file in each cached build saying what it is */
export const MANIFEST_FILE = 'deep-svdd-native.json';

export type NativeVariant = 'cpu' | 'gpu';

export interface NativeManifest {
  tfjsNode: string;
  tensorflow: string;
  variant: NativeVariant;
  platform: string;
  arch: string;
  napi: number;
  /** where TensorFlow came from: `pip tensorflow-cpu==2.21.0`, `wheel FILE`, `folder DIR` */
  source: string;
  /** hash of the src/native/kernels.c it built OWN_KERNELS_ADDON from (CPU builds; absent in builds before them) */
  ownKernels?: string;
  builtAt: string;
}

/** deep-svdd's user cache folder: $DEEP_SVDD_CACHE, else $XDG_CACHE_HOME/deep-svdd, else ~/.cache/deep-svdd. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DEEP_SVDD_CACHE) return path.resolve(env.DEEP_SVDD_CACHE);
  if (env.XDG_CACHE_HOME) return path.join(path.resolve(env.XDG_CACHE_HOME), 'deep-svdd');
  return path.join(os.homedir(), '.cache', 'deep-svdd');
}

export function nativeDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheDir(env), 'native');
}

/** The cache folder name of one build: every input that changes the result is in it. */
export function nativeKey(variant: NativeVariant, tensorflow: string): string {
  return `tfjs-node-${TFJS_NODE_VERSION}_tf-${tensorflow}-${variant}_${process.platform}-${process.arch}_napi${NAPI_VERSION}`;
}

export const SETUP_COMMAND = 'deep-svdd setup tensorflow';
export function setupHint(variant: NativeVariant): string {
  return variant === 'gpu'
    ? `run \`${SETUP_COMMAND} --gpu\` on a machine with an NVIDIA GPU, or use --device cpu`
    : `run \`${SETUP_COMMAND}\` (builds it from TensorFlow's PyPI wheel, about 2 minutes), or use --backend wasm`;
}

export function readManifest(dir: string): NativeManifest | undefined {
  try { return JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as NativeManifest; } catch { return undefined; }
}

export interface NativeLocation {
  dir: string;
  /** npm = an ordinary install next to deep-svdd; cache = built by the setup command */
  origin: 'npm' | 'cache';
  /** package name tfjs-node registers under (its `-gpu` twin for an ordinary GPU install) */
  pkg: string;
  tensorflow: string;
}

function addonBuilt(dir: string): boolean {
  try {
    return fs.readdirSync(path.join(dir, 'lib')).some((d) => fs.existsSync(path.join(dir, 'lib', d, 'tfjs_binding.node')));
  } catch { return false; }
}

/** The cached build for `variant` in `root`: the pinned TensorFlow if built, else the newest build. */
export function findCachedBuild(variant: NativeVariant, root = nativeDir()): NativeLocation | undefined {
  let names: string[];
  try { names = fs.readdirSync(root); } catch { return undefined; }
  const builds = names
    .filter((n) => !n.startsWith('.'))
    .map((n) => ({ dir: path.join(root, n), m: readManifest(path.join(root, n)) }))
    .filter((b): b is { dir: string; m: NativeManifest } => b.m !== undefined && b.m.variant === variant
      && b.m.tfjsNode === TFJS_NODE_VERSION && b.m.platform === process.platform && b.m.arch === process.arch)
    .sort((a, b) => Number(b.m.tensorflow === TENSORFLOW_VERSION) - Number(a.m.tensorflow === TENSORFLOW_VERSION)
      || b.m.builtAt.localeCompare(a.m.builtAt));
  const best = builds[0];
  return best && { dir: best.dir, origin: 'cache', pkg: '@tensorflow/tfjs-node', tensorflow: best.m.tensorflow };
}

/** Where the native backend for `variant` is, or why there is none. */
export function findNative(variant: NativeVariant, env: NodeJS.ProcessEnv = process.env): NativeLocation | { why: string } {
  const pkg = variant === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  let npmWhy: string | undefined;
  try {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`));
    if (addonBuilt(dir)) return { dir, origin: 'npm', pkg, tensorflow: 'its own libtensorflow' };
    npmWhy = `${pkg} is installed but its addon was never built (its install script could not download libtensorflow)`;
  } catch { /* not installed the ordinary way */ }
  const cached = findCachedBuild(variant, nativeDir(env));
  if (cached) return cached;
  return { why: npmWhy ?? `no native ${variant === 'gpu' ? 'GPU ' : ''}backend is set up (none in ${nativeDir(env)}, and ${pkg} is not installed)` };
}

type ResolveFilename = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string;
const TFJS_REQUEST = /^@tensorflow\/tfjs(-[a-z-]+)?(\/|$)/;

/**
 * Loads the tfjs-node package in `dir` so that it registers into deep-svdd's tfjs-core. TensorFlow's start-up
 * log is kept to warnings unless TF_CPP_MIN_LOG_LEVEL is set (its oneDNN notice, printed through absl before logging is
 * set up, cannot be silenced that way; TF_ENABLE_ONEDNN_OPTS=0 would, at a cost in speed).
 */
export function loadNativePackage(dir: string): void {
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  const mod = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = mod._resolveFilename;
  const inside = path.resolve(dir) + path.sep;
  const realInside = fs.realpathSync(dir) + path.sep;
  mod._resolveFilename = function (this: unknown, request, parent, ...rest) {
    const from = parent?.filename;
    if (TFJS_REQUEST.test(request) && from && (from.startsWith(inside) || from.startsWith(realInside))) {
      return require.resolve(request);
    }
    return original.call(this, request, parent, ...rest);
  };
  // TensorFlow's library logs at load time past TF_CPP_MIN_LOG_LEVEL: with the setup's helper, stderr is muted
  // while it loads unless the user asked for TensorFlow's log (TF_CPP_MIN_LOG_LEVEL=0)
  const quietFile = path.join(dir, 'lib', QUIET_STDERR_ADDON);
  const quiet = Number(process.env.TF_CPP_MIN_LOG_LEVEL) > 0 && fs.existsSync(quietFile)
    ? require(quietFile) as { mute(): number; restore(fd: number): void } : undefined;
  // tfjs-node finds its addon with node-pre-gyp, which parses process.argv as its own options (deep-svdd's `--C 1e6`
  // would be its `-C DIR`): it sees the bare command while it loads
  const argv = process.argv;
  process.argv = argv.slice(0, 2);
  const saved = quiet?.mute();
  try {
    require(dir);
  } finally {
    if (quiet && saved !== undefined) quiet.restore(saved);
    process.argv = argv;
    mod._resolveFilename = original;
  }
  if (!tfjs().findBackendFactory('tensorflow')) {
    throw new Error(`${dir} registered its backend in another copy of @tensorflow/tfjs-core than deep-svdd's`);
  }
  const own = path.join(dir, 'lib', OWN_KERNELS_ADDON);
  if (process.env.DEEP_SVDD_OWN_KERNELS !== '0' && fs.existsSync(own)) ownOps = (require(own) as { ops: string[] }).ops;
}

let ownOps: string[] = [];

/**
 * The TensorFlow ops of deep-svdd's own kernels addon (src/native/kernels.c), registered into TensorFlow when the
 * native package was loaded: built by the setup command; absent from an ordinary npm install of tfjs-node, or with
 * DEEP_SVDD_OWN_KERNELS=0 (then TensorFlow's own ops run).
 */
export function ownNativeOps(): readonly string[] {
  return ownOps;
}

export interface NativeLoaded { ok: true; location: NativeLocation; version: string }

/**
 * Finds and loads the native backend for `variant` and makes it the active TF.js backend. `threads` sizes
 * TensorFlow's intra-op pool (TF_NUM_INTRAOP_THREADS, unless set) and the inter-op pool gets
 * NATIVE_INTEROP_THREADS (./thread-policy.ts decides both); they are read when TensorFlow starts, so the first load
 * in a process decides.
 */
export async function loadNative(variant: NativeVariant, threads: number): Promise<NativeLoaded | { ok: false; why: string }> {
  const where = findNative(variant);
  if ('why' in where) return { ok: false, why: where.why };
  process.env.TF_NUM_INTRAOP_THREADS ??= String(threads);
  process.env.TF_NUM_INTEROP_THREADS ??= String(NATIVE_INTEROP_THREADS);
  const tf = tfjs();
  try {
    if (!tf.findBackendFactory('tensorflow')) loadNativePackage(where.dir);
    const ok = await tf.setBackend('tensorflow');
    if (!ok) return { ok: false, why: `${where.dir} loaded but its backend did not initialise` };
  } catch (e) {
    return { ok: false, why: `${where.pkg} in ${where.dir} failed to load: ${(e as Error).message.split('\n')[0]}` };
  }
  let version = TFJS_NODE_VERSION;
  try { version = (JSON.parse(fs.readFileSync(path.join(where.dir, 'package.json'), 'utf8')) as { version: string }).version; } catch { /* keep the pinned one */ }
  return { ok: true, location: where, version };
}
