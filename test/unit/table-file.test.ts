import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_TABLE_CELLS, readTableFile } from '../../src/data/table-file.js';
import { encodeNpy } from '../../src/data/npy.js';
import { throwsUser } from '../helpers/assert.js';
import { matFile, matrix } from '../helpers/mat.js';

const FIXTURES = path.join(process.cwd(), 'test', 'fixtures', 'tables');
const fixture = (name: string) => path.join(FIXTURES, name);

let dir: string;
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'table-file-test-')); });
after(() => { fs.rmSync(dir, { recursive: true, force: true }); });
const file = (name: string, content: string | Uint8Array) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};

describe('readTableFile: .csv / .tsv', () => {
  test('the fixture: header, label column in the middle, numeric features; classes sorted lexicographically', () => {
    const t = readTableFile(fixture('table.csv'), { labelColumn: 'class' });
    assert.equal(t.source, fixture('table.csv'));
    assert.deepEqual([t.n, t.d], [6, 3]);
    assert.deepEqual(t.featureNames, ['f1', 'f2', 'f3']);
    assert.deepEqual(t.classNames, ['anomaly', 'normal']);
    assert.deepEqual([...t.labels], [1, 1, 0, 1, 1, 0]);
    // make_fixtures.py: row i is i, i/2 − 1, i·10^−2
    assert.deepEqual([...t.x], [0, 1, 2, 3, 4, 5].flatMap((i) => [i, i / 2 - 1, Number(`${i}e-2`)]));
  });

  test('numeric labels sort numerically; quoting, spaces, BOM, CRLF and blank lines are fine; .tsv', () => {
    const p = file('num.csv', '\ufeff"a, b",label\r\n1.5, 10\r\n\r\n-2,2\r\n"3",1\r\n');
    const t = readTableFile(p, { labelColumn: 'label' });
    assert.deepEqual(t.featureNames, ['a, b']);
    assert.deepEqual(t.classNames, ['1', '2', '10']);
    assert.deepEqual([...t.labels], [2, 1, 0]);
    assert.deepEqual([...t.x], [1.5, -2, 3]);
    const q = file('t.tsv', 'y\tx\nb\t.5\na\t1e3\n');
    const u = readTableFile(q, { labelColumn: 'y' });
    assert.deepEqual([...u.x], [0.5, 1000]);
    assert.deepEqual(u.classNames, ['a', 'b']);
  });

  test('the label column is required and must be a header name; the error lists the columns', () => {
    const p = fixture('table.csv');
    throwsUser(() => readTableFile(p, {}), p, 'no label column given', "'f1', 'f2', 'class', 'f3'");
    throwsUser(() => readTableFile(p, { labelColumn: 'label' }), p, "no column 'label'", "'f1', 'f2', 'class', 'f3'");
    const dup = file('dup.csv', 'y,a,y\n1,2,3\n');
    throwsUser(() => readTableFile(dup, { labelColumn: 'y' }), dup, "two columns named 'y'");
  });

  test('a header row is required', () => {
    const p = file('nohead.csv', '1,2,0\n3,4,1\n');
    throwsUser(() => readTableFile(p, { labelColumn: '0' }), p, 'holds numbers, not column names', 'add a header row');
  });

  test('a non-numeric or empty feature cell names the row, line, column and value', () => {
    const p = file('bad.csv', 'a,b,y\n1,2,0\n\n3,abc,1\n');
    throwsUser(() => readTableFile(p, { labelColumn: 'y' }), p, "row 2 (line 4), column 'b' holds 'abc', not a number");
    const q = file('empty.csv', 'a,b,y\n1,,0\n');
    throwsUser(() => readTableFile(q, { labelColumn: 'y' }), q, "row 1 (line 2), column 'b' is empty");
    const r = file('hex.csv', 'a,y\n0x10,0\n');
    throwsUser(() => readTableFile(r, { labelColumn: 'y' }), r, "holds '0x10'");
  });

  test('NaN and infinite cells are refused naming row and column', () => {
    for (const v of ['NaN', 'nan', 'inf', '-Infinity', '1e999']) {
      const p = file('nan.csv', `a,b,y\n1,2,0\n3,${v},1\n`);
      throwsUser(() => readTableFile(p, { labelColumn: 'y' }), p, "row 2, column 'b' is", 'not a finite number');
    }
  });

  test('an empty label, a ragged row, an empty file, no data rows, no feature column', () => {
    throwsUser(() => readTableFile(file('l.csv', 'a,y\n1,\n'), { labelColumn: 'y' }), "row 1: the label (column 'y') is empty");
    throwsUser(() => readTableFile(file('r.csv', 'a,b,y\n1,2,0\n1,2\n'), { labelColumn: 'y' }), 'r.csv', 'Invalid Record Length', 'line 3');
    throwsUser(() => readTableFile(file('e.csv', ''), { labelColumn: 'y' }), 'e.csv', 'is empty');
    throwsUser(() => readTableFile(file('h.csv', 'a,y\n'), { labelColumn: 'y' }), 'h.csv', 'no data rows');
    throwsUser(() => readTableFile(file('o.csv', 'y\n1\n'), { labelColumn: 'y' }), 'o.csv', 'no feature columns');
  });

  test('at most 255 classes', () => {
    const rows = Array.from({ length: 256 }, (_, i) => `${i},c${i}`).join('\n');
    const p = file('many.csv', `a,y\n${rows}\n`);
    throwsUser(() => readTableFile(p, { labelColumn: 'y' }), p, "column 'y' holds more than 255 distinct labels");
    const ok = file('255.csv', `a,y\n${Array.from({ length: 255 }, (_, i) => `${i},${i}`).join('\n')}\n`);
    const t = readTableFile(ok, { labelColumn: 'y' });
    assert.equal(t.classNames.length, 255);
    assert.equal(t.classNames[254], '254');
    assert.equal(t.labels[254], 254);
  });
});

describe('readTableFile: .npy', () => {
  test('features with a label file', () => {
    const t = readTableFile(fixture('features.npy'), { labelFile: fixture('labels.npy') });
    assert.deepEqual([t.n, t.d], [6, 3]);
    assert.deepEqual(t.featureNames, ['x0', 'x1', 'x2']);
    assert.deepEqual([...t.x], [0, 1, 2, 3, 4, 5].flatMap((i) => [10 * i, 10 * i + 1, 10 * i + 2]));
    assert.deepEqual(t.classNames, ['0', '1']);
    assert.deepEqual([...t.labels], [0, 0, 1, 0, 0, 1]);
  });

  test('a label column (0-based) is removed from the features', () => {
    const p = file('lc.npy', encodeNpy('f8', [3, 3], [1, 2, 0, 4, 5, 1, 7, 8, 0]));
    const t = readTableFile(p, { labelColumn: '2' });
    assert.deepEqual([t.d, ...t.featureNames], [2, 'x0', 'x1']);
    assert.deepEqual([...t.x], [1, 2, 4, 5, 7, 8]);
    assert.deepEqual([t.classNames, [...t.labels]], [['0', '1'], [0, 1, 0]]);
  });

  test('labels are required, once; a column number must exist; a label file must match the rows', () => {
    const p = fixture('features.npy');
    throwsUser(() => readTableFile(p, {}), p, 'no labels given');
    throwsUser(() => readTableFile(p, { labelFile: fixture('labels.npy'), labelColumn: '0' }), p, 'both a label file and a label column');
    throwsUser(() => readTableFile(p, { labelColumn: '3' }), p, "label column '3' is not a column number from 0 to 2");
    throwsUser(() => readTableFile(p, { labelColumn: 'y' }), p, "label column 'y'");
    const short = file('short.npy', encodeNpy('i8', [5], [0, 0, 1, 0, 1]));
    throwsUser(() => readTableFile(p, { labelFile: short }), short, 'shape (5) is wrong: expected (6)');
  });

  test('a 1-D array, NaN features, NaN labels', () => {
    const oneD = file('1d.npy', encodeNpy('f8', [4], [1, 2, 3, 4]));
    throwsUser(() => readTableFile(oneD, { labelColumn: '0' }), oneD, 'expected (N, N)');
    const nan = file('nan.npy', encodeNpy('f8', [2, 2], [1, 0, NaN, 1]));
    throwsUser(() => readTableFile(nan, { labelColumn: '1' }), nan, "row 2, column 'x0' is NaN");
    throwsUser(() => readTableFile(nan, { labelColumn: '0' }), nan, "row 2: the label (column 0) is NaN");
  });

  test('a shape over MAX_TABLE_CELLS is refused before anything is allocated', () => {
    const side = 2 ** 13; // 2^26 values declared, 16 bytes present
    const p = file('huge.npy', encodeNpy('u1', [side, side], new Uint8Array(16)));
    throwsUser(() => readTableFile(p, { labelColumn: '0' }), p, `more than the ${MAX_TABLE_CELLS} accepted`);
  });
});

describe('readTableFile: .mat', () => {
  test('X and y by default; ODDS-style 0/1 labels', () => {
    const t = readTableFile(fixture('mat_uint8_z.mat'));
    assert.deepEqual([t.n, t.d, t.featureNames.join()], [6, 3, 'x0,x1,x2']);
    assert.deepEqual([...t.x.subarray(0, 6)], [0, 3, 6, 40, 43, 46]);
    assert.deepEqual([t.classNames, [...t.labels]], [['0', '1'], [0, 0, 1, 0, 0, 1]]);
  });

  test('labelColumn names another label variable; a row vector of labels is fine', () => {
    const t = readTableFile(fixture('mat_mixed.mat'), { labelColumn: 'label2' });
    assert.deepEqual([t.classNames, [...t.labels]], [['1', '2', '3'], [0, 1, 1, 0, 2, 2]]);
    const row = file('row.mat', matFile([matrix({ name: 'X', dims: [2, 1], values: [5, 6] }, true), matrix({ name: 'y', dims: [1, 2], values: [1, 0] }, true)]));
    assert.deepEqual([...readTableFile(row).labels], [1, 0]);
  });

  test('labels that do not match X, a missing y, a label file, non-finite X', () => {
    const p = file('bad.mat', matFile([matrix({ name: 'X', dims: [2, 1], values: [5, 6] }, true), matrix({ name: 'y', dims: [3, 1], values: [1, 0, 1] }, true)]));
    throwsUser(() => readTableFile(p), p, "labels 'y' are 3×1, but X is 2×1");
    throwsUser(() => readTableFile(fixture('mat_mixed.mat'), { labelColumn: 'labels' }), "no variable 'labels'");
    throwsUser(() => readTableFile(fixture('mat_double.mat'), { labelFile: fixture('labels.npy') }), 'only with a .npy table');
    const inf = file('inf.mat', matFile([matrix({ name: 'X', dims: [2, 1], values: [5, Infinity] }, true), matrix({ name: 'y', dims: [2, 1], values: [1, 0] }, true)]));
    throwsUser(() => readTableFile(inf), inf, "row 2, column 'x0' is Infinity");
  });
});

describe('readTableFile: what is not a table file', () => {
  test('an unknown extension lists the known ones', () => {
    throwsUser(() => readTableFile(fixture('make_fixtures.py')), "unknown table format '.py'", '.csv', '.npy', '.mat');
    throwsUser(() => readTableFile(path.join(dir, 'noext')), "'(no extension)'");
  });

  test('a folder, a missing file, a FIFO are one-line errors (no hang)', () => {
    const folder = path.join(dir, 'folder.csv');
    fs.mkdirSync(folder);
    throwsUser(() => readTableFile(folder, { labelColumn: 'y' }), folder, 'is a folder');
    throwsUser(() => readTableFile(path.join(dir, 'missing.mat')), 'missing.mat', 'file not found');
    if (process.platform !== 'win32') {
      const fifo = path.join(dir, 'fifo.csv');
      execFileSync('mkfifo', [fifo]);
      throwsUser(() => readTableFile(fifo, { labelColumn: 'y' }), fifo, 'not a regular file');
    }
  });
});

const ODDS = '/work/shared/data/odds';
describe('readTableFile: the real ODDS files', { skip: !fs.existsSync(ODDS) }, () => {
  const files: [string, number, number, number][] = [
    ['arrhythmia.mat', 452, 274, 66], ['cardio.mat', 1831, 21, 176], ['satellite.mat', 6435, 36, 2036],
    ['satimage-2.mat', 5803, 36, 71], ['shuttle.mat', 49097, 9, 3511], ['thyroid.mat', 3772, 6, 93],
  ];
  for (const [name, n, d, outliers] of files) {
    test(`${name}: ${n}×${d}, classes 0/1, ${outliers} outliers`, () => {
      const t = readTableFile(path.join(ODDS, name));
      assert.deepEqual([t.n, t.d, t.classNames], [n, d, ['0', '1']]);
      assert.equal(t.labels.reduce((a, b) => a + b, 0), outliers);
    });
  }
});
