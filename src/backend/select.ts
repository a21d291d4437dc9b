/**
 * Chooses and initialises the TF.js backend, in one place.
 *
 *   --backend auto (default): native @tensorflow/tfjs-node(-gpu) when the user has installed it, else wasm.
 *   --backend wasm | cpu | tensorflow: exactly that one, or a one-line error saying how to get it.
 *   --device cpu prefers native; --device gpu / gpu0 / cuda needs @tensorflow/tfjs-node-gpu.
 *
 * tfjs-node is never a dependency of this package (its install script downloads libtensorflow from outside the
 * npm registry); it is loaded at run time when it resolves.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs'; // registers every op's gradient (tfjs-core alone registers none)
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { UserError } from '../util/errors.js';
import { BACKEND_CHOICES, isGpuDevice, validateDevice, type BackendChoice } from './device.js';
import { registerKernelFixes } from './kernel-fixes.js';
import { enableWasmThreads } from './threads.js';
import { setSimdThreads, simdInfo } from './simd/loader.js';

const require = createRequire(import.meta.url);

export { BACKEND_CHOICES, isGpuDevice, validateDevice, type BackendChoice };

export interface BackendInfo {
  /** the TF.js backend name that runs the math: wasm, cpu or tensorflow */
  name: string;
  requested: BackendChoice;
  device: string;
  /** npm package that provides it */
  package: string;
  simd?: boolean;
  /** threads of our SIMD kernels (wasm) */
  threads?: number;
  /** threads of XNNPACK's ops (wasm) */
  xnnpackThreads?: number;
  /** the SIMD kernels fuse multiply-adds (relaxed SIMD) */
  fma?: boolean;
  kernelFixes: string[];
  versions: Record<string, string>;
  notes: string[];
}

function tryResolve(pkg: string): string | undefined {
  try { return require.resolve(pkg); } catch { return undefined; }
}

async function loadNative(pkg: string): Promise<{ ok: true } | { ok: false; why: string }> {
  const resolved = tryResolve(pkg);
  if (!resolved) return { ok: false, why: `${pkg} is not installed` };
  try {
    await import(pkg);
    const ok = await tf.setBackend('tensorflow');
    return ok ? { ok: true } : { ok: false, why: `${pkg} loaded but its backend did not initialise` };
  } catch (e) {
    return { ok: false, why: `${pkg} failed to load: ${(e as Error).message.split('\n')[0]}` };
  }
}

const GPU_HINT = 'install it with `npm install @tensorflow/tfjs-node-gpu@4.22.0` on a machine with CUDA 11.2 and cuDNN 8.1 (it downloads libtensorflow), or use --device cpu';
const NATIVE_HINT = 'install it with `npm install @tensorflow/tfjs-node@4.22.0` (it downloads libtensorflow), or use --backend wasm';

export interface SelectOptions {
  backend: BackendChoice; device: string; threads: number;
  /** XNNPACK's share of the threads (default all; see xnnpackThreadsFor in ./threads.ts) */
  xnnpackThreads?: number;
}

export async function selectBackend(opts: SelectOptions): Promise<BackendInfo> {
  const { backend, device, threads } = opts;
  const xnnpackThreads = Math.min(threads, opts.xnnpackThreads ?? threads);
  validateDevice(device);
  const gpu = isGpuDevice(device);
  const notes: string[] = [];
  const versions: Record<string, string> = { 'tfjs-core': tf.version_core, node: process.versions.node };

  if (gpu && (backend === 'wasm' || backend === 'cpu')) {
    throw new UserError(`--device ${device} needs the native GPU backend, but --backend ${backend} was given: use --backend auto or --device cpu`);
  }
  if (gpu || backend === 'tensorflow' || backend === 'auto') {
    const pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
    const r = await loadNative(pkg);
    if (r.ok) {
      versions[pkg.replace('@tensorflow/', '')] = readVersion(pkg);
      return { name: 'tensorflow', requested: backend, device, package: pkg, kernelFixes: [], versions, notes };
    }
    if (gpu) throw new UserError(`--device ${device} needs @tensorflow/tfjs-node-gpu (${r.why}): ${GPU_HINT}`);
    if (backend === 'tensorflow') throw new UserError(`--backend tensorflow needs @tensorflow/tfjs-node (${r.why}): ${NATIVE_HINT}`);
    notes.push(`native backend not used: ${r.why}`);
  }

  if (backend === 'cpu') {
    const fixes = registerKernelFixes('cpu');
    await tf.setBackend('cpu');
    await tf.ready();
    versions['tfjs-backend-cpu'] = tf.version_core;
    notes.push('the pure-JS cpu backend is about 100× slower than wasm for training');
    return { name: 'cpu', requested: backend, device, package: '@tensorflow/tfjs-backend-cpu', threads: 1, kernelFixes: fixes, versions, notes };
  }

  // wasm (default)
  let restore: (() => void) | undefined;
  if (threads > 1) {
    try {
      restore = enableWasmThreads(xnnpackThreads);
      setSimdThreads(threads);
    } catch (e) {
      notes.push(`--threads ${threads} unavailable (${(e as Error).message}); using 1 thread`);
      setThreadsCount(1);
      setSimdThreads(1);
    }
  } else {
    setThreadsCount(1);
    setSimdThreads(1);
  }
  const fixes = registerKernelFixes('wasm');
  const ok = await tf.setBackend('wasm');
  await tf.ready();
  restore?.();
  if (!ok || tf.getBackend() !== 'wasm') throw new UserError('the WebAssembly backend failed to initialise: try --backend cpu');
  versions['tfjs-backend-wasm'] = version_wasm;
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const kernels = simdInfo(tf.backend());
  if (!kernels) notes.push('the deep-svdd SIMD kernels are off or not built (npm run build); slower JavaScript kernels run instead');
  else if (!kernels.fma) notes.push('this engine has no relaxed SIMD: the SIMD kernels multiply and add separately');
  const used = kernels?.threads ?? getThreadsCount();
  if (threads > 1 && used < threads) notes.push(`the SIMD kernels run on ${used} thread${used === 1 ? '' : 's'} (worker threads did not start)`);
  return {
    name: 'wasm', requested: backend, device, package: '@tensorflow/tfjs-backend-wasm',
    simd, threads: used, xnnpackThreads: getThreadsCount(), fma: kernels?.fma, kernelFixes: fixes, versions, notes,
  };
}

function readVersion(pkg: string): string {
  try { return (require(`${pkg}/package.json`) as { version: string }).version; } catch { return 'unknown'; }
}

export function describeBackend(b: BackendInfo): string {
  const parts = [`backend ${b.name} (${b.package})`];
  if (b.simd !== undefined) parts.push(`SIMD ${b.simd ? 'on' : 'off'}`);
  if (b.threads !== undefined) {
    const xnn = b.xnnpackThreads !== undefined && b.xnnpackThreads !== b.threads ? ` (XNNPACK ${b.xnnpackThreads})` : '';
    parts.push(`${b.threads} thread${b.threads === 1 ? '' : 's'}${xnn}`);
  }
  if (b.fma !== undefined) parts.push(`fused multiply-add ${b.fma ? 'on' : 'off'}`);
  parts.push(`tfjs ${b.versions['tfjs-core']}`);
  return parts.join(', ');
}
