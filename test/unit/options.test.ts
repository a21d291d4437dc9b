// The option table: strict parsing, ranges in --help, bare boolean flags, and validation that needs no TF.js.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { buildTrainConfig } from '../../src/config/build.js';
import { addTrainOptions, helpWithRange, parseValue, TRAIN_OPTIONS } from '../../src/config/options.js';
import { jobsWarning, planSweep } from '../../src/experiments/sweep.js';
import { UserError } from '../../src/util/errors.js';
import { MAX_REP_DIM } from '../../src/nn/networks.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const spec = (key: string) => TRAIN_OPTIONS.find((s) => s.key === key)!;
const cfg = (raw: Record<string, unknown>) => buildTrainConfig({ xpDir: 'log/unused', ...raw });

test('numbers are parsed strictly: no hex / binary / octal, no Infinity, no unsafe integers, no empty strings', () => {
  for (const [key, bad] of [['nEpochs', '0x1'], ['nEpochs', '1e3'], ['nEpochs', '99999999999999999999'], ['nEpochs', ''], ['lr', '0x10'],
    ['lr', '0b1'], ['lr', 'Infinity'], ['lr', '1e999'], ['lr', ''], ['lr', '1,5'], ['seed', '2147483648'], ['nu', '1.5']] as const) {
    assert.throws(() => parseValue(spec(key), bad), (e: unknown) => e instanceof UserError && e.message.includes(spec(key).flag), `${key} ${bad}`);
  }
  assert.equal(parseValue(spec('lr'), '1e-4'), 1e-4);
  assert.equal(parseValue(spec('lr'), '.5'), 0.5);
  assert.equal(parseValue(spec('nEpochs'), ' 7 '), 7);
});

test('--c-mean-init-n-batches 0 and an empty --xp-dir or --data-dir are rejected', () => {
  assert.throws(() => cfg({ cMeanInitNBatches: '0' }), /--c-mean-init-n-batches 0 is invalid: use a whole number ≥ -1 and not 0/);
  assert.equal(cfg({ cMeanInitNBatches: '-1' }).cMeanInitNBatches, -1);
  assert.equal(cfg({ cMeanInitNBatches: '2' }).cMeanInitNBatches, 2);
  assert.throws(() => buildTrainConfig({ xpDir: '' }), /--xp-dir is empty/);
  assert.throws(() => buildTrainConfig({ xpDir: '  ' }), /--xp-dir is empty/);
  assert.throws(() => cfg({ dataDir: '' }), /--data-dir is empty/);
});

test('every numeric option\'s range is in its --help text', () => {
  for (const s of TRAIN_OPTIONS) {
    if (s.type !== 'int' && s.type !== 'float') continue;
    const help = helpWithRange(s);
    for (const [bound, text] of [[s.min, `≥ ${s.min}`], [s.max, `≤ ${s.max}`], [s.gt, `> ${s.gt}`]] as const) {
      if (bound !== undefined) assert.ok(help.includes(text), `${s.flag}: "${text}" missing from "${help}"`);
    }
  }
  const r = spawnSync(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'train', '--help'], { encoding: 'utf8' });
  const text = r.stdout.replace(/\s+/g, ' '); // commander wraps the help text
  assert.match(text, /--nu <value> [^[]*\[a number > 0 and ≤ 1\]/);
  assert.match(text, /--threads <value> [^[]*\[a whole number ≥ 0 and ≤ 64\]/);
  assert.match(text, /--resume \[0\|1\]/);
});

test('boolean options work bare as well as with 0 / 1 (the original scripts pass 0/1)', () => {
  const parse = (argv: string[]) => {
    const cmd = addTrainOptions(new Command().exitOverride());
    cmd.parse(argv, { from: 'user' });
    return cfg(cmd.opts());
  };
  const bare = parse(['--resume', '--force', '--pretrain', '--n-epochs', '2']);
  assert.equal(bare.resume, true);
  assert.equal(bare.force, true);
  assert.equal(bare.pretrain, true);
  assert.equal(bare.nEpochs, 2);
  const numeric = parse(['--resume', '0', '--force', '1', '--pretrain', '0', '--hard-margin', '0']);
  assert.deepEqual([numeric.resume, numeric.force, numeric.pretrain, numeric.hardMargin], [false, true, false, false]);
  assert.equal(parse([]).resume, false);
  assert.throws(() => parse(['--pretrain', '2']), /--pretrain 2 is invalid: use 0 or 1/);
});

test('--jobs above the cores warns; far above the limit is an error', () => {
  assert.equal(jobsWarning(2, 1, 2), undefined);
  assert.match(jobsWarning(64, 1, 2)!, /--jobs 64 × --threads 1 asks for 64 cores but this machine has 2: .*--jobs 2 fills them/);
  assert.match(jobsWarning(2, 2, 2)!, /--jobs 1 fills them/);
  const given = (k: string) => k === 'jobs';
  assert.throws(() => planSweep({ jobs: '5000', xpDir: '/tmp/unused' }, given), /--jobs 5000 is invalid: use a whole number ≥ 1 and ≤ 1024/);
  assert.throws(() => planSweep({ jobs: '1', xpDir: '' }, given), /--xp-dir is empty/);
  assert.equal(planSweep({ jobs: '64', xpDir: '/tmp/unused' }, given).jobs, 64);
  // a sweep job gets one thread unless --threads is typed (commander fills in the single run's default, 0 = auto)
  assert.equal(planSweep({ jobs: '1', threads: '0', xpDir: '/tmp/unused' }, given).threads, 1);
  assert.equal(planSweep({ jobs: '1', threads: '2', xpDir: '/tmp/unused' }, (k) => k === 'jobs' || k === 'threads').threads, 2);
});

/** Runs `code` in a child Node with a loader hook that fails any import of @tensorflow/*; returns its result. */
function withoutTf(code: string) {
  const hook = `export async function resolve(s, c, next) { if (s.startsWith('@tensorflow/')) throw new Error('TF.js loaded: ' + s); return next(s, c); }`;
  const script = `import { register, createRequire } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
${code}
const tf = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@tensorflow'));
if (tf.length) { console.error('TF.js in require.cache: ' + tf[0]); process.exit(1); }`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
}

test('option parsing, validation and sweep planning load no TF.js', () => {
  const ok = withoutTf(`const b = await import('./dist/src/config/build.js');
b.buildTrainConfig({ xpDir: 'x', solver: 'sgd', backend: 'wasm', device: 'gpu0' });`);
  assert.equal(ok.status, 0, ok.stderr);
  // nor do the commands until a run, a scoring or a report starts: a sweep's own process plans and watches only
  const cli = withoutTf(`for (const c of ['train', 'score', 'sweep', 'data']) await import('./dist/src/cli/' + c + '.js');
const s = await import('./dist/src/experiments/sweep.js');
s.planSweep({ classes: '0,1', seeds: '1', xpDir: '/tmp/unused' }, (k) => k === 'classes');`);
  assert.equal(cli.status, 0, cli.stderr);
  // the check itself catches a module that does load TF.js
  const caught = withoutTf(`await import('./dist/src/backend/select.js');`);
  assert.notEqual(caught.status, 0);
  assert.match(caught.stderr, /TF\.js loaded: @tensorflow\//);
});

test('--rep-dim is bounded by what score reads (MAX_REP_DIM), so a model that trains can be scored', () => {
  assert.equal(TRAIN_OPTIONS.find((s) => s.key === 'repDim')!.max, MAX_REP_DIM);
});
