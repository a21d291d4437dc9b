/** `deep-svdd sweep` (classes × seeds, in parallel or as a Slurm array) and `deep-svdd report`. */
import { type Command, Option } from 'commander';
import { addBaselineOptions, BASELINE_OWN_OPTIONS } from '../config/baseline-options.js';
import { addTrainOptions, helpWithRange, TRAIN_OPTIONS } from '../config/options.js';
import { sweepCommand } from '../experiments/sweep.js';
import { refuseEmpty } from './values.js';

export function registerSweep(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('train every (normal class, seed) pair as its own process, --jobs at a time (with --method ocsvm|kde|if: fit that shallow baseline instead); resumable; writes DIR/sweep.json as runs finish')
    .option('--classes <list>', 'normal classes, each trained against all others: indices, ranges or class names, comma-separated (e.g. 0-9, 3,5, cat) (default: every class)')
    .option('--seeds <list>', 'seeds, comma-separated or ranges', '1-10')
    .option('--jobs <n>', 'runs in parallel (default: the number of CPU cores ÷ --threads)')
    .option('--xp-dir <dir>', 'sweep folder: run folders DIR/<class>vsall/seed_<seed>/ and DIR/sweep.json (default: log/sweep_<dataset>)')
    .addOption(new Option('--emit <kind>', 'write a cluster job script instead of running: slurm = DIR/sweep.sbatch, a job array with one task per run').choices(['slurm']))
    .exitOverride();
  // the sweep sets --normal, --seed and --xp-dir per run
  addTrainOptions(sweep, ['normal', 'seed', 'xpDir'], (spec) => (spec.key === 'force'
    ? '1 = rerun finished runs too (overwriting them); unfinished runs are always restarted or resumed'
    : `${helpWithRange(spec)} (passed to every run)`));
  // the shallow baselines' own options (--method ocsvm|kde|if makes every run a `deep-svdd baseline` run)
  addBaselineOptions(sweep, BASELINE_OWN_OPTIONS.filter((b) => !TRAIN_OPTIONS.some((t) => t.flag === b.flag)), (spec) => `baseline runs: ${spec.help}`);
  sweep.action(async (opts: Record<string, unknown>, cmd: Command) => {
    await sweepCommand(opts, cmd);
  });

  program
    .command('report')
    .description('summarise a sweep folder, or a folder of sweep folders (one per method, dataset or variant): DIR/summary.csv, summary.md (the paper\'s layout: a row per class or dataset, a column per method, ours beside the paper\'s, the mean per method), auc_chart.png, report.html')
    .argument('<dir>', 'the sweep folder (the --xp-dir of deep-svdd sweep), or a folder holding several')
    .option('--out <dir>', 'write the four files into this folder (created if need be) instead of DIR')
    .exitOverride()
    .action(async (dir: string, opts: { out?: string }) => {
      refuseEmpty({ dir, out: opts.out }, { dir: ['the folder', 'the sweep folder to summarise'], out: ['--out', 'a folder for the report\'s files'] });
      const { writeReport } = await import('../experiments/report.js'); // vega loads only for reports
      const r = await writeReport(dir, opts.out);
      process.stdout.write(r.markdown);
      process.stderr.write(`deep-svdd: wrote ${r.files.join(', ')}\n`);
    });
}
