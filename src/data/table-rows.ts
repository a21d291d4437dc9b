/**
 * Rows to score with a table model (`deep-svdd score --input rows.csv`): the model's features, in its order.
 *   .csv / .tsv  a header row; the model's feature columns by name (other columns are ignored); an `id` column that is
 *                no feature names the rows, else they are numbered from 1
 *   .npy         a 2-D array with the model's number of features, in its order
 *   .mat         the matrix X, likewise
 * Files are read as table-file.ts reads them (regular files only, the same size and cell limits); every problem is a
 * one-line UserError naming the file and the fix.
 */
import path from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { UserError } from '../util/errors.js';
import { readRegularFile } from '../util/files.js';
import { readMatVariables } from './mat.js';
import { parseNpy } from './npy.js';
import { MAX_TABLE_CELLS, MAX_TABLE_FILE_BYTES } from './table-file.js';

export interface RowsToScore { ids: string[]; x: Float64Array; n: number }

/** A number cell of a CSV to score. */
export const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function readRowsToScore(file: string, features: readonly string[]): RowsToScore {
  const ext = path.extname(file).toLowerCase();
  const fail = (problem: string, fix: string) => new UserError(`--input ${file}: ${problem}; ${fix}`);
  if (!['.csv', '.tsv', '.npy', '.mat'].includes(ext)) throw fail(`a table model scores rows, not '${ext || 'a file without extension'}'`, 'give a .csv (with the model\'s feature columns), .tsv, .npy or .mat file');
  const buf = readRegularFile(file, 'rows to score', MAX_TABLE_FILE_BYTES);
  const d = features.length;
  const numbered = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));
  if (ext === '.npy') {
    const a = parseNpy(buf, file, { shape: [-1, d], what: `rows of ${d} features`, maxValues: MAX_TABLE_CELLS });
    return { ids: numbered(a.shape[0]), x: a.data, n: a.shape[0] };
  }
  if (ext === '.mat') {
    const X = readMatVariables(buf, file, ['X']).get('X')!;
    if (X.cols !== d) throw fail(`X has ${X.cols} features, the model takes ${d}`, 'give rows of the table the model was trained on');
    return { ids: numbered(X.rows), x: X.data, n: X.rows };
  }
  let records: string[][];
  try {
    records = parse(buf, { delimiter: ext === '.tsv' ? '\t' : ',', bom: true, trim: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    if (e instanceof CsvError) throw fail(e.message.replace(/\s+/g, ' '), 'fix the CSV syntax');
    throw e;
  }
  return csvRows(records, features, fail);
}

/**
 * The model's feature columns of parsed CSV records (a header row, then the rows), as numbers, with the ids: the `id`
 * column when it is no feature, else 1, 2, ... (also the exported page's, src/web). `fail(problem, fix)` makes the error.
 */
export function csvRows(records: string[][], features: readonly string[], fail: (problem: string, fix: string) => Error): RowsToScore {
  const d = features.length;
  const [header, ...rows] = records;
  if (!header) throw fail('is empty', `give a header row with the model's feature columns (${features.slice(0, 5).join(', ')}${d > 5 ? ', ...' : ''})`);
  const at = features.map((f) => header.indexOf(f));
  const missing = features.filter((_, j) => at[j] < 0);
  if (missing.length) throw fail(`has no column ${missing.slice(0, 5).map((m) => `'${m}'`).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''}`, `give the model's feature columns (${features.slice(0, 8).join(', ')}${d > 8 ? ', ...' : ''})`);
  if (rows.length * d > MAX_TABLE_CELLS) throw fail(`holds more than ${MAX_TABLE_CELLS} values`, 'score fewer rows at a time');
  const idAt = features.includes('id') ? -1 : header.indexOf('id');
  const x = new Float64Array(rows.length * d);
  rows.forEach((r, i) => at.forEach((c, j) => {
    const cell = r[c] ?? '';
    if (!DECIMAL.test(cell)) throw fail(`row ${i + 1}, column '${features[j]}' ${cell === '' ? 'is empty' : `holds '${cell.slice(0, 40)}', not a number`}`, 'every feature column must hold numbers');
    x[i * d + j] = Number(cell);
  }));
  return { ids: idAt >= 0 ? rows.map((r) => r[idAt] ?? '') : Array.from({ length: rows.length }, (_, i) => String(i + 1)), x, n: rows.length };
}
