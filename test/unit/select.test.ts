import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildSplit, gatherImages, parseClassList, resolveClasses, seededSubset, selectIndices } from '../../src/data/select.js';
import { UserError } from '../../src/util/errors.js';
import { subRng } from '../../src/util/rng.js';
import { throwsUser } from '../helpers/assert.js';

describe('parseClassList', () => {
  test('single, list, -1', () => {
    assert.deepEqual(parseClassList('0', 10, '--normal'), [0]);
    assert.deepEqual(parseClassList('7', 10, '--normal'), [7]);
    assert.deepEqual(parseClassList('3, 1,2', 10, '--normal'), [1, 2, 3]);
    assert.deepEqual(parseClassList('2,2', 10, '--normal'), [2]);
    assert.deepEqual(parseClassList('-1', 10, '--outlier'), [-1]);
  });

  test('out of range', () => {
    assert.throws(
      () => parseClassList('11', 10, '--normal'),
      (e: unknown) =>
        e instanceof UserError &&
        e.message === '--normal 11 is out of range: use a class index 0..9, a comma-separated list, or -1 for all others',
    );
    throwsUser(() => parseClassList('0,10', 10, '--outlier'), '--outlier 10 is out of range');
    throwsUser(() => parseClassList('-2', 10, '--normal'), '--normal -2 is out of range');
  });

  test('malformed values', () => {
    throwsUser(() => parseClassList('', 10, '--normal'), '--normal', 'empty');
    throwsUser(() => parseClassList('a', 10, '--normal'), '--normal "a" is not a class index');
    throwsUser(() => parseClassList('1.5', 10, '--normal'), '--normal', 'not a class index');
    throwsUser(() => parseClassList('1,,2', 10, '--normal'), '--normal', 'not a class index');
    throwsUser(() => parseClassList('-1,3', 10, '--outlier'), '--outlier', 'cannot be combined');
  });
});

describe('resolveClasses', () => {
  test('-1 on the outlier side means all others', () => {
    assert.deepEqual(resolveClasses([0], [-1], 10), { normal: [0], outlier: [1, 2, 3, 4, 5, 6, 7, 8, 9] });
    assert.deepEqual(resolveClasses([1, 3], [-1], 10), { normal: [1, 3], outlier: [0, 2, 4, 5, 6, 7, 8, 9] });
  });

  test('-1 on the normal side means all others', () => {
    assert.deepEqual(resolveClasses([-1], [4], 10), { normal: [0, 1, 2, 3, 5, 6, 7, 8, 9], outlier: [4] });
  });

  test('explicit lists are kept (need not cover all classes)', () => {
    assert.deepEqual(resolveClasses([2], [5, 6], 10), { normal: [2], outlier: [5, 6] });
  });

  test('errors', () => {
    throwsUser(() => resolveClasses([-1], [-1], 10), '--normal and --outlier cannot both be -1');
    throwsUser(() => resolveClasses([1, 2], [2, 3], 10), 'class 2 is in both --normal and --outlier');
    throwsUser(() => resolveClasses([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [-1], 10), '--outlier selects no class');
  });
});

describe('selectIndices / buildSplit', () => {
  const trainLabels = new Uint8Array([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  const testLabels = new Uint8Array([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);

  test('selectIndices returns ascending indices of matching labels', () => {
    assert.deepEqual([...selectIndices(trainLabels, [1])], [3, 6, 8]);
    assert.deepEqual([...selectIndices(trainLabels, [4, 0])], [1, 2, 9]);
    assert.deepEqual([...selectIndices(trainLabels, [8])], []);
  });

  test('train = normal classes only; test = normal (0) + outlier (1) in original order', () => {
    const s = buildSplit(trainLabels, testLabels, { normal: [1], outlier: [4, 9] });
    assert.deepEqual([...s.trainIdx], [3, 6, 8]);
    assert.deepEqual([...s.testIdx], [2, 4, 5, 6, 7, 9]);
    assert.deepEqual([...s.testLabels], [0, 1, 0, 1, 1, 1]);
  });

  test('one-vs-rest via resolveClasses', () => {
    const s = buildSplit(trainLabels, testLabels, resolveClasses([4], [-1], 10));
    assert.deepEqual([...s.trainIdx], [2, 9]);
    assert.deepEqual([...s.testIdx], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual([...s.testLabels], [1, 1, 1, 1, 0, 1, 0, 1, 1, 1]);
  });

  test('no training sample of the normal class is a UserError', () => {
    throwsUser(() => buildSplit(trainLabels, testLabels, { normal: [8], outlier: [1] }), 'no training samples', '8');
  });
});

describe('seededSubset', () => {
  const idx = Int32Array.from({ length: 100 }, (_, i) => 1000 + 2 * i);

  test('undefined or k >= n returns all', () => {
    assert.equal(seededSubset(idx, undefined, subRng(1, 'subset')), idx);
    assert.deepEqual([...seededSubset(idx, 100, subRng(1, 'subset'))], [...idx]);
    assert.deepEqual([...seededSubset(idx, 500, subRng(1, 'subset'))], [...idx]);
  });

  test('k < n: k distinct members, sorted, reproducible for a seed, different for another seed', () => {
    const a = seededSubset(idx, 10, subRng(1, 'subset'));
    const b = seededSubset(idx, 10, subRng(1, 'subset'));
    const c = seededSubset(idx, 10, subRng(2, 'subset'));
    assert.equal(a.length, 10);
    assert.deepEqual([...a], [...b]);
    assert.notDeepEqual([...a], [...c]);
    assert.equal(new Set(a).size, 10);
    const members = new Set(idx);
    for (let i = 0; i < a.length; i++) {
      assert.ok(members.has(a[i]));
      if (i > 0) assert.ok(a[i] > a[i - 1], 'sorted ascending');
    }
  });

  test('k <= 0 or non-integer is a UserError', () => {
    throwsUser(() => seededSubset(idx, 0, subRng(1, 's'), '--n-train'), '--n-train 0');
    throwsUser(() => seededSubset(idx, -3, subRng(1, 's')), '-3');
    throwsUser(() => seededSubset(idx, 2.5, subRng(1, 's')), '2.5');
  });
});

describe('gatherImages', () => {
  test('copies the selected images in index order', () => {
    const images = new Uint8Array([10, 11, 20, 21, 30, 31]); // 3 images of 2 pixels
    assert.deepEqual([...gatherImages(images, 2, new Int32Array([2, 0]))], [30, 31, 10, 11]);
    assert.deepEqual([...gatherImages(images, 2, new Int32Array([]))], []);
    assert.throws(() => gatherImages(images, 2, new Int32Array([3])), RangeError);
  });
});
