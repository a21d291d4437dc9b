/**
 * `--backend auto`: per network, the backend whose training steps the benchmark measured faster. The numbers are
 * median milliseconds per training step at batch 200 (encoder = Deep SVDD step, autoencoder = pretraining step),
 * each from one run of `npm run bench -- --backends tensorflow,wasm --threads 2 --no-epochs --vs-torch` on the
 * project's 2-core machine with nothing else running (Node 20.20, tfjs 4.22.0, TensorFlow 2.21.0 CPU wheel with
 * deep-svdd's own kernels; README, "The native backend, measured"), the run's date in the entry. A network not in the
 * table (or no network given) runs on wasm; every convolutional network has an entry (test/unit/native.test.ts).
 * Re-measure and update when either backend changes.
 */
export type AutoBackend = 'tensorflow' | 'wasm';

export interface StepTimes { encoder: number; autoencoder: number }

/** One network's measured step times per backend (ms), and the bench run they come from. */
export type Measured = Record<AutoBackend, StepTimes> & { source: string };

const BENCH_1203 = 'bench of 2026-12-03, 2 threads, idle machine';
const BENCH_1207 = 'bench of 2026-12-07, 2 threads, idle machine';

/** measured step times per network and backend (ms) */
export const STEP_MS: Record<string, Measured> = {
  mnist_LeNet: { wasm: { encoder: 20.8, autoencoder: 52.2 }, tensorflow: { encoder: 17.2, autoencoder: 40.4 }, source: BENCH_1203 },
  cifar10_LeNet: { wasm: { encoder: 736.6, autoencoder: 1448.9 }, tensorflow: { encoder: 143.7, autoencoder: 278.3 }, source: BENCH_1203 },
  fmnist_LeNet: { wasm: { encoder: 99.1, autoencoder: 258.2 }, tensorflow: { encoder: 43.9, autoencoder: 90.0 }, source: BENCH_1207 },
  gtsrb_LeNet: { wasm: { encoder: 152.4, autoencoder: 355.3 }, tensorflow: { encoder: 53.7, autoencoder: 110.6 }, source: BENCH_1207 },
};

export interface AutoChoice { backend: AutoBackend; why: string }

/** The faster backend for `net` over a whole run (autoencoder and Deep SVDD steps together), and why. */
export function autoChoice(net: string | undefined): AutoChoice {
  const t = net ? STEP_MS[net] : undefined;
  if (!t) return { backend: 'wasm', why: 'no benchmark for this network' };
  const total = (b: AutoBackend) => t[b].encoder + t[b].autoencoder;
  const backend: AutoBackend = total('tensorflow') < total('wasm') ? 'tensorflow' : 'wasm';
  const other: AutoBackend = backend === 'wasm' ? 'tensorflow' : 'wasm';
  const fmt = (b: AutoBackend) => `${t[b].autoencoder.toFixed(0)} + ${t[b].encoder.toFixed(0)} ms`;
  return { backend, why: `faster on ${net} (autoencoder + encoder step ${fmt(backend)} against ${fmt(other)} on ${other}, ${t.source})` };
}
