/**
 * Reads a table of numeric features with one class label per row (an anomaly-detection benchmark such as ODDS)
 * from a file, by its extension:
 *
 *   .csv / .tsv  a header row naming the columns, then one row per sample; `labelColumn` names the label column,
 *                every other column must be numeric (parsed with csv-parse)
 *   .npy         a 2-D array (rows, features); labels from `labelFile` (a 1-D .npy of as many values) or from the
 *                column whose 0-based number is `labelColumn` (removed from the features)
 *   .mat         MATLAB level-5 variables X (rows × features) and y (a row or column of labels), as ODDS ships
 *                them; `labelColumn` names another label variable
 *
 * Class names are the distinct labels as text, sorted numerically when all are numbers (ODDS's 0/1 → ['0', '1']),
 * else lexicographically; `labels` index into them. Only regular files up to MAX_TABLE_FILE_BYTES are read, and a
 * table may hold at most MAX_TABLE_CELLS feature values. Every problem is a one-line UserError naming the file.
 */
import path from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { UserError } from '../util/errors.js';
import { readRegularFile } from '../util/files.js';
import { readMatVariables } from './mat.js';
import { parseNpy, type NpyArray } from './npy.js';

export interface TableData {
  /** the file read, as given */
  source: string;
  /** n × d feature values, row-major */
  x: Float64Array;
  n: number;
  d: number;
  featureNames: string[];
  /** the distinct labels as text, sorted (numerically when all are numbers) */
  classNames: string[];
  /** each row's label, an index into classNames */
  labels: Uint8Array;
}

export interface TableFileOptions {
  /** .csv: the label column's name (required); .npy: a 0-based column number; .mat: the label variable (default y) */
  labelColumn?: string;
  /** .npy only: a 1-D .npy file of one label per row */
  labelFile?: string;
}

/** The most feature values a table may hold (2^25 = 33,554,432: 256 MiB as float64). */
export const MAX_TABLE_CELLS = 2 ** 25;
/** The largest table (or label) file read (256 MiB). */
export const MAX_TABLE_FILE_BYTES = 256 * 2 ** 20;
/** The most distinct labels (classes), so that a label fits a byte. */
export const MAX_TABLE_CLASSES = 255;

/** A plain decimal number, as a CSV cell or a label may hold it. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** NaN and infinities as Python, R and spreadsheets write them: parsed, then refused as not finite. */
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/** What a format reader returns: features, and each row's provisional label id with the labels' texts. */
interface RawTable {
  x: Float64Array;
  n: number;
  d: number;
  featureNames: string[];
  labels: Labels;
}

type FormatReader = (buf: Uint8Array, file: string, opts: TableFileOptions) => RawTable;

const READERS: Record<string, FormatReader> = {
  '.csv': (buf, file, opts) => readDelimited(buf, file, opts, ','),
  '.tsv': (buf, file, opts) => readDelimited(buf, file, opts, '\t'),
  '.npy': readNpyTable,
  '.mat': readMatTable,
};

/** Reads the table in `file` (.csv, .tsv, .npy or .mat): features, feature names, classes and labels. */
export function readTableFile(file: string, opts: TableFileOptions = {}): TableData {
  const ext = path.extname(file).toLowerCase();
  const reader = READERS[ext];
  if (!reader) throw fail(file, `unknown table format '${ext || '(no extension)'}'`, 'give a .csv, .tsv, .npy or .mat file');
  if (opts.labelFile !== undefined && ext !== '.npy') {
    throw fail(file, 'a separate label file goes only with a .npy table', 'name the label column (or .mat variable) instead');
  }
  const raw = reader(readRegularFile(file, 'a table', MAX_TABLE_FILE_BYTES), file, opts);
  checkShape(file, raw);
  checkFinite(file, raw);
  const { classNames, labels } = raw.labels.sorted();
  return { source: file, x: raw.x, n: raw.n, d: raw.d, featureNames: raw.featureNames, classNames, labels };
}

function fail(file: string, problem: string, fix: string): UserError {
  return new UserError(`${file}: ${problem}; ${fix}`);
}

/** Checks that the table has rows, feature columns, and no more than MAX_TABLE_CELLS values. */
function checkShape(file: string, t: RawTable): void {
  if (t.n === 0) throw fail(file, 'has no data rows', 'give a table with at least one row');
  if (t.d === 0) throw fail(file, 'has no feature columns (only labels)', 'give a table with at least one feature besides the label');
  checkCells(file, t.n, t.d);
}

function checkCells(file: string, n: number, d: number): void {
  if (n * d > MAX_TABLE_CELLS) {
    throw fail(file, `holds ${n} × ${d} = ${n * d} feature values, more than the ${MAX_TABLE_CELLS} (MAX_TABLE_CELLS) a table may hold`, 'use fewer rows or columns');
  }
}

/** Refuses NaN and infinite features, naming the first one's row (1-based) and column. */
function checkFinite(file: string, t: RawTable): void {
  const k = t.x.findIndex((v) => !Number.isFinite(v));
  if (k < 0) return;
  const row = Math.floor(k / t.d) + 1;
  throw fail(file, `row ${row}, column '${t.featureNames[k % t.d]}' is ${t.x[k]}, not a finite number`, 'remove or fill in missing and infinite values');
}

/**
 * Each row's label as a provisional id in order of first appearance, with the distinct labels' texts; `sorted()`
 * renumbers them in class-name order.
 */
class Labels {
  private readonly ids = new Map<string, number>();
  private codes: Uint8Array;
  private n = 0;

  constructor(private readonly file: string, private readonly where: string, capacity: number) {
    this.codes = new Uint8Array(Math.max(16, capacity));
  }

  /** Appends a label given as text. */
  push(text: string, row: number): void {
    if (text === '') throw fail(this.file, `row ${row}: the label (${this.where}) is empty`, 'give every row a label');
    let id = this.ids.get(text);
    if (id === undefined) {
      if (this.ids.size === MAX_TABLE_CLASSES) {
        throw fail(this.file, `${this.where} holds more than ${MAX_TABLE_CLASSES} distinct labels`, `use a label column with at most ${MAX_TABLE_CLASSES} classes`);
      }
      id = this.ids.size;
      this.ids.set(text, id);
    }
    if (this.n === this.codes.length) {
      const grown = new Uint8Array(2 * this.n);
      grown.set(this.codes);
      this.codes = grown;
    }
    this.codes[this.n++] = id;
  }

  /** Appends a numeric label (its text is the shortest decimal form: 1, not 1.0). */
  pushNumber(v: number, row: number): void {
    if (!Number.isFinite(v)) throw fail(this.file, `row ${row}: the label (${this.where}) is ${v}, not a finite number`, 'give every row a label');
    this.push(String(v), row);
  }

  /** The class names in order, and each row's index into them. */
  sorted(): { classNames: string[]; labels: Uint8Array } {
    const texts = [...this.ids.keys()];
    const lexical = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const numeric = texts.every((t) => DECIMAL.test(t));
    const classNames = [...texts].sort(numeric ? (a, b) => Number(a) - Number(b) || lexical(a, b) : lexical);
    const rank = new Uint8Array(texts.length);
    classNames.forEach((name, k) => { rank[this.ids.get(name)!] = k; });
    const labels = this.codes.slice(0, this.n).map((id) => rank[id]);
    return { classNames, labels };
  }
}

/** A .csv or .tsv table: a header row, a label column named by `labelColumn`, numeric features. */
function readDelimited(buf: Uint8Array, file: string, opts: TableFileOptions, delimiter: string): RawTable {
  let header: string[] | undefined;
  let labelAt = -1;
  let labels: Labels | undefined;
  let x = new Float64Array(1024);
  let cells = 0;
  let n = 0;
  const onHeader = (record: string[]) => {
    header = record;
    labelAt = labelIndex(file, header, opts.labelColumn);
    labels = new Labels(file, `column '${header[labelAt]}'`, 1024);
  };
  const onRow = (record: string[], line: number) => {
    const d = record.length - 1;
    checkCells(file, n + 1, d);
    if (cells + d > x.length) {
      const grown = new Float64Array(Math.min(2 * x.length + d, MAX_TABLE_CELLS));
      grown.set(x);
      x = grown;
    }
    n++;
    record.forEach((cell, j) => {
      if (j === labelAt) labels!.push(cell, n);
      else x[cells++] = parseCell(file, cell, n, line, header![j]);
    });
  };
  try {
    parse(buf, {
      delimiter, bom: true, trim: true, skip_empty_lines: true,
      on_record: (record: string[], info) => {
        if (header === undefined) onHeader(record);
        else onRow(record, info.lines);
        return null;
      },
    });
  } catch (e) {
    if (e instanceof CsvError) throw fail(file, e.message.replace(/\s+/g, ' '), 'fix the CSV syntax (quotes, delimiters, the same number of columns in every row)');
    throw e;
  }
  if (!header || !labels) throw fail(file, 'is empty', 'give a table with a header row naming the columns');
  const featureNames = header.filter((_, j) => j !== labelAt);
  return { x: x.slice(0, cells), n, d: featureNames.length, featureNames, labels };
}

/** The index of the label column `name` in `header`; the header must name columns, not hold data. */
function labelIndex(file: string, header: string[], name: string | undefined): number {
  const names = header.map((h) => `'${h}'`).join(', ');
  if (header.every((h) => DECIMAL.test(h))) {
    throw fail(file, `the first row (${header.slice(0, 5).join(', ')}${header.length > 5 ? ', ...' : ''}) holds numbers, not column names`, 'add a header row naming the columns');
  }
  if (name === undefined) throw fail(file, `no label column given (the columns are ${names})`, 'name the column that holds the labels');
  const at = header.indexOf(name);
  if (at < 0) throw fail(file, `has no column '${name}' (the columns are ${names})`, 'name one of the columns as the label column');
  if (header.indexOf(name, at + 1) >= 0) throw fail(file, `has two columns named '${name}'`, 'give the columns distinct names');
  return at;
}

/** A feature cell's value: a decimal number (NaN and infinities are parsed here and refused by checkFinite). */
function parseCell(file: string, cell: string, row: number, line: number, column: string): number {
  if (DECIMAL.test(cell)) return Number(cell);
  if (NON_FINITE.test(cell)) return /nan$/i.test(cell) ? NaN : cell.startsWith('-') ? -Infinity : Infinity;
  const what = cell === '' ? 'is empty' : `holds '${cell.length > 40 ? `${cell.slice(0, 40)}...` : cell}', not a number`;
  throw fail(file, `row ${row} (line ${line}), column '${column}' ${what}`, 'every column but the label must hold numbers');
}

/** A .npy table: a 2-D array, labels from a label file or one of its columns. */
function readNpyTable(buf: Uint8Array, file: string, opts: TableFileOptions): RawTable {
  const a = parseNpy(buf, file, { shape: [-1, -1], what: 'a table (rows, features)', maxValues: MAX_TABLE_CELLS });
  const [n, cols] = a.shape;
  if (opts.labelFile !== undefined && opts.labelColumn !== undefined) {
    throw fail(file, 'both a label file and a label column are given', 'give only one of them');
  }
  if (opts.labelFile !== undefined) return withLabels(a.data, n, cols, npyLabels(opts.labelFile, n));
  if (opts.labelColumn === undefined) {
    throw fail(file, 'no labels given', 'give a label file (a 1-D .npy of one label per row) or a label column (its 0-based number)');
  }
  if (!/^\d+$/.test(opts.labelColumn) || Number(opts.labelColumn) >= cols) {
    throw fail(file, `label column '${opts.labelColumn}' is not a column number from 0 to ${cols - 1}`, 'name the label column by its 0-based number');
  }
  return splitLabelColumn(file, a.data, n, cols, Number(opts.labelColumn));
}

/** Reads a 1-D .npy label file of `n` labels. */
function npyLabels(labelFile: string, n: number): { file: string; values: NpyArray } {
  const values = parseNpy(readRegularFile(labelFile, 'a label file', MAX_TABLE_FILE_BYTES), labelFile, { shape: [n], what: `labels (${n},), one per table row`, maxValues: n });
  return { file: labelFile, values };
}

/** A table whose features are x (n × d) as they are, with the labels of a label file. */
function withLabels(x: Float64Array, n: number, d: number, labelFile: { file: string; values: NpyArray }): RawTable {
  const labels = new Labels(labelFile.file, 'label file', n);
  labelFile.values.data.forEach((v, i) => labels.pushNumber(v, i + 1));
  return { x, n, d, featureNames: numberedFeatures(d), labels };
}

/** Splits column `at` of x (n × cols) off as the labels. */
function splitLabelColumn(file: string, x: Float64Array, n: number, cols: number, at: number): RawTable {
  const d = cols - 1;
  const features = new Float64Array(n * d);
  const labels = new Labels(file, `column ${at}`, n);
  for (let i = 0; i < n; i++) {
    labels.pushNumber(x[i * cols + at], i + 1);
    for (let j = 0, k = 0; j < cols; j++) if (j !== at) features[i * d + k++] = x[i * cols + j];
  }
  return { x: features, n, d, featureNames: numberedFeatures(d), labels };
}

function numberedFeatures(d: number): string[] {
  return Array.from({ length: d }, (_, j) => `x${j}`);
}

/** A .mat table: X (n × d) and a label vector, y or the variable `labelColumn` names. */
function readMatTable(buf: Uint8Array, file: string, opts: TableFileOptions): RawTable {
  const yName = opts.labelColumn ?? 'y';
  if (yName === 'X') throw fail(file, 'the label variable cannot be X, the features', 'name another variable as the labels');
  const vars = readMatVariables(buf, file, ['X', yName]);
  const x = vars.get('X')!;
  const y = vars.get(yName)!;
  if (Math.min(y.rows, y.cols) !== 1 || y.rows * y.cols !== x.rows) {
    throw fail(file, `labels '${yName}' are ${y.rows}×${y.cols}, but X is ${x.rows}×${x.cols}: one label per row of X is needed`, `save '${yName}' as a ${x.rows}×1 vector`);
  }
  checkCells(file, x.rows, x.cols);
  const labels = new Labels(file, `variable '${yName}'`, x.rows);
  y.data.forEach((v, i) => labels.pushNumber(v, i + 1));
  return { x: x.data, n: x.rows, d: x.cols, featureNames: numberedFeatures(x.cols), labels };
}
