/**
 * `--backend auto`: per network, the backend whose training step the benchmark measured faster. The numbers are
 * median milliseconds per training step at batch 200 (encoder = Deep SVDD step, autoencoder = pretraining step),
 * from `npm run bench -- --backends tensorflow,wasm --threads 2` on the project's 2-core machine; SOURCE says
 * which run. A network not in the table (or no network given) runs on wasm.
 */
export type AutoBackend = 'tensorflow' | 'wasm';

export interface StepTimes { encoder: number; autoencoder: number }

export const SOURCE = 'PLACEHOLDER';

/** measured step times per network and backend (ms) */
export const STEP_MS: Record<string, Record<AutoBackend, StepTimes>> = {
  mnist_LeNet: { wasm: { encoder: 0, autoencoder: 0 }, tensorflow: { encoder: 0, autoencoder: 0 } },
  cifar10_LeNet: { wasm: { encoder: 0, autoencoder: 0 }, tensorflow: { encoder: 0, autoencoder: 0 } },
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
