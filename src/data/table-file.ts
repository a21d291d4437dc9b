// TEMPORARY (.mat only) — replaced by the readers branch
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { readMatFile } from './mat.js';

export interface TableData { source: string; x: Float64Array; n: number; d: number; featureNames: string[]; classNames: string[]; labels: Uint8Array }

export function readTableFile(file: string, opts: { labelColumn?: string; labelFile?: string }): TableData {
  if (path.extname(file).toLowerCase() !== '.mat') throw new UserError(`${file}: only .mat for now`);
  const label = opts.labelColumn ?? 'y';
  const vars = readMatFile(file, ['X', label]);
  const X = vars.get('X')!;
  const y = vars.get(label)!;
  const values = [...new Set(y.data)].sort((a, b) => a - b);
  const classNames = values.map(String);
  const labels = Uint8Array.from(y.data, (v) => values.indexOf(v));
  return { source: file, x: X.data, n: X.rows, d: X.cols, featureNames: Array.from({ length: X.cols }, (_, j) => `x${j}`), classNames, labels };
}

export function readRowsToScore(file: string, features: string[]): { ids: string[]; x: Float64Array; n: number } {
  const t = readTableFile(file, {});
  if (t.d !== features.length) throw new UserError(`${file}: ${t.d} features, the model takes ${features.length}`);
  return { ids: Array.from({ length: t.n }, (_, i) => String(i)), x: t.x, n: t.n };
}
