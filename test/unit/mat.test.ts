import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MAT_MAX_BYTES, readMatFile, readMatVariables } from '../../src/data/mat.js';
import { throwsUser } from '../helpers/assert.js';
import { MI, MX, compressed, concat, element, matFile, matrix, matrixContent, u32, type MatVarSpec } from '../helpers/mat.js';

const FIXTURES = path.join(process.cwd(), 'test', 'fixtures', 'tables');
const fixture = (name: string) => path.join(FIXTURES, name);

/** make_fixtures.py's X (6×3, row-major) for each class, and its y column */
const N = 6;
const D = 3;
const X_OF: Record<string, (i: number, j: number) => number> = {
  double: (i, j) => i + j / 4 - 1,
  uint8: (i, j) => 40 * i + 3 * j,
  int16: (i, j) => (i - 3) * 1000 + j,
};
const Y = [0, 0, 1, 0, 0, 1];
const rowMajor = (f: (i: number, j: number) => number) => Array.from({ length: N * D }, (_, k) => f(Math.floor(k / D), k % D));

/** 2×3 matrix [[1, 2, 3], [4, 5, 6]] stored column-major */
const M23: MatVarSpec = { name: 'X', dims: [2, 3], values: [1, 4, 2, 5, 3, 6] };

describe('readMatFile: files written by scipy.io.savemat (test/fixtures/tables)', () => {
  for (const cls of Object.keys(X_OF)) {
    for (const z of ['', '_z']) {
      test(`${cls} X, ${z ? 'compressed' : 'uncompressed'}: values row-major, class, y column`, () => {
        const m = readMatFile(fixture(`mat_${cls}${z}.mat`));
        assert.deepEqual([...m.keys()], ['X', 'y']);
        const x = m.get('X')!;
        assert.deepEqual({ rows: x.rows, cols: x.cols, mclass: x.mclass }, { rows: N, cols: D, mclass: cls });
        assert.deepEqual([...x.data], rowMajor(X_OF[cls]));
        const y = m.get('y')!;
        assert.deepEqual({ rows: y.rows, cols: y.cols, mclass: y.mclass }, { rows: N, cols: 1, mclass: 'double' });
        assert.deepEqual([...y.data], Y);
      });
    }
  }

  test('every numeric class is read, other kinds are skipped', () => {
    const m = readMatFile(fixture('mat_mixed.mat'));
    const got = Object.fromEntries([...m].map(([k, v]) => [k, { cls: v.mclass, shape: `${v.rows}x${v.cols}`, data: [...v.data] }]));
    assert.deepEqual(Object.keys(got), ['X', 'y', 'label2', 'single', 'int8', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'logical']);
    assert.deepEqual(got.label2, { cls: 'double', shape: '6x1', data: [1, 2, 2, 1, 3, 3] });
    assert.deepEqual(got.single, { cls: 'single', shape: '1x2', data: [1.5, -2.25] });
    assert.deepEqual(got.int8, { cls: 'int8', shape: '1x2', data: [-128, 127] });
    assert.deepEqual(got.uint16, { cls: 'uint16', shape: '1x2', data: [0, 65535] });
    assert.deepEqual(got.int32, { cls: 'int32', shape: '1x2', data: [-2147483648, 2147483647] });
    assert.deepEqual(got.uint32, { cls: 'uint32', shape: '1x2', data: [0, 4294967295] });
    assert.deepEqual(got.int64, { cls: 'int64', shape: '1x2', data: [-(2 ** 40), 2 ** 40] });
    assert.deepEqual(got.uint64, { cls: 'uint64', shape: '1x2', data: [0, 2 ** 40] });
    assert.deepEqual(got.logical, { cls: 'logical', shape: '1x3', data: [1, 0, 1] });
  });

  test('names picks variables; a missing one lists what the file holds', () => {
    const f = fixture('mat_mixed.mat');
    assert.deepEqual([...readMatFile(f, ['label2', 'X']).keys()], ['X', 'label2']);
    throwsUser(() => readMatFile(f, ['X', 'labels']), f, "no variable 'labels'", 'X (6×3 double)', 'name a variable');
  });

  test('a requested variable that is not a real 2-D numeric matrix is an error naming its kind', () => {
    const f = fixture('mat_mixed.mat');
    throwsUser(() => readMatFile(f, ['note']), f, "'note' is a char array");
    throwsUser(() => readMatFile(f, ['cellv']), f, "'cellv' is a cell array");
    throwsUser(() => readMatFile(f, ['st']), f, "'st' is a struct");
    throwsUser(() => readMatFile(f, ['sp']), f, "'sp' is a sparse matrix");
    throwsUser(() => readMatFile(f, ['cplx']), f, "'cplx' is complex");
    throwsUser(() => readMatFile(f, ['nd']), f, "'nd' is 3-D", '2×2×2');
  });
});

describe('readMatVariables: hand-encoded files', () => {
  test('big-endian and little-endian files read the same, column-major → row-major', () => {
    for (const le of [true, false]) {
      const m = readMatVariables(matFile([matrix(M23, le)], le), 'm.mat');
      const x = m.get('X')!;
      assert.deepEqual({ rows: x.rows, cols: x.cols, mclass: x.mclass, data: [...x.data] }, { rows: 2, cols: 3, mclass: 'double', data: [1, 2, 3, 4, 5, 6] }, `le=${le}`);
    }
  });

  test('big-endian compressed file', () => {
    const m = readMatVariables(matFile([compressed(matrix(M23, false), false)], false), 'm.mat');
    assert.deepEqual([...m.get('X')!.data], [1, 2, 3, 4, 5, 6]);
  });

  test('values are converted by the storage type, not the class (a double matrix stored as miUINT8, miINT16, ...)', () => {
    const cases: [number, number[]][] = [
      [MI.UINT8, [0, 255, 7, 8, 9, 10]], [MI.INT8, [-128, 127, 0, 1, 2, 3]], [MI.INT16, [-32768, 32767, 0, 1, 2, 3]],
      [MI.UINT16, [65535, 0, 1, 2, 3, 4]], [MI.INT32, [-7, 8, 9, 10, 11, 12]], [MI.UINT32, [4294967295, 0, 1, 2, 3, 4]],
      [MI.SINGLE, [0.5, -1.25, 2, 3, 4, 5]], [MI.INT64, [-5, 6, 7, 8, 9, 10]], [MI.UINT64, [2 ** 50, 1, 2, 3, 4, 5]],
    ];
    for (const le of [true, false]) {
      for (const [type, values] of cases) {
        const spec = { ...M23, type, values };
        const x = readMatVariables(matFile([matrix(spec, le)], le), 'm.mat').get('X')!;
        assert.equal(x.mclass, 'double');
        // column-major [a, b, c, d, e, f] of a 2×3 matrix is row-major [a, c, e, b, d, f]
        assert.deepEqual([...x.data], [0, 2, 4, 1, 3, 5].map((k) => values[k]), `type ${type} le=${le}`);
      }
    }
  });

  test('integer classes and logical are named by class', () => {
    const v = (name: string, cls: number, type: number, flags = 0): Uint8Array => matrix({ name, cls, type, flags, dims: [1, 2], values: [1, 0] }, true);
    const m = readMatVariables(matFile([v('a', MX.INT16, MI.INT16), v('b', MX.UINT8, MI.UINT8, 0x02), v('c', MX.UINT64, MI.UINT8)]), 'm.mat');
    assert.deepEqual([...m].map(([k, x]) => `${k}:${x.mclass}`), ['a:int16', 'b:logical', 'c:uint64']);
  });

  test('names of 5+ bytes use a full element, shorter ones a small element; both read', () => {
    for (const smallName of [true, false]) {
      const m = readMatVariables(matFile([matrix({ ...M23, name: 'y', smallName }, true), matrix({ ...M23, name: 'labels' }, true)]), 'm.mat');
      assert.deepEqual([...m.keys()], ['y', 'labels']);
    }
  });

  test('empty matrices, empty elements and zero padding between elements are fine', () => {
    const empty = matrix({ name: 'E', dims: [0, 0], values: [] }, true);
    const m = readMatVariables(matFile([element(MI.MATRIX, new Uint8Array(0), true), empty, new Uint8Array(8), matrix(M23, true)]), 'm.mat');
    assert.deepEqual([...m.keys()], ['E', 'X']);
    assert.equal(m.get('E')!.data.length, 0);
  });
});

describe('readMatVariables: damaged, foreign and crafted files are one-line errors', () => {
  const ok = matFile([matrix(M23, true)]);

  test('too short, no endian indicator, v7.3 (HDF5), unknown version', () => {
    throwsUser(() => readMatVariables(ok.subarray(0, 100), 'f.mat'), 'f.mat', 'too short', 're-download');
    const noMark = ok.slice();
    noMark[126] = 0;
    throwsUser(() => readMatVariables(noMark, 'f.mat'), 'f.mat', 'not a MATLAB level-5', 'scipy.io.savemat');
    throwsUser(() => readMatVariables(matFile([], true, 0x0200), 'f.mat'), 'f.mat', 'v7.3 (HDF5)', '-v7');
    throwsUser(() => readMatVariables(matFile([], true, 0x0300), 'f.mat'), 'f.mat', 'version 0x0300');
  });

  test('an element that declares more bytes than the file holds (truncated file)', () => {
    throwsUser(() => readMatVariables(ok.subarray(0, ok.length - 8), 'f.mat'), 'f.mat', 'declares', 'only', 're-download');
    throwsUser(() => readMatVariables(ok.subarray(0, 128 + 4), 'f.mat'), 'f.mat', 'truncated data element');
  });

  test('a real part whose size does not match the dimensions', () => {
    const f = matFile([matrix({ ...M23, dims: [3, 3] }, true)]);
    throwsUser(() => readMatVariables(f, 'f.mat'), 'f.mat', "'X' is 3×3 but holds 48 bytes of miDOUBLE (72 expected)");
  });

  test('dimensions claiming billions of values with a few bytes of data fail before allocating', () => {
    const f = matFile([matrix({ ...M23, dims: [2 ** 30, 2 ** 30] }, true)]);
    throwsUser(() => readMatVariables(f, 'f.mat'), 'f.mat', "'X' is 1073741824×1073741824");
  });

  test('a small element declaring more than 4 bytes; bad array flags; negative dimensions', () => {
    const bigSmall = matFile([concat([u32(MI.MATRIX, true), u32(16, true), u32((8 << 16) | MI.UINT32, true), new Uint8Array(12)])]);
    throwsUser(() => readMatVariables(bigSmall, 'f.mat'), 'f.mat', 'small data element', 'at most 4');
    const content = matrixContent(M23, true);
    content[0] = MI.INT32; // the flags' type
    throwsUser(() => readMatVariables(matFile([element(MI.MATRIX, content, true)]), 'f.mat'), 'f.mat', 'array flags');
    throwsUser(() => readMatVariables(matFile([matrix({ ...M23, dims: [-2, -3] }, true)]), 'f.mat'), 'f.mat', 'negative dimensions');
  });

  test('two variables of the same name', () => {
    throwsUser(() => readMatVariables(matFile([matrix(M23, true), matrix(M23, true)]), 'f.mat'), 'f.mat', "two variables named 'X'");
  });

  test('compressed data that is corrupt, or inflates to more or less than declared', () => {
    const z = compressed(matrix(M23, true), true);
    const corrupt = z.slice();
    corrupt[12] ^= 0xff;
    throwsUser(() => readMatVariables(matFile([corrupt]), 'f.mat'), 'f.mat', 'cannot be inflated');
    // 8 bytes follow the element inside the compressed data
    const longer = compressed(concat([matrix(M23, true), new Uint8Array(8)]), true);
    throwsUser(() => readMatVariables(matFile([longer]), 'f.mat'), 'f.mat', 'more bytes than it declares');
    const innerShort = matrix(M23, true);
    new DataView(innerShort.buffer).setUint32(4, innerShort.length, true); // declares 8 more than it holds
    throwsUser(() => readMatVariables(matFile([compressed(innerShort, true)]), 'f.mat'), 'f.mat', 'declares');
  });

  test('a compressed variable too large for MAT_MAX_BYTES fails before it is inflated', () => {
    // declares a 6000×6000 double matrix (288 MB); holds 16 bytes of zlib data past its header
    const rows = 6000;
    const header = matrixContent({ name: 'X', dims: [rows, rows], values: [] }, true).subarray(0, 40); // flags, dims, name
    const realTag = concat([u32(MI.DOUBLE, true), u32(rows * rows * 8, true)]);
    const content = concat([header, realTag]);
    const inner = concat([u32(MI.MATRIX, true), u32(content.length + rows * rows * 8, true), content]);
    const f = matFile([compressed(inner, true)]);
    assert.ok(rows * rows * 8 > MAT_MAX_BYTES);
    throwsUser(() => readMatVariables(f, 'f.mat'), 'f.mat', "variable 'X' (6000×6000 values as float64, inflated first)", 'MAT_MAX_BYTES', 'smaller table');
  });

  test('readMatFile refuses a folder and a missing file', () => {
    throwsUser(() => readMatFile(FIXTURES), FIXTURES, 'is a folder');
    throwsUser(() => readMatFile(fixture('none.mat')), 'none.mat', 'file not found');
  });
});

/** The ODDS files of the Deep SAD paper, kept on some machines in /work/shared/data/odds (see its README). */
const ODDS = '/work/shared/data/odds';
const ODDS_FILES: [string, number, number, number][] = [
  ['arrhythmia.mat', 452, 274, 66], ['cardio.mat', 1831, 21, 176], ['satellite.mat', 6435, 36, 2036],
  ['satimage-2.mat', 5803, 36, 71], ['shuttle.mat', 49097, 9, 3511], ['thyroid.mat', 3772, 6, 93],
];
/** X's sum (math.fsum), first and last value, from scipy.io.loadmat */
const ODDS_X: Record<string, [number, number, number]> = {
  'arrhythmia.mat': [1253974.4, 75, 32.8], 'cardio.mat': [1.8606121417880095e-12, 0.004912314661768384, -0.49329396944014214],
  'satellite.mat': [19337086, 92, 92], 'satimage-2.mat': [17509097, 92, 143], 'shuttle.mat': [13157400, 50, 20],
  'thyroid.mat': [5814.554025547037, 0.774193548387, 0.16393442623],
};

describe('readMatFile: the real ODDS files', { skip: !fs.existsSync(ODDS) }, () => {
  for (const [file, n, d, outliers] of ODDS_FILES) {
    test(`${file}: ${n}×${d}, ${outliers} outliers`, () => {
      const m = readMatFile(path.join(ODDS, file), ['X', 'y']);
      const x = m.get('X')!;
      const y = m.get('y')!;
      assert.deepEqual([x.rows, x.cols, x.mclass], [n, d, 'double']);
      assert.deepEqual([y.rows, y.cols], [n, 1]);
      assert.ok(y.data.every((v) => v === 0 || v === 1));
      assert.equal(y.data.reduce((a, b) => a + b, 0), outliers);
      let sum = 0;
      let abs = 0;
      for (const v of x.data) { sum += v; abs += Math.abs(v); }
      const [xSum, first, last] = ODDS_X[file];
      assert.ok(Math.abs(sum - xSum) <= 1e-12 * abs, `sum ${sum}`);
      assert.deepEqual([x.data[0], x.data[n * d - 1]], [first, last]);
    });
  }
});
