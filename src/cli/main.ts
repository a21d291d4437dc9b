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

const sweep = program
  .command('sweep')
  .description('train every (normal class, seed) pair as its own process, --jobs at a time; resumable; writes DIR/sweep.json as runs finish')
  .option('--classes <list>', 'normal classes, each trained against all others: indices, ranges or class names, comma-separated (e.g. 0-9, 3,5, cat) (default: every class)')
  .option('--seeds <list>', 'seeds, comma-separated or ranges', '1-10')
  .option('--jobs <n>', 'runs in parallel (default: the number of CPU cores ÷ --threads)')
  .option('--xp-dir <dir>', 'sweep folder: run folders DIR/<class>vsall/seed_<seed>/ and DIR/sweep.json (default: log/sweep_<dataset>)')
  .addOption(new Option('--emit <kind>', 'write a cluster job script instead of running: slurm = DIR/sweep.sbatch, a job array with one task per run').choices(['slurm']))
  .exitOverride();
for (const spec of TRAIN_OPTIONS) {
  if (spec.key === 'normal' || spec.key === 'seed' || spec.key === 'xpDir') continue; // the sweep sets these per run
  const help = spec.key === 'force' ? '1 = rerun finished runs too (overwriting them); unfinished runs are always restarted' : `${spec.help} (passed to every run)`;
  const opt = new Option(`${spec.flag} <value>`, help);
  if (spec.choices) opt.choices(spec.choices as string[]);
  if (spec.def !== undefined) opt.default(typeof spec.def === 'boolean' ? (spec.def ? '1' : '0') : String(spec.def));
  sweep.addOption(opt);
}
sweep.action(async (opts: Record<string, unknown>, cmd: Command) => {
  const { sweepCommand } = await import('../experiments/sweep.js');
  await sweepCommand(opts, cmd);
});

program
  .command('report')
  .description('summarise a sweep folder: DIR/summary.csv, summary.md (test AUC mean ± std per class beside the paper\'s Table 1), auc_chart.png, report.html')
  .argument('<dir>', 'the sweep folder (the --xp-dir of deep-svdd sweep)')
  .exitOverride()
  .action(async (dir: string) => {
    const { writeReport } = await import('../experiments/report.js');
    const r = writeReport(dir);
    process.stdout.write(r.markdown);
    process.stderr.write(`deep-svdd: wrote ${r.files.join(', ')}\n`);
  });

const data = program.command('data').description('get the datasets (see: deep-svdd data fetch --help)').exitOverride();
data
  .command('fetch')
  .description('download MNIST or CIFAR-10 into --dir, check the MD5 sums and extract; an interrupted download resumes when run again')
  .argument('<dataset>', 'mnist or cifar10')
  .option('--dir <dir>', 'data folder to fill (what --data-dir of train reads)', 'data')
  .option('--url <url>', 'source instead of the official one, repeatable (tried in order): mnist: a base URL the four file names are appended to, or a file\'s URL; cifar10: the archive URL. http(s)://, file:// or a local path', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .addOption(new Option('--format <format>', 'cifar10: python batches (cifar-10-batches-py/) or binary batches (cifar-10-batches-bin/)').choices(['python', 'binary']))
  .option('--force [value]', 'download again even when the data are already there (--force or --force 1)')
  .exitOverride()
  .action(async (dataset: string, opts: { dir: string; url: string[]; format?: 'python' | 'binary'; force?: boolean | string }) => {
    // imported here so that this block is the only change the data command makes to this file
    const { cifar10Source, fetchDataset, mnistSource } = await import('../data/fetch.js');
    if (dataset !== 'mnist' && dataset !== 'cifar10') throw new UserError(`unknown dataset '${dataset}': use 'deep-svdd data fetch mnist' or 'deep-svdd data fetch cifar10'`);
    if (opts.format !== undefined && dataset !== 'cifar10') throw new UserError(`--format applies to cifar10 only: drop it for ${dataset}`);
    const f = opts.force;
    if (f !== undefined && f !== true && f !== '1' && f !== '0') throw new UserError(`--force ${f} is invalid: use --force, --force 1 or --force 0 (put the dataset name first: data fetch ${dataset} --force)`);
    const urls = opts.url.length > 0 ? opts.url : undefined;
    const source = dataset === 'mnist' ? mnistSource(urls) : cifar10Source(opts.format ?? 'python', urls);
    await fetchDataset(source, { dir: opts.dir, force: f === true || f === '1' });
  });

program.parseAsync(process.argv).catch(fail);
