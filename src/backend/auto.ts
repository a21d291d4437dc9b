/**
 * `--backend auto`: per network, the backend whose training steps the benchmark measured faster. The numbers are
 * median milliseconds per training step at batch 200 (encoder = Deep SVDD step, autoencoder = pretraining step),
 * from one run of `npm run bench -- --backends tensorflow,wasm --threads 2 --no-epochs --vs-torch --max-seconds 30`
 * on the project's 2-core machine with nothing else running (Node 20.20, tfjs 4.22.0, TensorFlow 2.21.0 CPU wheel,
 * 2026-11-29; README, "The native backend, measured"). A network not in the table (or no network given) runs on
 * wasm. Re-measure and update when either backend changes.
 */
export type AutoBackend = 'tensorflow' | 'wasm';

export interface StepTimes { encoder: number; autoencoder: number }

export const SOURCE = 'bench of 2026-11-29, 2 threads, idle machine';

/** measured step times per network and backend (ms) */
export const STEP_MS: Record<string, Record<AutoBackend, StepTimes>> = {
  mnist_LeNet: { wasm: { encoder: 45.2, autoencoder: 94.6 }, tensorflow: { encoder: 32.1, autoencoder: 61.3 } },
  cifar10_LeNet: { wasm: { encoder: 1093.4, autoencoder: 2073.4 }, tensorflow: { encoder: 237.6, autoencoder: 413.0 } },
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
  return { backend, why: `faster on ${net} (autoencoder + encoder step ${fmt(backend)} against ${fmt(other)} on ${other}, ${SOURCE})` };
}
