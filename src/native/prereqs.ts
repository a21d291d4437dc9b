/**
 * What `deep-svdd setup tensorflow` needs, checked before anything is downloaded or built. Each check throws a
 * one-line UserError naming the fix.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { fileKind, openRegular, readFailure } from '../util/files.js';

/** Runs `cmd args` quietly; true if it started and exited with 0. */
export function runs(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', env, timeout: 60_000 });
  return !r.error && r.status === 0;
}

/** Wheel / ELF names of this process's architecture. */
const ARCH: Record<string, { wheel: string; elf: number }> = {
  x64: { wheel: 'x86_64', elf: 0x3e },
  arm64: { wheel: 'aarch64', elf: 0xb7 },
};

export function checkPlatform(platform = process.platform, arch = process.arch): void {
  if (platform !== 'linux') {
    throw new UserError(`setup tensorflow builds for Linux only (this is ${platform}): use --backend wasm, or install @tensorflow/tfjs-node with npm`);
  }
  if (!ARCH[arch]) throw new UserError(`setup tensorflow knows no TensorFlow wheel for ${arch}: use --backend wasm`);
}

/** The wheel's file name says the architecture (…_x86_64.whl); it must be this machine's. */
export function checkWheel(file: string, arch = process.arch): void {
  if (!fs.existsSync(file)) {
    throw new UserError(`--wheel ${file}: wheel not found: check the path, or leave out --wheel to download TensorFlow with pip`);
  }
  const st = fs.statSync(file);
  if (!st.isFile()) throw new UserError(`--wheel ${file} is ${fileKind(st)}, not a wheel file: name the .whl file pip downloaded`);
  const name = path.basename(file);
  const m = /^(tensorflow(?:_cpu)?)-([^-]+)-.*-([a-z0-9_]+)\.whl$/i.exec(name);
  if (!m) throw new UserError(`--wheel ${file}: not a TensorFlow wheel (tensorflow-VERSION-…-PLATFORM.whl or tensorflow_cpu-…): name the wheel file pip downloaded`);
  const want = ARCH[arch]?.wheel;
  if (!m[3].endsWith(want)) {
    throw new UserError(`--wheel ${file} is built for ${m[3]}, this machine is ${want ?? arch} (wrong architecture): use the ${want} wheel`);
  }
}

export function wheelVersion(file: string): string {
  return /^tensorflow(?:_cpu)?-([^-]+)-/i.exec(path.basename(file))?.[1] ?? 'unknown';
}

/** ELF machine of a shared library (bytes 18–19), or undefined if it is not ELF. */
export function elfMachine(file: string): number | undefined {
  let fd: number;
  try {
    fd = openRegular(file).fd;
  } catch (e) {
    throw new UserError(`${file}: cannot read it (${readFailure(e)}): name a TensorFlow whose libraries are regular files`);
  }
  try {
    const b = Buffer.alloc(20);
    fs.readSync(fd, b, 0, 20, 0);
    if (b.readUInt32BE(0) !== 0x7f454c46) return undefined;
    return b[5] === 2 ? b.readUInt16BE(18) : b.readUInt16LE(18);
  } finally { fs.closeSync(fd); }
}

export const TF_LIBS = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'] as const;

export function checkLibArch(file: string, what: string, arch = process.arch): void {
  const m = elfMachine(file);
  if (m === undefined) throw new UserError(`${what}: ${file} is not a Linux shared library: name a Linux TensorFlow`);
  if (m !== ARCH[arch]?.elf) {
    throw new UserError(`${what}: ${path.basename(file)} is built for another architecture (ELF machine 0x${m.toString(16)}), this machine is ${arch} (wrong architecture): use TensorFlow built for ${ARCH[arch]?.wheel ?? arch}`);
  }
}

/** A TensorFlow folder (an installed package's `tensorflow/`): the two libraries and the C headers. */
export function checkTensorflowDir(dir: string, arch = process.arch): void {
  const what = `--tensorflow-dir ${dir}`;
  if (!fs.existsSync(dir)) throw new UserError(`${what}: folder not found: name the tensorflow/ folder of an installed TensorFlow (python3 -c "import tensorflow as t, os; print(os.path.dirname(t.__file__))")`);
  for (const lib of TF_LIBS) {
    if (!fs.existsSync(path.join(dir, lib))) throw new UserError(`${what} has no ${lib}: name the tensorflow/ folder of TensorFlow 2.x's PyPI package`);
  }
  if (!fs.existsSync(path.join(dir, 'include', 'tensorflow', 'c', 'c_api.h'))) {
    throw new UserError(`${what} has no include/tensorflow/c/c_api.h: name the tensorflow/ folder of TensorFlow 2.x's PyPI package`);
  }
  for (const lib of TF_LIBS) checkLibArch(path.join(dir, lib), what, arch);
}

/** The TensorFlow version of a package folder, from the dist-info next to it. */
export function tensorflowDirVersion(dir: string): string {
  try {
    const parent = path.dirname(path.resolve(dir));
    const info = fs.readdirSync(parent).find((n) => /^tensorflow(_cpu)?-[^-]+\.dist-info$/.test(n));
    if (info) return /-([^-]+)\.dist-info$/.exec(info)![1];
  } catch { /* fall through */ }
  return 'local';
}

export function checkPython(python: string, env: NodeJS.ProcessEnv = process.env, needPip = true): void {
  if (!runs(python, ['--version'], env)) {
    throw new UserError(`no Python found (${python}): install python3 and pip, name one with --python, or give TensorFlow as --wheel FILE or --tensorflow-dir DIR`);
  }
  if (needPip && !runs(python, ['-m', 'pip', '--version'], env)) {
    throw new UserError(`${python} has no pip: install it (Debian: apt-get install python3-pip), name another Python with --python, or give a wheel with --wheel FILE`);
  }
}

export function checkCompiler(env: NodeJS.ProcessEnv = process.env): void {
  const cxx = env.CXX || 'g++';
  if (!runs(cxx, ['--version'], env)) throw new UserError(`no C++ compiler found (${cxx}): install one (Debian: apt-get install g++ make), or name it with CXX=...`);
  const cc = env.CC || 'gcc';
  if (!runs(cc, ['--version'], env)) throw new UserError(`no C compiler found (${cc}): install one (Debian: apt-get install gcc g++ make), or name it with CC=...`);
  if (!runs('make', ['--version'], env)) throw new UserError('no make found: install it (Debian: apt-get install make)');
}

/** Node's headers for node-gyp: <nodedir>/include/node/node_api.h. */
export function checkNodeHeaders(nodedir: string): void {
  if (!fs.existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) {
    throw new UserError(`Node's headers not found (${path.join(nodedir, 'include', 'node')}/node_api.h): install them (Debian: apt-get install libnode-dev), or name their prefix with --nodedir`);
  }
}

/** The prefix Node was installed into (/usr for /usr/bin/node): where its headers are. */
export function defaultNodeDir(): string {
  return path.dirname(path.dirname(fs.realpathSync(process.execPath)));
}

/** npm's own node-gyp (npm ships one), found next to the npm on PATH. */
export function findNodeGyp(env: NodeJS.ProcessEnv = process.env): string {
  const candidates: string[] = [];
  if (env.npm_execpath) candidates.push(path.join(path.dirname(path.dirname(env.npm_execpath)), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const npm = path.join(dir, 'npm');
    if (!dir || !fs.existsSync(npm)) continue;
    const real = fs.realpathSync(npm); // …/lib/node_modules/npm/bin/npm-cli.js
    candidates.push(path.join(path.dirname(path.dirname(real)), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new UserError('no node-gyp found (npm ships one; is npm on PATH?): install npm, or `npm install -g node-gyp`');
  return found;
}

export function checkNpm(env: NodeJS.ProcessEnv = process.env): void {
  if (!runs('npm', ['--version'], env)) throw new UserError('no npm found on PATH: the setup fetches @tensorflow/tfjs-node with npm; install npm');
}

/** Free space where the cache is (its nearest existing folder); `needMb` may be lowered or raised by tests. */
export function checkDiskSpace(dir: string, needMb: number): void {
  let d = path.resolve(dir);
  while (!fs.existsSync(d)) d = path.dirname(d);
  const s = fs.statfsSync(d);
  const freeMb = (s.bavail * s.bsize) / 2 ** 20;
  if (freeMb < needMb) {
    throw new UserError(`not enough disk space in ${d}: the setup needs about ${(needMb / 1024).toFixed(1)} GB, ${(freeMb / 1024).toFixed(1)} GB are free: free some, or point DEEP_SVDD_CACHE at a larger disk`);
  }
}

/** An NVIDIA GPU this machine can use: nvidia-smi on PATH or a /dev/nvidia* device. */
export function hasNvidiaGpu(env: NodeJS.ProcessEnv = process.env, devDir = '/dev'): boolean {
  try {
    if (fs.readdirSync(devDir).some((n) => /^nvidia\d+$/.test(n))) return true;
  } catch { /* no /dev */ }
  return runs('nvidia-smi', ['-L'], env);
}
