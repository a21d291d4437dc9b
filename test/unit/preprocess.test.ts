import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applyMinMaxInPlace, gcnInPlace, minMax, preprocess, toUnitScale } from '../../src/data/preprocess.js';
import { loadMnist } from '../../src/data/mnist.js';
import { gatherImages, selectIndices } from '../../src/data/select.js';
import { UserError } from '../../src/util/errors.js';
import { closeEach } from '../helpers/assert.js';

const close = (actual: ArrayLike<number>, expected: number[], tol = 1e-6): void => closeEach(actual, expected, tol);

describe('toUnitScale', () => {
  test('divides by 255 into float32', () => {
    const x = toUnitScale(new Uint8Array([0, 51, 255]));
    assert.ok(x instanceof Float32Array);
    close(x, [0, 0.2, 1], 1e-7);
  });
});

describe('gcnInPlace', () => {
  // image 1: [0,0,0,1] -> mean 0.25 -> centred [-.25,-.25,-.25,.75]; sum|x| = 1.5, sum x^2 = 0.75
  // image 2: [.5,0,1,.5] -> centred [0,-.5,.5,0]; sum|x| = 1, sum x^2 = 0.5
  const input = () => new Float32Array([0, 0, 0, 1, 0.5, 0, 1, 0.5]);

  test("l1: scale is the MEAN absolute deviation (sum|x|/D)", () => {
    const x = input();
    gcnInPlace(x, 4, 'l1');
    // image 1 scale 1.5/4 = .375; image 2 scale 1/4 = .25
    close(x, [-2 / 3, -2 / 3, -2 / 3, 2, 0, -2, 2, 0]);
  });

  test('l2: scale is sqrt(sum x^2)/D', () => {
    const x = input();
    gcnInPlace(x, 4, 'l2');
    const s1 = Math.sqrt(0.75) / 4;
    const s2 = Math.sqrt(0.5) / 4;
    close(x, [-0.25 / s1, -0.25 / s1, -0.25 / s1, 0.75 / s1, 0, -0.5 / s2, 0.5 / s2, 0], 1e-5);
  });

  test('std: scale is the population standard deviation', () => {
    const x = input();
    gcnInPlace(x, 4, 'std');
    const s1 = Math.sqrt(0.75 / 4);
    const s2 = Math.sqrt(0.5 / 4);
    close(x, [-0.25 / s1, -0.25 / s1, -0.25 / s1, 0.75 / s1, 0, -0.5 / s2, 0.5 / s2, 0], 1e-6);
  });

  test('each image is normalized independently; constant image becomes zeros, not NaN', () => {
    const x = new Float32Array([0.3, 0.3, 0.3, 0.3, 0, 0, 0, 1]);
    gcnInPlace(x, 4, 'l1');
    close(x, [0, 0, 0, 0, -2 / 3, -2 / 3, -2 / 3, 2]);
  });

  test('length must be a multiple of D', () => {
    assert.throws(() => gcnInPlace(new Float32Array(5), 4, 'l1'), UserError);
  });
});

describe('minMax / applyMinMaxInPlace', () => {
  test('global scalar extremes and scaling', () => {
    const x = new Float32Array([3, -1, 2, 5]);
    assert.deepEqual(minMax(x), { min: -1, max: 5 });
    applyMinMaxInPlace(x, -1, 5);
    close(x, [4 / 6, 0, 3 / 6, 1]);
  });

  test('degenerate range is a UserError', () => {
    assert.throws(() => applyMinMaxInPlace(new Float32Array([1, 1]), 1, 1), UserError);
    assert.throws(() => minMax(new Float32Array(0)), UserError);
  });
});

describe('preprocess', () => {
  // D = 4. train A = [0,0,0,255] -> GCN-l1 [-2/3,-2/3,-2/3,2]; B = [255,0,255,0] -> [1,-1,1,-1]
  // train min -1, max 2 (range 3). other C = [0,255,0,0] -> [-2/3,2,-2/3,-2/3]
  const train = new Uint8Array([0, 0, 0, 255, 255, 0, 255, 0]);
  const other = new Uint8Array([0, 255, 0, 0]);

  test('uses the training set min/max for every set', () => {
    const r = preprocess(train, [other], 4);
    assert.equal(r.constants.gcn, 'l1');
    assert.ok(Math.abs(r.constants.min - -1) < 1e-6);
    assert.ok(Math.abs(r.constants.max - 2) < 1e-6);
    close(r.train, [1 / 9, 1 / 9, 1 / 9, 1, 2 / 3, 0, 2 / 3, 0]);
    // scaled with the train constants (with its own min/max it would be [0,1,0,0])
    close(r.others[0], [1 / 9, 1, 1 / 9, 1 / 9]);
    // inputs untouched
    assert.deepEqual([...other], [0, 255, 0, 0]);
  });

  test('given constants override the training set ones', () => {
    const r = preprocess(train, [other], 4, { minMax: { min: -2, max: 2 } });
    assert.deepEqual({ min: r.constants.min, max: r.constants.max }, { min: -2, max: 2 });
    close(r.others[0], [(2 - 2 / 3) / 4, 1, (2 - 2 / 3) / 4, (2 - 2 / 3) / 4]);
  });
});

describe('real MNIST data', () => {
  // The PyTorch port's hard-coded per-class (min, max) after GCN-l1 on the MNIST training set.
  const TABLE: [number, number][] = [
    [-0.8826567065619495, 9.001545489292527],
    [-0.6661464580883915, 20.108062262467364],
    [-0.7820454743183202, 11.665100841080346],
    [-0.7645772083211267, 12.895051191467457],
    [-0.7253923114302238, 12.683235701611533],
    [-0.7698501867861425, 13.103278415430502],
    [-0.778418217980696, 10.457837397569108],
    [-0.7129780970522351, 12.057777597673047],
    [-0.8280402650205075, 10.581538445782988],
    [-0.7369959242164307, 10.697039838804978],
  ];
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

  test('GCN-l1 min/max of every digit class matches the PyTorch port table (1e-5 relative)', () => {
    const { train } = loadMnist('/nonexistent-default-data-dir', false);
    for (let c = 0; c < 10; c++) {
      const x = toUnitScale(gatherImages(train.images, 784, selectIndices(train.labels, [c])));
      gcnInPlace(x, 784, 'l1');
      const { min, max } = minMax(x);
      const [emin, emax] = TABLE[c];
      assert.ok(rel(min, emin) < 1e-5, `class ${c}: min ${min} != ${emin}`);
      assert.ok(rel(max, emax) < 1e-5, `class ${c}: max ${max} != ${emax}`);
    }
  });

  test('preprocess() on the digit-3 training set yields the table constants and [0,1] data', () => {
    const { train, test } = loadMnist('/nonexistent-default-data-dir', false);
    const tr = gatherImages(train.images, 784, selectIndices(train.labels, [3]));
    const te = gatherImages(test.images, 784, selectIndices(test.labels, [3, 8]));
    const r = preprocess(tr, [te], 784);
    assert.ok(rel(r.constants.min, TABLE[3][0]) < 1e-5);
    assert.ok(rel(r.constants.max, TABLE[3][1]) < 1e-5);
    const m = minMax(r.train);
    assert.ok(Math.abs(m.min) < 1e-6 && Math.abs(m.max - 1) < 1e-6, `train range ${m.min}..${m.max}`);
    assert.equal(r.others[0].length, te.length);
  });
});
