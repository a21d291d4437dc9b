// Option defaults that depend on other options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTrainConfig, radiusMode } from '../../src/config/build.js';

const cfg = (raw: Record<string, string>) => buildTrainConfig({ xpDir: 'log/unused', ...raw });

test('soft-boundary defaults to block coordinates (the paper\'s protocol); one-class and explicit choices do not', () => {
  const oneClass = cfg({});
  assert.equal(oneClass.hardMargin, true);
  assert.equal(oneClass.blockCoordinate, false);
  assert.equal(radiusMode(oneClass), 'one-class');

  const soft = cfg({ hardMargin: '0' });
  assert.equal(soft.blockCoordinate, true);
  assert.equal(radiusMode(soft), 'block');

  const joint = cfg({ hardMargin: '0', blockCoordinate: '0' });
  assert.equal(joint.blockCoordinate, false);
  assert.equal(joint.radiusUpdate, 'solver');
  assert.equal(radiusMode(joint), 'solver');

  // asking for a per-step radius rule means no block coordinates, without an error about combining the two
  const quantile = cfg({ hardMargin: '0', radiusUpdate: 'batch-quantile' });
  assert.equal(quantile.blockCoordinate, false);
  assert.equal(radiusMode(quantile), 'batch-quantile');
  assert.equal(cfg({ hardMargin: '0', radiusUpdate: 'solver' }).blockCoordinate, false);

  assert.equal(cfg({ hardMargin: '0', loss: 'autoencoder' }).blockCoordinate, false);
  assert.throws(() => cfg({ hardMargin: '0', blockCoordinate: '1', radiusUpdate: 'batch-quantile' }), /choose one radius rule/);
});
