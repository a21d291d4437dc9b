import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epochBatches } from '../../src/data/batches.js';
import { subRng } from '../../src/util/rng.js';

const sizes = (b: Int32Array[]) => b.map((x) => x.length);

test('epochBatches keeps the last partial batch by default and leaves it out with dropLast', () => {
  const keep = epochBatches(10, 4, subRng(1, 'order'));
  const drop = epochBatches(10, 4, subRng(1, 'order'), true);
  assert.deepEqual(sizes(keep), [4, 4, 2]);
  assert.deepEqual(sizes(drop), [4, 4]);
  // the same seeded order: the full batches are identical, and every image appears once in the kept epoch
  assert.deepEqual(drop, keep.slice(0, 2));
  assert.deepEqual([...keep.flatMap((b) => [...b])].sort((a, b) => a - b), [...Array(10).keys()]);
});

test('epochBatches with dropLast keeps a set smaller than the batch as one batch, and exact multiples whole', () => {
  assert.deepEqual(sizes(epochBatches(3, 4, subRng(1, 'order'), true)), [3]);
  assert.deepEqual(sizes(epochBatches(8, 4, subRng(1, 'order'), true)), [4, 4]);
  // MNIST digit 0 at batch 200: 29 full batches of the 5,923 images (5,800 a epoch, as the original trained on)
  assert.deepEqual(sizes(epochBatches(5923, 200, subRng(1, 'order'), true)), Array(29).fill(200));
  assert.equal(epochBatches(5923, 200, subRng(1, 'order')).length, 30);
});
