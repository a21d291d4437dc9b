/** Plain-text tables and one-line summaries for the benchmark's console output. */
import { type EpochResult, type ErrorResult, type StepResult } from './types.js';

/** A text table; `right` lists the right-aligned columns (by index). */
export function table(headers: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => (right.has(i) ? (c ?? '').padStart(w[i]) : (c ?? '').padEnd(w[i]))).join('  ').trimEnd();
  return [fmt(headers), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(fmt)].join('\n');
}

export function num(v: number | undefined, digits = 1): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function backendLabel(r: StepResult | EpochResult): string {
  const b = r.backend;
  if (b.name === 'wasm') return `wasm ${b.threads ?? 1}t${b.simd === false ? ' no-SIMD' : ''}`;
  return b.name;
}

export function stepLine(r: StepResult): string {
  const leak = r.tensorGrowth !== 0 ? `  (tensors +${r.tensorGrowth} over the timed steps)` : '';
  return `${backendLabel(r).padEnd(8)} ${r.job.network.padEnd(9)} ${passName(r).padEnd(10)}  median ${num(r.medianMs)} ms`
    + ` (min ${num(r.minMs)}, max ${num(r.maxMs)}, n ${r.n}, CPU ${num(r.cpuMs)} ms)  ${num(r.imgPerSec, 0)} img/s  peak RSS ${r.peakRssMB} MB${leak}`;
}

/** train step (TF.js ops), fused step (the fused MLP step) or inference */
export function passName(r: StepResult): string {
  return r.job.mode === 'infer' ? 'inference' : r.job.fused ? 'fused step' : 'train step';
}

export function epochLine(r: EpochResult): string {
  const all = r.epochSeconds.length > 1 ? ` (epochs: ${r.epochSeconds.map((s) => num(s, 2)).join(', ')} s)` : '';
  return `${backendLabel(r).padEnd(8)} ${epochName(r).padEnd(27)} ${num(r.secondsPerEpoch, 2)} s/epoch${all}`
    + `  ${r.nImages} images, ${r.nBatches} batches  ${num(r.imgPerSec, 0)} img/s  peak RSS ${r.peakRssMB} MB`;
}

export function epochName(r: EpochResult): string {
  const j = r.job;
  const what = j.task.endsWith('svdd') ? 'Deep SVDD' : 'autoencoder';
  return j.task.startsWith('mnist') ? `MNIST 0 ${what}` : `CIFAR synthetic ${what}`;
}

export function errorLine(r: ErrorResult): string {
  const j = r.job;
  const what = j.kind === 'step' ? `${j.backend} ${j.network} ${j.mode}` : `${j.backend} ${j.task} epoch`;
  return `${what}: FAILED: ${r.error}${r.detail ? `\n    ${r.detail.split('\n').join('\n    ')}` : ''}`;
}

export function stepTable(rs: StepResult[]): string {
  return table(
    ['backend', 'network', 'pass', 'n', 'median ms', 'min ms', 'max ms', 'CPU ms', 'img/s', 'peak RSS MB'],
    rs.map((r) => [backendLabel(r), r.job.network, passName(r), String(r.n),
      num(r.medianMs), num(r.minMs), num(r.maxMs), num(r.cpuMs), num(r.imgPerSec, 0), String(r.peakRssMB)]),
    new Set([3, 4, 5, 6, 7, 8, 9]),
  );
}

export function epochTable(rs: EpochResult[]): string {
  return table(
    ['backend', 'run', 'images', 'batches', 's/epoch', 'img/s', 'data s', 'peak RSS MB'],
    rs.map((r) => [backendLabel(r), epochName(r), String(r.nImages), String(r.nBatches), num(r.secondsPerEpoch, 2),
      num(r.imgPerSec, 0), num(r.dataSeconds, 2), String(r.peakRssMB)]),
    new Set([2, 3, 4, 5, 6, 7]),
  );
}

/** one network's parameter count in TF.js (any backend) and in PyTorch */
export interface ParamsRow { network: string; tfjs: number; torch: number; same: boolean }

/**
 * TF.js against PyTorch parameter counts (weights only: batch-norm running statistics are buffers on both sides), one
 * row per network timed in both; the TF.js count is the first step result's (every backend builds the same network).
 */
export function paramsRows(steps: readonly StepResult[], torch: readonly { model: string; params: number }[]): ParamsRow[] {
  const rows: ParamsRow[] = [];
  for (const t of torch) {
    if (rows.some((r) => r.network === t.model)) continue;
    const s = steps.find((r) => r.job.network === t.model);
    if (s) rows.push({ network: t.model, tfjs: s.params, torch: t.params, same: s.params === t.params });
  }
  return rows;
}

export function paramsTable(rows: readonly ParamsRow[]): string {
  return table(['network', 'params TF.js', 'params PyTorch', 'same'],
    rows.map((r) => [r.network, num(r.tfjs, 0), num(r.torch, 0), r.same ? 'yes' : 'NO']), new Set([1, 2]));
}
