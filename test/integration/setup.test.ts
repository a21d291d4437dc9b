/**
 * `deep-svdd setup tensorflow`: every missing prerequisite ends in one line naming the fix, a non-zero exit, and
 * nothing in the cache; an interrupted setup leaves the cache as it was. Nothing here builds anything (the build
 * itself is checked by .ci/run and the native parity tests).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-setup-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

/** a PATH folder with links to the named programs only (those that exist here) */
function binDir(name: string, programs: string[]): string {
  const dir = path.join(tmp, `bin-${name}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const p of programs) {
    const found = (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, p)).find((f) => fs.existsSync(f));
    if (found) fs.symlinkSync(found, path.join(dir, p));
  }
  return dir;
}

/** a fake python: `--version` works; `-m pip …` runs the given shell snippet */
function fakePython(name: string, pip: string): string {
  const file = path.join(tmp, `python-${name}`);
  fs.writeFileSync(file, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Python 3.11.0"; exit 0; fi\nif [ "$1" = "-m" ] && [ "$2" = "pip" ]; then ${pip}\nfi\nexit 1\n`, { mode: 0o755 });
  return file;
}

const ALL = ['node', 'npm', 'python3', 'gcc', 'g++', 'make', 'sh'];

function cacheFor(name: string): string {
  return path.join(tmp, `cache-${name}`);
}

/** the cache holds no build and no temporary folder (a log of a failed build is fine) */
function assertNothingInstalled(cache: string): void {
  const native = path.join(cache, 'native');
  const left = fs.existsSync(native) ? fs.readdirSync(native).filter((n) => n !== 'last-setup.log') : [];
  assert.deepEqual(left, [], `the cache should be as before, has ${left.join(', ')}`);
}

function expectSetupError(name: string, args: string[], pattern: RegExp, env: NodeJS.ProcessEnv = {}): void {
  const cache = cacheFor(name);
  const r = spawnSync(process.execPath, [cli, 'setup', 'tensorflow', ...args], {
    cwd: tmp, encoding: 'utf8', timeout: 120_000, env: { ...process.env, DEEP_SVDD_CACHE: cache, ...env },
  });
  assert.notEqual(r.status, 0, `exit code (stderr: ${r.stderr})`);
  // progress lines ("deep-svdd setup: …") may come first; the error is one line
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('deep-svdd setup: '));
  assert.equal(lines.length, 1, `the error should be one line, got:\n${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  assertNothingInstalled(cache);
}

test('no Python: names python3, --wheel and --tensorflow-dir', () => {
  expectSetupError('nopython', ['--python', path.join(tmp, 'no-such-python')], /^deep-svdd: no Python found .*install python3.*--wheel/);
  const bin = binDir('nopython', ALL.filter((p) => p !== 'python3'));
  expectSetupError('nopython-path', [], /^deep-svdd: no Python found \(python3\)/, { PATH: bin });
});

test('a Python without pip: names how to install pip', () => {
  expectSetupError('nopip', ['--python', fakePython('nopip', 'exit 1')], /has no pip: install it/);
});

test('no C++ compiler, no make: names the packages to install', () => {
  const py = fakePython('ok', 'exit 0');
  expectSetupError('nocxx', ['--python', py], /no C\+\+ compiler found \(g\+\+\): install one/, { PATH: binDir('nocxx', ALL.filter((p) => p !== 'g++')) });
  expectSetupError('nocxx-env', ['--python', py], /no C\+\+ compiler found \(\/no\/such\/c\+\+\)/, { CXX: '/no/such/c++' });
  expectSetupError('nomake', ['--python', py], /no make found: install it/, { PATH: binDir('nomake', ALL.filter((p) => p !== 'make')) });
});

test('no Node headers: names --nodedir and the package', () => {
  const empty = path.join(tmp, 'empty-prefix');
  fs.mkdirSync(empty, { recursive: true });
  expectSetupError('noheaders', ['--python', fakePython('ok2', 'exit 0'), '--nodedir', empty], /Node's headers not found .*install them.*--nodedir/);
});

test('not enough disk space: names DEEP_SVDD_CACHE', () => {
  expectSetupError('nodisk', ['--python', fakePython('ok3', 'exit 0')], /not enough disk space in .*DEEP_SVDD_CACHE/, { DEEP_SVDD_SETUP_NEED_MB: String(1e12) });
});

test('a wheel that is not there, or for another architecture', () => {
  expectSetupError('nowheel', ['--wheel', path.join(tmp, 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl')], /wheel not found: check the path/);
  const other = os.arch() === 'arm64' ? 'x86_64' : 'aarch64';
  const wrong = path.join(tmp, `tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_17_${other}.whl`);
  fs.writeFileSync(wrong, 'not really a wheel');
  expectSetupError('wrongarch', ['--wheel', wrong], new RegExp(`built for manylinux_2_17_${other}.*wrong architecture`));
});

test('a TensorFlow folder whose libraries are for another architecture', () => {
  const dir = path.join(tmp, 'tf-other-arch');
  fs.mkdirSync(path.join(dir, 'include', 'tensorflow', 'c'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'include', 'tensorflow', 'c', 'c_api.h'), '');
  const elf = Buffer.alloc(64);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2; elf[5] = 1; // 64-bit, little-endian
  elf.writeUInt16LE(os.arch() === 'arm64' ? 0x3e : 0xb7, 18);
  for (const lib of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) fs.writeFileSync(path.join(dir, lib), elf);
  expectSetupError('dirarch', ['--tensorflow-dir', dir], /another architecture .*wrong architecture/);
  expectSetupError('nodir', ['--tensorflow-dir', path.join(tmp, 'nothing')], /folder not found/);
});

test('--gpu on a machine without an NVIDIA GPU says so', (t) => {
  const gpu = fs.readdirSync('/dev').some((n) => /^nvidia\d+$/.test(n)) || spawnSync('nvidia-smi', ['-L']).status === 0;
  if (gpu) { t.skip('this machine has an NVIDIA GPU'); return; }
  expectSetupError('gpu', ['--gpu'], /--gpu .*no NVIDIA GPU \(no nvidia-smi, no \/dev\/nvidia\*\): run the setup without --gpu/);
});

test('pip cannot download TensorFlow: one line naming --wheel, nothing installed', () => {
  expectSetupError('pipfails', ['--python', fakePython('pipfails', '[ "$3" = "--version" ] && exit 0; echo "ERROR: No matching distribution found for tensorflow-cpu==2.21.0" >&2; exit 1')],
    /pip download tensorflow-cpu==2\.21\.0 failed .*No matching distribution.*--wheel FILE/);
});

test('an interrupted setup leaves nothing behind', async () => {
  const cache = cacheFor('interrupted');
  const py = fakePython('slow', '[ "$3" = "--version" ] && exit 0; sleep 60; exit 1');
  const child = spawn(process.execPath, [cli, 'setup', 'tensorflow', '--python', py], { env: { ...process.env, DEEP_SVDD_CACHE: cache }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`setup never reached the download: ${stderr}`)); }, 90_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += String(d);
      if (stderr.includes('downloading tensorflow-cpu')) { clearTimeout(timer); child.kill('SIGINT'); resolve(); }
    });
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /setup interrupted \(SIGINT\): nothing was installed/);
  assertNothingInstalled(cache);
});

test('--backend tensorflow without a native backend names the setup command', () => {
  const r = spawnSync(process.execPath, [cli, 'train', '--backend', 'tensorflow', '--n-train', '200', '--n-test', '50', '--n-epochs', '1', '--ae-n-epochs', '1', '--batch-size', '100', '--xp-dir', path.join(tmp, 'xp-native')], {
    cwd: tmp, encoding: 'utf8', timeout: 120_000, env: { ...process.env, DEEP_SVDD_CACHE: cacheFor('none') },
  });
  const resolvable = fs.existsSync(path.join(root, 'node_modules', '@tensorflow', 'tfjs-node'));
  if (resolvable) return; // an ordinary install of tfjs-node is used instead
  assert.notEqual(r.status, 0);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /--backend tensorflow needs the native backend .*run `deep-svdd setup tensorflow`/);
});
