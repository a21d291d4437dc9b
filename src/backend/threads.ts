/**
 * Multithreaded wasm backend under Node (opt-in, `--threads N`): shared memory, so that our SIMD kernels can run on
 * worker threads (./simd/pool.ts), and XNNPACK's own thread pool. How many threads is ./thread-policy.ts's decision.
 *
 * tfjs-backend-wasm hard-codes WASM_HAS_MULTITHREAD_SUPPORT=false under Node (tfjs issue #3830) and hands
 * Emscripten a blob: URL for its pthread worker, which Node's worker_threads cannot load. We write the worker script
 * to a real file that loads the Emscripten glue from node_modules, force the flag on, and, while the module starts,
 * make os.cpus() report twice the CPUs (the C++ side caps the pool at logical cores / 2).
 * This relies on a private string in the package: the needle is checked before any flag is touched.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);
const NEEDLE = 'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}';

/**
 * Prepares threaded wasm (shared memory, `xnnpackThreads` threads for XNNPACK); returns a function to call after
 * tf.ready(). Throws if the package changed.
 */
export function enableWasmThreads(xnnpackThreads: number): () => void {
  const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const mainJs = path.join(dir, 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  if (typeof wasmWorkerContents !== 'string' || !wasmWorkerContents.includes(NEEDLE)) {
    throw new Error('the wasm worker source of this tfjs version is not the one the threads patch knows');
  }
  const src = wasmWorkerContents.replace(NEEDLE, `importScripts(${JSON.stringify(mainJs)});`);
  const workerFile = path.join(os.tmpdir(), `deep-svdd-wasm-worker-${process.pid}.cjs`);
  fs.writeFileSync(workerFile, src.replace(/\n/g, '\\n'));
  process.on('exit', () => { try { fs.unlinkSync(workerFile); } catch { /* already gone */ } });
  const origUrl = URL.createObjectURL;
  URL.createObjectURL = ((blob: Blob) =>
    (blob && blob.type === 'application/javascript') ? workerFile : origUrl.call(URL, blob)) as typeof URL.createObjectURL;
  const origCpus = os.cpus;
  os.cpus = () => { const c = origCpus.call(os); return c.concat(c); };
  const restoreWorker = smallWorkerHeaps();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(xnnpackThreads);
  return () => { os.cpus = origCpus; restoreWorker(); };
}

/**
 * Emscripten starts eight pthread workers whatever the thread count, each a Node worker with its own JavaScript
 * heap; they allocate next to nothing, so they get a 1 MB young generation (about 12 MB less in all). The glue sets
 * `global.Worker = worker_threads.Worker` while the module starts: a setter hands it a subclass instead.
 */
function smallWorkerHeaps(): () => void {
  const before = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  let current: unknown = before?.value;
  Object.defineProperty(globalThis, 'Worker', {
    configurable: true,
    get: () => current,
    set: (v: unknown) => {
      current = v === NodeWorker
        ? class extends NodeWorker {
          constructor(file: string | URL, options?: WorkerOptions) {
            super(file, { ...options, resourceLimits: { maxYoungGenerationSizeMb: 1, ...options?.resourceLimits } });
          }
        }
        : v;
    },
  });
  return () => {
    if (before) Object.defineProperty(globalThis, 'Worker', before);
    else Object.defineProperty(globalThis, 'Worker', { configurable: true, writable: true, value: current });
  };
}
