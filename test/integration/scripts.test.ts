/**
 * The CIFAR-10 scripts with the original positional interface, on the committed fixtures (DEEP_SVDD_DATA_DIR):
 * cifar10_cae.sh, then cifar10_svdd.sh starting from that autoencoder (in_name), one epoch each; the MNIST scripts
 * on small subsets of the embedded MNIST (one of them with --threads 2); argument errors.
 * Run folders are log/test_tmp_<pid>_*, removed at the end.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodeNpy } from '../../src/data/npy.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const prefix = `test_tmp_${process.pid}_`;
const env = { ...process.env, DEEP_SVDD_DATA_DIR: 'test/fixtures/cifar10' };

function cleanup(): void {
  const log = path.join(root, 'log');
  if (!fs.existsSync(log)) return;
  for (const name of fs.readdirSync(log)) {
    if (name.startsWith(prefix)) fs.rmSync(path.join(log, name), { recursive: true, force: true });
  }
}
after(cleanup);
process.on('exit', cleanup);

function sh(script: string, args: string[], vars: NodeJS.ProcessEnv = env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', [`scripts/${script}`, ...args], { cwd: root, env: vars });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const results = (xp: string) => JSON.parse(fs.readFileSync(path.join(root, 'log', xp, 'results.json'), 'utf8'));
const config = (xp: string) => JSON.parse(fs.readFileSync(path.join(root, 'log', xp, 'config.json'), 'utf8'));
/** keeps the runs small: trailing options go to `deep-svdd train` after the fixed ones */
const small = ['--n-train', '40', '--batch-size', '20', '--backend', 'wasm'];

test('cifar10_cae.sh then cifar10_svdd.sh from its encoder, on the fixtures', async () => {
  const cae = `${prefix}cae`;
  const svdd = `${prefix}svdd`;
  const a = await sh('cifar10_cae.sh', ['cpu', cae, '0', 'adam', '0.0001', '1', '3', '3', '-1', ...small]);
  assert.equal(a.code, 0, a.stderr);
  const ra = results(cae);
  assert.equal(ra.status, 'finished');
  const ca = config(cae);
  assert.equal(ca.dataset, 'cifar10');
  assert.equal(ca.loss, 'autoencoder');
  assert.deepEqual(ca.normal, [3]);
  assert.equal(ca.repDim, 128);
  assert.equal(ca.aeC, 1e6);
  assert.equal(ca.aeLrDropInEpoch, 250);
  assert.equal(ca.batchSize, 20, 'trailing options override the fixed ones');
  assert.deepEqual([ca.cifar10Architecture, ca.cifar10Bias, ca.gcn, ca.unitNormUsed, ca.weightDictInit], [3, false, true, 'l1', true]);
  assert.ok(fs.existsSync(path.join(root, 'log', cae, 'filters_init.png')));

  const b = await sh('cifar10_svdd.sh', ['cpu', svdd, '0', 'adam', '0.0001', '1', '0.1', '1', '1', '0', cae, '3', '3', '-1', ...small]);
  assert.equal(b.code, 0, b.stderr);
  const rb = results(svdd);
  assert.equal(rb.status, 'finished');
  assert.equal(typeof rb.test_auc, 'number');
  const cb = config(svdd);
  assert.equal(cb.loss, 'svdd');
  assert.equal(cb.pretrain, false);
  assert.equal(cb.inName, `log/${cae}`);
  assert.equal(cb.nu, 0.1);
  assert.equal(cb.C, 1e6);
  assert.equal(cb.lrDropInEpoch, 50);
  assert.equal(cb.repDim, 128);
  assert.equal(cb.weightDictInit, false);
  assert.match(fs.readFileSync(path.join(root, 'log', svdd, 'log.txt'), 'utf8'), /Encoder initialised from --in-name/);
});

test('mnist_svdd.sh and mnist_cae.sh on the embedded MNIST, trailing options passed on (--threads 2 included)', async () => {
  const mnistEnv = { ...process.env };
  delete mnistEnv.DEEP_SVDD_DATA_DIR;
  const tiny = ['--n-train', '100', '--n-test', '100', '--ae-n-epochs', '1', '--ae-batch-size', '50', '--batch-size', '50', '--backend', 'wasm'];
  const svdd = `${prefix}mnist_svdd`;
  const a = await sh('mnist_svdd.sh', ['cpu', svdd, '0', 'adam', '0.0001', '1', '1', '0', '1', '0', '-1', ...tiny, '--threads', '2'], mnistEnv);
  assert.equal(a.code, 0, a.stderr);
  const ra = results(svdd);
  assert.equal(ra.status, 'finished');
  assert.equal(typeof ra.test_auc, 'number');
  assert.equal(ra.backend.threads, 2, 'the SIMD kernels ran on two threads');
  const ca = config(svdd);
  assert.deepEqual([ca.dataset, ca.nEpochs, ca.lrDropInEpoch, ca.C, ca.nTrain, ca.threads], ['mnist', 1, 50, 1e6, 100, 2]);
  assert.deepEqual([ca.weightDictInit, ca.mnistBias, ca.gcn, ca.unitNormUsed], [true, false, true, 'l1']);

  const cae = `${prefix}mnist_cae`;
  const b = await sh('mnist_cae.sh', ['cpu', cae, '0', 'adam', '0.0001', '1', '0', '-1', ...tiny], mnistEnv);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(results(cae).status, 'finished');
  const cb = config(cae);
  assert.deepEqual([cb.loss, cb.aeC, cb.aeLrDropInEpoch, cb.batchSize, cb.weightDictInit], ['autoencoder', 1e3, 150, 50, true]);

  const c = await sh('mnist_svdd.sh', ['cpu', `${prefix}x`, '0', 'adam'], mnistEnv);
  assert.equal(c.code, 2);
  assert.match(c.stderr.trim(), /^usage: sh scripts\/mnist_svdd.sh device xp_dir seed solver lr n_epochs hard_margin block_coordinate pretrain normal outlier \[deep-svdd train options\]$/);
});

test('wrong arguments: usage line and exit 2; an architecture other than 1, 2 or 3 refused', async () => {
  const r1 = await sh('cifar10_svdd.sh', ['cpu', `${prefix}x`, '0']);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr.trim(), /^usage: sh scripts\/cifar10_svdd.sh device xp_dir seed solver lr n_epochs nu hard_margin center_fixed block_coordinate in_name cifar10_architecture cifar10_normal cifar10_outlier/);
  const r2 = await sh('cifar10_cae.sh', ['cpu', `${prefix}x`, '0', 'adam', '0.0001', '1', '3', '3', '-1', 'extra']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr.trim(), /^usage: sh scripts\/cifar10_cae.sh device xp_dir seed solver lr n_epochs cifar10_architecture cifar10_normal cifar10_outlier/);
  const r3 = await sh('cifar10_svdd.sh', ['cpu', `${prefix}x`, '0', 'adam', '0.0001', '1', '0.1', '1', '1', '0', '-', '4', '3', '-1']);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /--cifar10-architecture 4 is invalid: use a whole number ≥ 1 and ≤ 3/);
  const r4 = await sh('gtsrb_svdd.sh', ['cpu', `${prefix}x`, '0', 'adam', '0.0001', '1', '0.1', '1', '1', '0']);
  assert.equal(r4.code, 2);
  assert.match(r4.stderr.trim(), /^usage: sh scripts\/gtsrb_svdd.sh device xp_dir seed solver lr n_epochs nu hard_margin center_fixed block_coordinate in_name/);
  assert.ok(!fs.existsSync(path.join(root, 'log', `${prefix}x`)));
});

test('gtsrb_cae.sh then gtsrb_svdd.sh from its encoder on the fixtures, with and without the adversarial .npy; no GT csv', async () => {
  const tmp = fs.mkdtempSync(path.join(root, 'log', `${prefix}gtsrb_data_`));
  fs.cpSync(path.join(root, 'test/fixtures/gtsrb/data_gtsrb'), path.join(tmp, 'data_gtsrb'), { recursive: true });
  const gEnv = { ...process.env, DEEP_SVDD_DATA_DIR: tmp };
  const quick = ['--batch-size', '16', '--backend', 'wasm'];
  for (const adversarial of [false, true]) {
    if (adversarial) {
      for (const f of ['Images_150.npy', 'Labels_150.npy']) fs.copyFileSync(path.join(root, 'test/fixtures/gtsrb/adversarial', f), path.join(tmp, 'data_gtsrb', f));
    }
    const cae = `${prefix}gtsrb_cae_${adversarial}`;
    const svdd = `${prefix}gtsrb_svdd_${adversarial}`;
    const a = await sh('gtsrb_cae.sh', ['cpu', cae, '0', 'adam', '0.0001', '1', ...quick], gEnv);
    assert.equal(a.code, 0, a.stderr);
    const ca = config(cae);
    assert.deepEqual([ca.dataset, ca.loss, ca.gcn, ca.weightDictInit, ca.aeC, ca.aeLrDropInEpoch, ca.repDim], ['gtsrb', 'autoencoder', false, true, 1e6, 250, 32]);
    assert.ok(fs.existsSync(path.join(root, 'log', cae, 'filters_init.png')));
    const b = await sh('gtsrb_svdd.sh', ['cpu', svdd, '0', 'adam', '0.0001', '1', '0.1', '1', '1', '0', cae, ...quick], gEnv);
    assert.equal(b.code, 0, b.stderr);
    const rb = results(svdd);
    assert.equal(rb.status, 'finished');
    assert.equal(typeof rb.test_auc, 'number');
    assert.equal(rb.n_test, adversarial ? 5 + 4 : 5 + 5);
    assert.match(rb.data_source, adversarial ? /adversarial images from Images_150\.npy/ : /images of other classes as outliers/);
    const cb = config(svdd);
    assert.deepEqual([cb.batchSize, cb.gcn, cb.nnetDiagnostics, cb.pretrain, cb.inName], [16, false, true, false, `log/${cae}`]);
    assert.equal(results(svdd).preprocessing.gcn, 'none');
  }
  // adversarial images of the wrong shape: one line, non-zero exit
  fs.writeFileSync(path.join(tmp, 'data_gtsrb', 'Images_150.npy'), encodeNpy('f4', [6, 32, 32, 3], new Array(6 * 3072).fill(1)));
  const w = await sh('gtsrb_cae.sh', ['cpu', `${prefix}gtsrb_badnpy`, '0', 'adam', '0.0001', '1', ...quick], gEnv);
  assert.notEqual(w.code, 0);
  assert.match(w.stderr.trim(), /^deep-svdd: \S+Images_150\.npy \(adversarial images[^\n]*shape \(6, 32, 32, 3\) is wrong: expected \(N, 3, 32, 32\)$/);
  fs.rmSync(path.join(tmp, 'data_gtsrb', 'Final_Training', 'Images', '00014', 'GT-00014.csv'));
  const c = await sh('gtsrb_cae.sh', ['cpu', `${prefix}gtsrb_nocsv`, '0', 'adam', '0.0001', '1', ...quick], gEnv);
  assert.notEqual(c.code, 0);
  assert.match(c.stderr.trim(), /^deep-svdd: GTSRB: \S+GT-00014\.csv not found: [^\n]+$/);
});

/** Runs experiments/<script> from the repository root with extra environment variables; its exit code and stderr. */
function runExperiment(script: string, vars: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', [`experiments/${script}`, ...args], { cwd: root, env: { ...process.env, ...vars } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('experiments/mnist_table1.sh and mnist_ablation.sh: each column and variant with its settings, the reference linked', async () => {
  const xp = path.join(root, 'log', `${prefix}experiments`);
  const tiny = ['--classes', '1', '--seeds', '1', '--n-train', '60', '--n-test', '60', '--n-epochs', '1', '--ae-n-epochs', '1', '--batch-size', '30', '--backend', 'wasm'];
  const a = await runExperiment('mnist_table1.sh', { XP_ROOT: path.join(xp, 'table') }, tiny);
  assert.equal(a.code, 0, a.stderr);
  const cfg = (rel: string) => JSON.parse(fs.readFileSync(path.join(xp, rel, '1vsall', 'seed_1', 'config.json'), 'utf8'));
  const one = cfg('table/one-class');
  assert.deepEqual([one.hardMargin, one.pretrain, one.weightDictInit, one.C, one.lrDropInEpoch, one.nTrain], [true, true, true, 1e6, 50, 60]);
  const soft = cfg('table/soft-boundary');
  assert.deepEqual([soft.hardMargin, soft.blockCoordinate, soft.nu], [false, true, 0.1]);
  const dcae = cfg('table/dcae');
  assert.deepEqual([dcae.loss, dcae.aeC, dcae.aeLrDropInEpoch, dcae.weightDictInit], ['autoencoder', 1e3, 150, true]);

  const b = await runExperiment('mnist_ablation.sh', { XP_ROOT: path.join(xp, 'ablation'), REFERENCE: path.join(xp, 'table', 'one-class'), VARIANTS: 'drop-last pytorch' }, tiny);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(fs.realpathSync(path.join(xp, 'ablation', 'reference')), fs.realpathSync(path.join(xp, 'table', 'one-class')));
  assert.deepEqual([cfg('ablation/drop-last').dropLast, cfg('ablation/drop-last').weightDictInit], [true, true]);
  const pt = cfg('ablation/pytorch');
  assert.deepEqual([pt.weightDictInit, pt.C, pt.aeC, pt.aeLrDrop, pt.aeLrDropInEpoch, pt.dropLast], [false, 2e6, 2e3, true, 50, false]);

  const bad = await runExperiment('mnist_ablation.sh', { XP_ROOT: path.join(xp, 'ablation'), VARIANTS: 'nonsense' }, tiny);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr.trim(), /^experiments\/mnist_ablation.sh: unknown variant 'nonsense' in VARIANTS: use no-dict-init, /);
});

test('experiments/mnist_baselines.sh: the three shallow columns beside the table, GCN and PCA on unless overridden', async () => {
  const xp = path.join(root, 'log', `${prefix}baselines`);
  const run = (vars: NodeJS.ProcessEnv, args: string[]) => runExperiment('mnist_baselines.sh', { XP_ROOT: xp, ...vars }, args);
  const tiny = ['--classes', '1', '--seeds', '1', '--n-train', '60', '--n-test', '100'];
  const a = await run({}, tiny);
  assert.equal(a.code, 0, a.stderr);
  const file = (method: string, name: string) => JSON.parse(fs.readFileSync(path.join(xp, method, '1vsall', 'seed_1', name), 'utf8'));
  for (const method of ['ocsvm', 'kde', 'if']) {
    const c = file(method, 'config.json');
    assert.deepEqual([c.method, c.gcn, c.pca, c.nTrain, c.nTest], [method, true, true, 60, 100]);
    assert.equal(file(method, 'results.json').status, 'finished');
  }
  assert.deepEqual(file('ocsvm', 'config.json').nu, [0.1]);
  // extra arguments come after the script's settings and win
  const b = await run({ METHODS: 'if', XP_ROOT: path.join(xp, 'nogcn') }, [...tiny, '--gcn', '0']);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(JSON.parse(fs.readFileSync(path.join(xp, 'nogcn', 'if', '1vsall', 'seed_1', 'config.json'), 'utf8')).gcn, false);
  const bad = await run({ METHODS: 'svm' }, tiny);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim(), "experiments/mnist_baselines.sh: unknown method 'svm' in METHODS: use ocsvm, kde or if");
});

test('experiments/deep_sad_images.sh: the pairs (d, (d+1) mod 10) with the authors\' settings, γ_l recorded; an unknown dataset refused', async () => {
  const xp = path.join(root, 'log', `${prefix}deep_sad`);
  const tiny = ['--n-train', '60', '--n-test', '60', '--n-epochs', '1', '--ae-n-epochs', '1', '--batch-size', '30', '--backend', 'wasm'];
  const a = await runExperiment('deep_sad_images.sh', { XP_ROOT: xp, DATASETS: 'mnist', RATIOS: '0 0.05', CLASSES: '0 9', SEEDS: '1' }, tiny);
  assert.equal(a.code, 0, a.stderr);
  const read = (rel: string, file: string) => JSON.parse(fs.readFileSync(path.join(xp, 'mnist', rel, 'seed_1', file), 'utf8'));
  const c = read('gamma_0.05/9vsall', 'config.json');
  assert.deepEqual([c.loss, c.eta, c.knownOutlierClass, c.ratioKnownOutlier, c.ratioPollution, c.gcn, c.weightDictInit, c.dropLast],
    ['deep-sad', 1, [0], 0.05, 0, false, false, true]);
  assert.deepEqual([c.C, c.aeC, c.lrDropInEpoch, c.aeLrDrop, c.lr, c.aeLr], [2e6, 2000 / 784, 49, false, 1e-4, 1e-4]);
  const r = read('gamma_0.05/0vsall', 'results.json');
  assert.equal(r.method, 'deep-sad');
  assert.deepEqual(r.semi_supervised.known_outlier_classes, [1]);
  assert.equal(r.semi_supervised.ratio_known_outlier, 0.05);
  assert.equal(r.semi_supervised.counts.labelled_outlier, 3); // int(0.05 · 60 / 0.95)
  assert.equal(read('gamma_0/0vsall', 'results.json').semi_supervised.counts.labelled_outlier, 0);
  const bad = await runExperiment('deep_sad_images.sh', { XP_ROOT: xp, DATASETS: 'nonsense' }, tiny);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr.trim(), /^experiments\/deep_sad_images.sh: unknown dataset 'nonsense' in DATASETS: use mnist or fmnist$/);
});
