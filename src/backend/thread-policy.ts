/**
 * The thread policy, in one place: how many threads a run's backend gets and how a sweep shares the cores among its
 * runs. Pure functions of their inputs (cores, --threads, --jobs, the backend, the network, the TF_NUM_* variables);
 * select.ts applies a run's answer, run-inputs.ts passes the network, sweep.ts asks for a sweep's.
 *
 * A run (`--threads N`, 0 = auto):
 *   - native tensorflow: N threads in TensorFlow's intra-op pool, every core under 0; TF_NUM_INTRAOP_THREADS, when
 *     set, wins. The inter-op pool gets one thread (TF_NUM_INTEROP_THREADS, when set, wins): the networks are chains
 *     of ops with nothing to run side by side.
 *   - wasm: N threads for our SIMD kernels, one under 0 (the threaded wasm build stays opt-in: a CIFAR-10
 *     autoencoder run at batch 20 on it hung, every worker waiting on a futex, when auto meant every core there).
 *     XNNPACK gets the same number, except on the MNIST LeNet (see xnnpackThreadsFor).
 *   - cpu (pure JavaScript): one thread.
 * A sweep (`--jobs J`, `--threads N`):
 *   - each run gets N threads, one when --threads is not given (a single run's default, 0 = every core, would have
 *     every job take every core);
 *   - J runs at once, by default as many as fill the cores: ⌊cores ÷ N⌋ (N = 0 counts as 1), at least one;
 *   - J × N over the cores is allowed, with a warning (the runs then share the cores and each is slower).
 * Independent runs in parallel scale almost perfectly on two cores, which is why a sweep prefers jobs to threads
 * (src/backend/README.md, "Threads").
 */
import os from 'node:os';

/** The backends that run the math, as the policy sees them. */
export type ThreadBackend = 'tensorflow' | 'wasm' | 'cpu';

/** The cores this process may use. */
export function availableCores(): number {
  return os.availableParallelism();
}

/** `--threads 0` = auto: every core this process may use. */
export function resolveThreads(threads: number, cores = availableCores()): number {
  return threads > 0 ? threads : cores;
}

/** wasm: `--threads N` threads, one under `--threads 0` (module header). */
export function wasmThreads(threads: number): number {
  return threads > 0 ? threads : 1;
}

/**
 * XNNPACK's threads for a run with `threads` threads on network `net`. XNNPACK's thread pool spins for a while after
 * each of its ops; on the MNIST networks, whose convolutions all run as our direct SIMD kernels (on our own threads,
 * ./simd/pool.ts), those spinning threads take the cores our kernels need: the MNIST encoder step at --threads 2
 * measured 29.3 ms with XNNPACK on 2 threads and 23.1 ms on 1 (31.0 ms at --threads 1). The CIFAR-10 networks'
 * wide layers are XNNPACK's: there it gets every thread (844.6 ms against 1,395.5 ms on 1). Other networks have not
 * been measured and get every thread.
 */
export function xnnpackThreadsFor(net: string, threads: number): number {
  return net === 'mnist_LeNet' ? 1 : threads;
}

/** TensorFlow's inter-op pool (native): one thread. */
export const NATIVE_INTEROP_THREADS = 1;

export interface RunThreadsInput {
  backend: ThreadBackend;
  /** --threads; 0 = auto */
  threads: number;
  /** the cores this process may use (default: availableCores()) */
  cores?: number;
  /** the network to run (wasm: XNNPACK's share) */
  net?: string;
  /** wasm: XNNPACK's threads as the caller fixes them (tests, the benchmark), instead of the network's share */
  xnnpack?: number;
  /** native: TF_NUM_INTRAOP_THREADS and TF_NUM_INTEROP_THREADS as the environment sets them */
  env?: { intraOp?: string; interOp?: string };
}

export interface RunThreads {
  /** the threads that compute: TensorFlow's intra-op pool, our SIMD kernels (wasm), 1 (cpu) */
  threads: number;
  /** wasm: XNNPACK's threads (≤ threads) */
  xnnpack?: number;
  /** native: TensorFlow's inter-op pool */
  interOp?: number;
  /** one line: why these numbers */
  why: string;
}

/** A positive whole number from an environment variable, or undefined. */
function envCount(v: string | undefined): number | undefined {
  const n = Number(v);
  return v !== undefined && v.trim() !== '' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The threads of one run on `backend` (module header). */
export function runThreads(i: RunThreadsInput): RunThreads {
  const cores = i.cores ?? availableCores();
  const asked = i.threads > 0 ? `--threads ${i.threads}` : '--threads 0 (auto)';
  switch (i.backend) {
    case 'tensorflow': {
      const fromEnv = envCount(i.env?.intraOp);
      const threads = fromEnv ?? resolveThreads(i.threads, cores);
      const interOp = envCount(i.env?.interOp) ?? NATIVE_INTEROP_THREADS;
      const why = fromEnv !== undefined ? `TF_NUM_INTRAOP_THREADS=${fromEnv}` : i.threads > 0 ? asked : `${asked}: every core (${cores})`;
      return { threads, interOp, why: `${why}; inter-op ${interOp}` };
    }
    case 'wasm': {
      const threads = wasmThreads(i.threads);
      const xnnpack = Math.min(threads, resolveThreads(i.xnnpack ?? (i.net !== undefined ? xnnpackThreadsFor(i.net, threads) : threads), cores));
      const why = i.threads > 0 ? asked : `${asked}: one thread on wasm`;
      const xnn = xnnpack === threads ? '' : i.xnnpack !== undefined ? `; XNNPACK ${xnnpack} as asked` : `; XNNPACK ${xnnpack} on ${i.net}`;
      return { threads, xnnpack, why: why + xnn };
    }
    case 'cpu':
      return { threads: 1, why: 'the cpu backend runs on one thread' };
  }
}

export interface SweepThreadsInput {
  /** the cores of the machine (default: availableCores()) */
  cores?: number;
  /** --threads as given (undefined: not given) */
  threads?: number;
  /** --jobs as given (undefined: not given) */
  jobs?: number;
}

export interface SweepThreads {
  /** what each run gets as --threads */
  threadsPerJob: number;
  /** runs at once */
  jobs: number;
  /** a line for stderr when jobs × threads is over the cores */
  warning?: string;
  why: string;
}

/** One thread per job unless --threads is given. */
export const SWEEP_THREADS_PER_JOB = 1;

/** How a sweep shares the cores (module header). */
export function sweepThreads(i: SweepThreadsInput): SweepThreads {
  const cores = i.cores ?? availableCores();
  const threadsPerJob = i.threads ?? SWEEP_THREADS_PER_JOB;
  const jobs = i.jobs ?? Math.max(1, Math.floor(cores / Math.max(1, threadsPerJob)));
  const why = `${i.jobs !== undefined ? `--jobs ${jobs}` : `${jobs} job${jobs === 1 ? '' : 's'} to fill ${cores} core${cores === 1 ? '' : 's'}`}, `
    + `${i.threads !== undefined ? `--threads ${threadsPerJob}` : `${threadsPerJob} thread per job`}`;
  return { threadsPerJob, jobs, warning: jobsWarning(jobs, threadsPerJob, cores), why };
}

/** A warning when --jobs × --threads asks for more cores than the machine has (the runs then share them). */
export function jobsWarning(jobs: number, threads: number, cores = availableCores()): string | undefined {
  if (jobs * threads <= cores) return undefined;
  return `[sweep] warning: --jobs ${jobs} × --threads ${threads} asks for ${jobs * threads} cores but this machine has ${cores}: the runs share them and each is slower (--jobs ${Math.max(1, Math.floor(cores / threads))} fills them)`;
}
