/** `deep-svdd baseline`: one shallow-baseline run (OC-SVM, KDE or Isolation Forest), from options to results.json. */
import { type Command } from 'commander';
import { addBaselineOptions, buildBaselineConfig } from '../config/baseline-options.js';
import { runBaseline } from '../experiments/baseline-run.js';

export function registerBaseline(program: Command): void {
  const cmd = program
    .command('baseline')
    .description('fit a shallow baseline of the paper\'s Table 1 (--method ocsvm | kde | if) on the normal class and evaluate it on the test split; writes the same run folder as train')
    .exitOverride();
  addBaselineOptions(cmd);
  cmd.action(async (opts: Record<string, unknown>) => {
    await runBaseline(buildBaselineConfig(opts));
  });
}
