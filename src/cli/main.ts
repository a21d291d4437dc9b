#!/usr/bin/env node
/**
 * deep-svdd command line. Every user error ends as one line on stderr and a non-zero exit code, never a stack trace
 * (set DEEP_SVDD_DEBUG=1 to see one).
 */
import { Command, CommanderError, Option } from 'commander';
import { buildTrainConfig } from '../config/build.js';
import { TRAIN_OPTIONS } from '../config/options.js';
import { runTraining, stopRequest } from '../experiments/train-run.js';
import { DivergenceError } from '../train/loop.js';
import { UserError } from '../util/errors.js';
import { PACKAGE_VERSION } from '../util/version.js';

function fail(e: unknown): never {
  const err = e as Error;
  if (process.env.DEEP_SVDD_DEBUG) console.error(err.stack);
  if (e instanceof UserError) {
    process.stderr.write(`deep-svdd: ${err.message}\n`);
    process.exit(e.exitCode);
  }
  if (e instanceof DivergenceError) {
    process.stderr.write(`deep-svdd: ${err.message}\n`);
    process.exit(3);
  }
  if (e instanceof CommanderError) process.exit(e.exitCode);
  const first = String(err?.message ?? e).split('\n')[0];
  process.stderr.write(`deep-svdd: internal error: ${first} (set DEEP_SVDD_DEBUG=1 for details, and please report it)\n`);
  process.exit(1);
}

function onSignal(signal: NodeJS.Signals): void {
  if (stopRequest.requested) {
    process.stderr.write(`deep-svdd: second ${signal}: exiting now\n`);
    process.exit(signal === 'SIGTERM' ? 143 : 130);
  }
  stopRequest.requested = true;
  stopRequest.signal = signal;
  process.stderr.write(`deep-svdd: ${signal} received: stopping after the current batch (send again to exit at once)\n`);
}

const program = new Command();
program
  .name('deep-svdd')
  .description('Deep SVDD one-class anomaly detection (Ruff et al., ICML 2018) on TensorFlow.js')
  .version(PACKAGE_VERSION)
  .showSuggestionAfterError(true)
  .exitOverride();

const train = program
  .command('train')
  .description('train one model (autoencoder pretraining + Deep SVDD) and evaluate it on the test split')
  .exitOverride();
for (const spec of TRAIN_OPTIONS) {
  const opt = new Option(`${spec.flag} <value>`, spec.help);
  if (spec.choices) opt.choices(spec.choices as string[]);
  if (spec.def !== undefined) opt.default(typeof spec.def === 'boolean' ? (spec.def ? '1' : '0') : String(spec.def));
  train.addOption(opt);
}
train.action(async (opts: Record<string, unknown>) => {
  const cfg = buildTrainConfig(opts);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await runTraining(cfg);
});

program
  .command('score')
  .description('score new images with a saved model: writes id,score,anomaly (anomaly = score > threshold) as CSV')
  .requiredOption('--model <dir>', 'the model/ folder of a finished run (<run>/model)')
  .requiredOption('--input <path>', 'an MNIST IDX images file (raw or .gz), a .png image, or a folder of .png images (recursive)')
  .option('--out <file>', 'CSV file to write', 'scores.csv')
  .addOption(new Option('--backend <name>', 'TF.js backend: auto = native tfjs-node if installed, else wasm').choices(['auto', 'wasm', 'cpu', 'tensorflow']).default('auto'))
  .option('--device <device>', 'cpu, or gpu / gpu0 / cuda (needs @tensorflow/tfjs-node-gpu)', 'cpu')
  .option('--batch-size <n>', 'inference batch size', '1000')
  .exitOverride()
  .action(async (opts: { model: string; input: string; out: string; backend: import('../backend/select.js').BackendChoice; device: string; batchSize: string }) => {
    // imported here so that this block is the only change the score command makes to this file
    const fs = (await import('node:fs')).default;
    const path = (await import('node:path')).default;
    const { stringify } = await import('csv-stringify/sync');
    const { describeBackend, selectBackend } = await import('../backend/select.js');
    const { scoreInputs } = await import('../experiments/score.js');
    const batchSize = Number(opts.batchSize);
    if (!/^\s*\d+\s*$/.test(opts.batchSize) || batchSize < 1) throw new UserError(`--batch-size ${opts.batchSize} is invalid: use a whole number ≥ 1`);
    const backend = await selectBackend({ backend: opts.backend, device: opts.device, threads: 1 });
    process.stderr.write(`deep-svdd: using ${describeBackend(backend)}\n`);
    const r = scoreInputs({ modelDir: opts.model, input: opts.input, batchSize });
    const rows = r.ids.map((id, i) => [id, r.scores[i], r.anomalies[i]]);
    const out = path.resolve(opts.out);
    const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.tmp`);
    try {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(tmp, stringify(rows, { header: true, columns: ['id', 'score', 'anomaly'] }));
      fs.renameSync(tmp, out);
    } catch (e) {
      try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to clean */ }
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied'
        : code === 'ENOSPC' ? 'the disk is full' : code === 'EISDIR' ? 'it is a folder'
        : code === 'ENOTDIR' || code === 'EEXIST' ? 'a file stands where a folder is needed' : (e as Error).message.split('\n')[0];
      throw new UserError(`cannot write --out ${opts.out}: ${why}; choose another --out`);
    }
    const flagged = r.anomalies.reduce((a, b) => a + b, 0);
    process.stderr.write(`deep-svdd: scored ${r.ids.length} input${r.ids.length === 1 ? '' : 's'}, ${flagged} flagged as anomalous (score > ${r.meta.threshold}); wrote ${opts.out}\n`);
  });

program.parseAsync(process.argv).catch(fail);
