/**
 * Chooses and initialises the TF.js backend, in one place.
 *
 *   --backend auto (default): per network, the one of native tensorflow and wasm that the benchmark measured faster
 *     (./auto.ts), falling back to wasm when the native backend is not set up.
 *   --backend wasm | cpu | tensorflow: exactly that one, or a one-line error saying how to get it.
 *   --device gpu / gpu0 / cuda needs the native GPU build (`deep-svdd setup tensorflow --gpu`).
 *   --threads: how many threads each backend gets is ./thread-policy.ts's answer (0 = auto: every core on native,
 *     one thread on wasm); this module applies it.
 *
 * tfjs-node is never a dependency of this package (its install script downloads libtensorflow from outside the
 * npm registry); ./native.ts finds it (an ordinary install, or the build of `deep-svdd setup tensorflow`).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs'; // registers every op's gradient (tfjs-core alone registers none)
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { UserError } from '../util/errors.js';
import { autoChoice } from './auto.js';
import { BACKEND_CHOICES, isGpuDevice, validateDevice, type BackendChoice } from './device.js';
import { registerKernelFixes } from './kernel-fixes.js';
import { ADAM_KERNEL, BN_EVAL_OP, registerNativeKernels } from './native-kernels.js';
import { SETUP_COMMAND, loadNative, ownNativeOps, setupHint, type NativeVariant } from './native.js';
import { setSimdThreads, simdInfo } from './simd/loader.js';
import { runThreads } from './thread-policy.js';
import { enableWasmThreads } from './threads.js';

export { BACKEND_CHOICES, isGpuDevice, validateDevice, type BackendChoice };
export { resolveThreads, wasmThreads } from './thread-policy.js';

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
  /** --backend auto: why this backend */
  reason?: string;
  versions: Record<string, string>;
  notes: string[];
}

export interface SelectOptions {
  backend: BackendChoice; device: string;
  /** 0 = every core */
  threads: number;
  /** the network to run (mnist_LeNet, cifar10_LeNet): --backend auto chooses by it, and XNNPACK's share of the threads on wasm */
  net?: string;
  /** XNNPACK's threads on wasm, fixed by the caller (tests, the benchmark) instead of the network's share */
  xnnpackThreads?: number;
}

export async function selectBackend(opts: SelectOptions): Promise<BackendInfo> {
  const { backend, device } = opts;
  validateDevice(device);
  const gpu = isGpuDevice(device);
  const notes: string[] = [];
  const versions: Record<string, string> = { 'tfjs-core': tf.version_core, node: process.versions.node };

  if (gpu && (backend === 'wasm' || backend === 'cpu')) {
    throw new UserError(`--device ${device} needs the native GPU backend, but --backend ${backend} was given: use --backend auto or --device cpu`);
  }
  const auto = backend === 'auto' && !gpu ? autoChoice(opts.net) : undefined;
  let reason: string | undefined;
  if (gpu || backend === 'tensorflow' || auto?.backend === 'tensorflow') {
    const variant: NativeVariant = gpu ? 'gpu' : 'cpu';
    const native = runThreads({
      backend: 'tensorflow', threads: opts.threads, env: { intraOp: process.env.TF_NUM_INTRAOP_THREADS, interOp: process.env.TF_NUM_INTEROP_THREADS },
    });
    const r = await loadNative(variant, native.threads);
    if (r.ok) {
      versions[r.location.pkg.replace('@tensorflow/', '')] = r.version;
      versions.tensorflow = r.location.tensorflow;
      if (r.location.origin === 'cache') notes.push(`native build ${r.location.dir}`);
      if (process.env.DEEP_SVDD_OWN_KERNELS === '0') notes.push('deep-svdd\'s own kernels turned off by DEEP_SVDD_OWN_KERNELS=0');
      else if (r.location.origin === 'cache' && variant === 'cpu' && ownNativeOps().length === 0) {
        notes.push(`the build has none of deep-svdd's own kernels (MNIST steps 10–20 % slower): run \`${SETUP_COMMAND}\` to rebuild it`);
      } else if (r.location.origin === 'cache' && variant === 'cpu' && !ownNativeOps().includes(BN_EVAL_OP)) {
        notes.push(`the build predates deep-svdd's eval-mode batch-norm kernel (MNIST inference passes several times slower): run \`${SETUP_COMMAND}\` to rebuild it`);
      }
      return {
        name: 'tensorflow', requested: backend, device, package: r.location.pkg, threads: native.threads,
        kernelFixes: registerNativeKernels(), reason: auto?.why, versions, notes,
      };
    }
    if (gpu) throw new UserError(`--device ${device} needs the native GPU backend (${r.why}): ${setupHint('gpu')}`);
    if (backend === 'tensorflow') throw new UserError(`--backend tensorflow needs the native backend (${r.why}): ${setupHint('cpu')}`);
    reason = `tensorflow would be ${auto!.why}, but it is not set up (${r.why}; \`deep-svdd setup tensorflow\` sets it up)`;
  } else if (auto) {
    reason = auto.why;
  }

  if (backend === 'cpu') {
    const fixes = registerKernelFixes('cpu');
    await tf.setBackend('cpu');
    await tf.ready();
    versions['tfjs-backend-cpu'] = tf.version_core;
    notes.push('the pure-JS cpu backend is about 100× slower than wasm for training');
    return { name: 'cpu', requested: backend, device, package: '@tensorflow/tfjs-backend-cpu', threads: runThreads({ backend: 'cpu', threads: opts.threads }).threads, kernelFixes: fixes, reason, versions, notes };
  }

  // wasm (default)
  const { threads, xnnpack: xnnpackThreads = threads } = runThreads({ backend: 'wasm', threads: opts.threads, net: opts.net, xnnpack: opts.xnnpackThreads });
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
    simd, threads: used, xnnpackThreads: getThreadsCount(), fma: kernels?.fma, kernelFixes: fixes, reason, versions, notes,
  };
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
  if (b.versions.tensorflow) parts.push(`TensorFlow ${b.versions.tensorflow}`);
  if (b.name === 'tensorflow') parts.push(`deep-svdd's own kernels ${b.kernelFixes.includes(ADAM_KERNEL) ? 'on' : 'off'}`);
  const line = parts.join(', ');
  return b.reason ? `${line}; chosen by --backend auto: ${b.reason}` : line;
}
