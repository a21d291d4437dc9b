/**
 * The PyTorch reference for `--vs-torch`: bench/torch_bench.py run by each Python of --torch-python (default: the
 * system Python, /usr/bin/python3 with Debian's python3-torch). Optional: when torch is missing the benchmark says
 * how to install it and goes on.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type NetworkId, type StepMode, type StepTimings } from './types.js';

export const DEFAULT_PYTHON = process.env.DEEP_SVDD_BENCH_PYTHON ?? '/usr/bin/python3';
/** the .py file stays in bench/ (tsc does not copy it): dist/bench/torch.js → ../../bench/torch_bench.py */
const SCRIPT = fileURLToPath(new URL('../../bench/torch_bench.py', import.meta.url));

export const torchHint = (python: string): string => `PyTorch comparison skipped: \`${python} -c "import torch"\` fails. `
  + 'For the comparison only (the project never needs Python), install Debian\'s build '
  + '(`sudo apt-get update && sudo apt-get install -y python3-torch libopenblas0-pthread`) or PyTorch 2 from pip into a venv '
  + '(`python3 -m venv VENV && VENV/bin/pip install torch numpy`) and name its Python with --torch-python VENV/bin/python.';

export interface TorchResult extends StepTimings {
  impl: 'torch';
  version: string;
  threads: number;
  mkldnn: boolean;
  model: NetworkId;
  mode: StepMode;
  batch: number;
  loss: number | null;
}

export interface TorchError { impl: 'torch'; model: NetworkId; mode: StepMode; error: string }

/**
 * OpenBLAS (Debian's torch does its transposed convolutions through BLAS) gets 1 thread unless the caller set
 * OPENBLAS_NUM_THREADS: with torch's own 2 threads that was the fastest setting measured on the 2-core development
 * machine.
 */
export function torchEnv(): NodeJS.ProcessEnv {
  return { ...process.env, OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? '1' };
}

function run(python: string, args: string[], timeoutS: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(python, args, { timeout: timeoutS * 1000, maxBuffer: 16 * 2 ** 20, killSignal: 'SIGKILL', env: torchEnv() }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** torch's version when `python3 -c 'import torch'` works, else undefined. */
export async function torchVersion(python: string): Promise<string | undefined> {
  const r = await run(python, ['-c', 'import torch; print(torch.__version__)'], 120);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

export interface TorchOptions {
  threads: number;
  batch: number;
  warmup: number;
  steps: number;
  maxSeconds: number;
  timeoutS: number;
}

export async function runTorch(python: string, model: NetworkId, mode: StepMode, o: TorchOptions): Promise<TorchResult | TorchError> {
  const r = await run(python, [SCRIPT, '--model', model, '--mode', mode, '--threads', String(o.threads), '--batch', String(o.batch),
    '--warmup', String(o.warmup), '--steps', String(o.steps), '--max-seconds', String(o.maxSeconds)], o.timeoutS);
  const line = r.stdout.split('\n').reverse().find((l) => l.startsWith('{'));
  if (r.code === 0 && line) return JSON.parse(line) as TorchResult;
  const why = r.stderr.trim().split('\n').slice(-3).join(' | ') || `exit code ${r.code}`;
  return { impl: 'torch', model, mode, error: why };
}
