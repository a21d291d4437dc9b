/**
 * What `train` prints: a header of at most 10 lines before the first epoch line, in the option names users type,
 * with every setting left to config.json and log.txt; an invalid option or input prints exactly one line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-svdd-console-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const quick = ['--n-train', '200', '--n-test', '100', '--n-epochs', '1', '--ae-n-epochs', '1', '--batch-size', '100', '--backend', 'wasm'];

function run(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

test('a run starts with a short header in the option names users type; the settings table is only in log.txt', () => {
  for (const [name, extra] of [['pretrained', []], ['no-pretrain', ['--pretrain', '0', '--hard-margin', '0']]] as const) {
    const xp = path.join(tmp, name);
    const r = run(['train', ...quick, ...extra, '--xp-dir', xp]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const first = lines.findIndex((l) => /^\[(pretrain|train)\] /.test(l));
    assert.ok(first > 0, r.stdout);
    assert.ok(first <= 10, `${first} lines before the first epoch line:\n${lines.slice(0, first).join('\n')}`);
    const header = lines.slice(0, first).join('\n');
    for (const flag of ['--dataset mnist', '--normal 0', '--outlier -1', '--n-epochs 1', '--backend wasm', `--xp-dir ${xp}`]) {
      assert.ok(header.includes(flag), `${flag} missing from the header:\n${header}`);
    }
    assert.doesNotMatch(r.stdout, /Options:|evalBatchSize/);
    assert.match(fs.readFileSync(path.join(xp, 'log.txt'), 'utf8'), /Options:\n(.*\n)*.*evalBatchSize\s+: 400/);
    assert.equal(JSON.parse(fs.readFileSync(path.join(xp, 'config.json'), 'utf8')).evalBatchSize, 400);
  }
});

test('train with an invalid option or input prints exactly one line, and nothing on stdout', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--n-epochs', '0x1'], /--n-epochs 0x1 is invalid/],
    [['--nepochs', '3'], /unknown option '--nepochs'.*--n-epochs/],
    [['--backend', 'foo'], /--backend.*foo.*auto, wasm, cpu, tensorflow/],
    [['--xp-dir', ''], /--xp-dir is empty/],
    [['--c-mean-init-n-batches', '0'], /--c-mean-init-n-batches 0 is invalid/],
    [['--pretrain', 'yes'], /--pretrain yes is invalid: use 0 or 1/],
    // the cap on inference batches (README, untrusted inputs) comes before the wasm-heap estimate (reliability.test.ts)
    [['--eval-batch-size', '100000'], /--eval-batch-size 100000 is invalid: use a whole number ≥ 1 and ≤ 10000/],
    [['--n-train', '1'], /the training set has 1 image\(s\), batch norm needs at least 2/],
    [['--pretrain', '0', '--in-name', 'nowhere'], /--in-name nowhere: no model\.json/],
  ];
  for (const [args, pattern] of cases) {
    const r = run(['train', ...quick, '--xp-dir', path.join(tmp, 'bad'), ...args]);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.equal(r.stdout, '', `nothing on stdout for ${args.join(' ')}:\n${r.stdout}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line for ${args.join(' ')}, got:\n${r.stderr}`);
    assert.match(lines[0], /^deep-svdd: /);
    assert.match(lines[0], pattern);
  }
});
