/** The native backend's pure parts: the cache folder, finding a cached build, and --backend auto's choice. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { autoChoice, STEP_MS } from '../../src/backend/auto.js';
import { NETWORKS } from '../../src/nn/architectures.js';
import { cacheDir, findCachedBuild, MANIFEST_FILE, nativeKey, TENSORFLOW_VERSION, TFJS_NODE_VERSION, type NativeManifest } from '../../src/backend/native.js';
import { resolveThreads, wasmThreads } from '../../src/backend/select.js';
import { elfMachine, wheelVersion } from '../../src/native/prereqs.js';

test('the cache folder: DEEP_SVDD_CACHE, else XDG_CACHE_HOME/deep-svdd, else ~/.cache/deep-svdd', () => {
  assert.equal(cacheDir({ DEEP_SVDD_CACHE: '/a/b', XDG_CACHE_HOME: '/x' }), '/a/b');
  assert.equal(cacheDir({ XDG_CACHE_HOME: '/x' }), '/x/deep-svdd');
  assert.equal(cacheDir({}), path.join(os.homedir(), '.cache', 'deep-svdd'));
});

test('a cached build is found by its manifest; the pinned TensorFlow wins over a newer build of another', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-native-'));
  try {
    assert.equal(findCachedBuild('cpu', root), undefined);
    const put = (tensorflow: string, variant: 'cpu' | 'gpu', builtAt: string) => {
      const dir = path.join(root, nativeKey(variant, tensorflow));
      fs.mkdirSync(dir);
      const m: NativeManifest = { tfjsNode: TFJS_NODE_VERSION, tensorflow, variant, platform: process.platform, arch: process.arch, napi: 8, source: 'test', builtAt };
      fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(m));
      return dir;
    };
    fs.mkdirSync(path.join(root, '.tmp-1-unfinished')); // an unfinished setup is never used
    fs.mkdirSync(path.join(root, 'no-manifest'));
    const other = put('2.99.0', 'cpu', '2026-02-01T00:00:00Z');
    assert.equal(findCachedBuild('cpu', root)?.dir, other);
    const pinned = put(TENSORFLOW_VERSION, 'cpu', '2026-01-01T00:00:00Z');
    assert.equal(findCachedBuild('cpu', root)?.dir, pinned);
    assert.equal(findCachedBuild('gpu', root), undefined);
    const gpu = put(TENSORFLOW_VERSION, 'gpu', '2026-01-01T00:00:00Z');
    assert.equal(findCachedBuild('gpu', root)?.dir, gpu);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('--backend auto takes the backend with the smaller measured step time, and says why', () => {
  for (const [net, t] of Object.entries(STEP_MS)) {
    const c = autoChoice(net);
    const total = (b: 'wasm' | 'tensorflow') => t[b].encoder + t[b].autoencoder;
    assert.equal(c.backend, total('tensorflow') < total('wasm') ? 'tensorflow' : 'wasm', net);
    assert.match(c.why, new RegExp(`faster on ${net}`));
  }
  assert.equal(autoChoice(undefined).backend, 'wasm');
  // every convolutional network has measured times (one without them would silently train on wasm)
  for (const [net, spec] of Object.entries(NETWORKS)) if (spec.convolutional) assert.ok(STEP_MS[net], `${net} has no entry in STEP_MS (src/backend/auto.ts)`);
  assert.equal(autoChoice('some_other_net').backend, 'wasm');
});

test('--threads 0 means every core on native, one thread on wasm', () => {
  assert.equal(resolveThreads(3), 3);
  assert.equal(resolveThreads(0), os.availableParallelism());
  assert.equal(wasmThreads(0), 1);
  assert.equal(wasmThreads(2), 2);
});

test('wheel versions and ELF machines are read from the files', () => {
  assert.equal(wheelVersion('/x/tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl'), '2.21.0');
  assert.equal(wheelVersion('tensorflow-2.20.1-cp312-cp312-manylinux_2_17_aarch64.whl'), '2.20.1');
  const f = path.join(os.tmpdir(), `deep-svdd-elf-${process.pid}`);
  const b = Buffer.alloc(20);
  b.writeUInt32BE(0x7f454c46, 0); b[5] = 1; b.writeUInt16LE(0xb7, 18);
  fs.writeFileSync(f, b);
  assert.equal(elfMachine(f), 0xb7);
  fs.writeFileSync(f, 'not elf at all, really');
  assert.equal(elfMachine(f), undefined);
  fs.rmSync(f);
  assert.equal(elfMachine(process.execPath), os.arch() === 'arm64' ? 0xb7 : 0x3e);
});
