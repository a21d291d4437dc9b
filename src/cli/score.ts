/** `deep-svdd score`: score new images with a saved model, one CSV row per input. */
import path from 'node:path';
import { type Command, Option } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { BACKEND_CHOICES, type BackendChoice } from '../backend/device.js';
import { DECIMAL } from '../config/options.js';
import { ensureDir, writeFileAtomic } from '../io/atomic.js';
import { checkOutputPath, type OutputRule } from '../io/output-path.js';
import { isThresholdMode, THRESHOLD_MODES, type ThresholdMode } from '../eval/thresholds.js';
import { UserError } from '../util/errors.js';
import { refuseEmpty } from './values.js';

export function registerScore(program: Command): void {
  program
    .command('score')
    .description('score new images or table rows with a saved model: writes id,score,anomaly (anomaly = score > threshold) as CSV')
    .requiredOption('--model <dir>', 'the model/ folder of a finished run (<run>/model)')
    .requiredOption('--input <path>', 'an MNIST IDX images file (raw or .gz), a .png image, or a folder of .png images (recursive); for a table model, rows: a .csv with the model\'s feature columns (an id column is kept), a .npy or a .mat with X')
    .option('--out <file>', 'CSV file to write (a new file; an existing one only with --force 1, and never a link, a special file, an input or a file inside --model or an --input folder)', 'scores.csv')
    .option('--force [value]', 'replace an existing --out file (--force or --force 1)')
    .addOption(new Option('--backend <name>', 'TF.js backend: auto = native tfjs-node if installed, else wasm').choices(BACKEND_CHOICES).default('auto'))
    .option('--device <device>', 'cpu, or gpu / gpu0 / cuda (needs @tensorflow/tfjs-node-gpu)', 'cpu')
    .option('--batch-size <n>', 'inference batch size (1 to 10000)', '400')
    .option('--threshold <mode|number>', 'the cut of the anomaly column (anomaly = score > cut): a number, or quantile (the (1 − ν)-quantile of the training scores), fpr or f1 (chosen on the validation split the model keeps: trained with --val-frac); default the model\'s own (train --threshold)')
    .option('--target-fpr <rate>', '--threshold fpr: the largest share of normal validation data flagged, in [0, 1) (default the model\'s, else 0.05)')
    .exitOverride()
    .action(async (opts: { model: string; input: string; out: string; force?: boolean | string; backend: BackendChoice; device: string; batchSize: string; threshold?: string; targetFpr?: string }) => {
      refuseEmpty(opts, { model: ['--model', 'the model/ folder of a finished run'], input: ['--input', 'the images or table rows to score'], device: ['--device', 'cpu or gpu'] });
      const batchSize = Number(opts.batchSize);
      if (!/^\s*\d+\s*$/.test(opts.batchSize) || batchSize < 1 || batchSize > 10_000) throw new UserError(`--batch-size ${opts.batchSize} is invalid: use a whole number from 1 to 10000`);
      const { threshold, targetFpr } = parseThresholdOptions(opts.threshold, opts.targetFpr);
      const f = opts.force;
      if (f !== undefined && f !== true && f !== '1' && f !== '0') throw new UserError(`--force ${String(f)} is invalid: use --force, --force 1 or --force 0`);
      // the output rule (src/io/output-path.ts), before anything is read or scored
      const outRule: OutputRule = { option: '--out', force: f === true || f === '1', inputs: [opts.model, opts.input], example: 'scores.csv' };
      checkOutputPath(opts.out, outRule);
      // loaded once the options are checked: option errors need no TF.js
      const { describeBackend, selectBackend } = await import('../backend/select.js');
      const { scoreInputs } = await import('../experiments/score.js');
      const backend = await selectBackend({ backend: opts.backend, device: opts.device, threads: 1 });
      const r = scoreInputs({ modelDir: opts.model, input: opts.input, batchSize, threshold, targetFpr });
      process.stderr.write(`deep-svdd: using ${describeBackend(backend)}\n`);
      const rows = r.ids.map((id, i) => [id, r.scores[i], r.anomalies[i]]);
      ensureDir(path.dirname(path.resolve(opts.out)), '--out');
      checkOutputPath(opts.out, outRule); // again: nothing may have appeared there while scoring
      writeFileAtomic(opts.out, stringify(rows, { header: true, columns: ['id', 'score', 'anomaly'] }), '--out');
      const flagged = r.anomalies.reduce((a, b) => a + b, 0);
      process.stderr.write(`deep-svdd: scored ${r.ids.length} input${r.ids.length === 1 ? '' : 's'}, ${flagged} flagged as anomalous (score > ${r.threshold}, ${r.thresholdHow}); wrote ${opts.out}\n`);
    });
}

/** --threshold MODE|NUMBER and --target-fpr, checked before anything is loaded. */
export function parseThresholdOptions(threshold: string | undefined, targetFpr: string | undefined): { threshold?: ThresholdMode | number; targetFpr?: number } {
  let t: ThresholdMode | number | undefined;
  if (threshold !== undefined) {
    const s = threshold.trim();
    if (isThresholdMode(s)) t = s;
    else if (DECIMAL.test(s) && Number.isFinite(Number(s))) t = Number(s);
    else throw new UserError(`--threshold ${threshold} is invalid: use ${THRESHOLD_MODES.join(', ')} or a number (a score cut, e.g. --threshold 0.05)`);
  }
  let rate: number | undefined;
  if (targetFpr !== undefined) {
    rate = Number(targetFpr.trim());
    if (!DECIMAL.test(targetFpr.trim()) || !(rate >= 0 && rate < 1)) throw new UserError(`--target-fpr ${targetFpr} is invalid: use a number from 0 to below 1, e.g. 0.05`);
    if (t !== 'fpr') throw new UserError('--target-fpr applies to --threshold fpr: add --threshold fpr or drop it');
  }
  return { threshold: t, targetFpr: rate };
}
