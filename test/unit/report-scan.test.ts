// The report's scan (report-scan.ts): run folders of a sweep or of a folder of sweeps read into flat records; Deep SAD's
// γ_l and the collapse flag read defensively; a run without results.json takes its class folder's dataset and method.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { collapsedOf, collectRuns, gammaLOf } from '../../src/experiments/report-scan.js';
import { UserError } from '../../src/util/errors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'report-scan-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const put = (root: string, rel: string, r: Record<string, unknown> | null) => {
  fs.mkdirSync(path.join(root, rel), { recursive: true });
  if (r) fs.writeFileSync(path.join(root, rel, 'results.json'), JSON.stringify(r));
};
const finished = (extra: Record<string, unknown>) => ({ status: 'finished', dataset: 'mnist', objective: 'one-class Deep SVDD', method: 'one-class', test_auc: 0.9, ...extra });

test('γ_l and the collapse flag: numbers in 0..1 and true only; older files (and odd values) read as none', () => {
  assert.equal(gammaLOf({ semi_supervised: { ratio_known_outlier: 0.05 } }), 0.05);
  assert.equal(gammaLOf({}), null);
  assert.equal(gammaLOf({ semi_supervised: { ratio_known_outlier: '0.05' } }), null);
  assert.equal(gammaLOf({ semi_supervised: { ratio_known_outlier: 2 } }), null);
  assert.equal(gammaLOf({ semi_supervised: null }), null);
  assert.equal(collapsedOf({ diagnostics: { collapsed: true } }), true);
  assert.equal(collapsedOf({ diagnostics: { collapsed: 'yes' } }), false);
  assert.equal(collapsedOf({ diagnostics: [] }), false);
  assert.equal(collapsedOf({}), false);
});

test('a single sweep: class and seed from the folders, the fields of results.json, sorted by class and seed', () => {
  const dir = path.join(tmp, 'single');
  put(dir, '1vsall/seed_2', finished({ test_auc: 0.8, ae_test_auc: 0.7, normal_class_names: ['one'], semi_supervised: { ratio_known_outlier: 0.1, ratio_known_normal: 0, ratio_pollution: 0, known_outlier_classes: [2], n_known_outlier_classes: 1, counts: { labelled_normal: 0, labelled_outlier: 3, unlabelled_normal: 27, unlabelled_outlier: 0 } }, diagnostics: { collapsed: true }, timings_s: { total_s: 12 } }));
  put(dir, '1vsall/seed_1', finished({}));
  put(dir, '0vsall/seed_1', finished({}));
  put(dir, '0vsall/notes', null); // not a seed folder: ignored
  const runs = collectRuns(dir);
  assert.deepEqual(runs.map((r) => r.rel), ['0vsall/seed_1', '1vsall/seed_1', '1vsall/seed_2']);
  const r = runs[2];
  assert.deepEqual([r.cls, r.seed, r.group, r.sweep, r.classKey, r.status], [1, 2, '1vsall', '', '1vsall', 'finished']);
  assert.deepEqual([r.testAuc, r.aeTestAuc, r.method, r.gammaL, r.collapsed, r.className, r.seconds], [0.8, 0.7, 'one-class', 0.1, true, 'one', 12]);
  assert.deepEqual([runs[0].gammaL, runs[0].collapsed], [null, false]);
});

test('a folder of sweeps (one linked): the sweep folder named; a run without results.json joins its class folder\'s dataset and method', () => {
  const dir = path.join(tmp, 'sweeps');
  put(dir, 'kde/3vsall/seed_1', { status: 'finished', dataset: 'cifar10', objective: 'KDE (Gaussian kernel)', test_auc: 0.6 }); // no "method": methodOf
  put(dir, 'kde/3vsall/seed_2', null);
  const other = path.join(tmp, 'elsewhere');
  put(other, '3vsall/seed_1', finished({ dataset: 'cifar10' }));
  fs.symlinkSync(other, path.join(dir, 'one-class'));
  const runs = collectRuns(dir);
  assert.deepEqual(runs.map((r) => [r.rel, r.sweep, r.method, r.dataset, r.status]), [
    ['kde/3vsall/seed_1', 'kde', 'kde', 'cifar10', 'finished'],
    ['kde/3vsall/seed_2', 'kde', 'kde', 'cifar10', 'missing'],
    ['one-class/3vsall/seed_1', 'one-class', 'one-class', 'cifar10', 'finished'],
  ]);
});

test('a corrupted results.json is a one-line error naming the file and the fix', () => {
  const dir = path.join(tmp, 'corrupt');
  put(dir, '0vsall/seed_1', finished({ test_auc: 1.5 }));
  assert.throws(() => collectRuns(dir), (e: Error) => e instanceof UserError && /seed_1\/results\.json is corrupted: test_auc 1\.5 is outside its range 0\.\.1: remove that run folder/.test(e.message) && !e.message.includes('\n'));
  put(dir, '0vsall/seed_1', finished({ diagnostics: { collapsed: 'yes' } }));
  assert.throws(() => collectRuns(dir), /diagnostics\.collapsed "yes" is not a boolean/);
});
