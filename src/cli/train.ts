/** `deep-svdd train`: one run, from options to results.json. */
import { Option, type Command } from 'commander';
import { BASELINE_OWN_OPTIONS } from '../config/baseline-options.js';
import { buildTrainConfig } from '../config/build.js';
import { addTrainOptions, TRAIN_OPTIONS } from '../config/options.js';
import { stopRequest } from '../experiments/stop-request.js';
import { UserError } from '../util/errors.js';

/** SIGINT / SIGTERM: stop after the current batch (a checkpoint is written); a second one exits at once. */
function onSignal(signal: NodeJS.Signals): void {
  if (stopRequest.requested) {
    process.stderr.write(`deep-svdd: second ${signal}: exiting now\n`);
    process.exit(signal === 'SIGTERM' ? 143 : 130);
  }
  stopRequest.requested = true;
  stopRequest.signal = signal;
  process.stderr.write(`deep-svdd: ${signal} received: stopping after the current batch (send again to exit at once)\n`);
}

export function registerTrain(program: Command): void {
  const train = program
    .command('train')
    .description('train one model (autoencoder pretraining + Deep SVDD) and evaluate it on the test split')
    .exitOverride();
  addTrainOptions(train);
  // the shallow baselines' options (--pca, --method, ...) are known here only to refuse them with a clear message
  const baselineOnly = BASELINE_OWN_OPTIONS.filter((b) => !TRAIN_OPTIONS.some((t) => t.flag === b.flag));
  for (const spec of baselineOnly) train.addOption(new Option(`${spec.flag} <value>`).hideHelp());
  train.action(async (opts: Record<string, unknown>) => {
    const misplaced = baselineOnly.find((spec) => opts[spec.key] !== undefined);
    if (misplaced) {
      throw new UserError(`${misplaced.flag} only applies to the shallow baselines, not to network runs (${misplaced.key === 'pca' ? 'the networks take images, not PCA features' : 'train fits Deep SVDD or the DCAE'}): drop it, or use deep-svdd baseline --method ${BASELINE_OWN_OPTIONS[0].choices!.join('|')}`);
    }
    // only what was typed: the dataset's defaults (tables: batch 128, ...) come before the options' own
    const typed = Object.fromEntries(Object.entries(opts).filter(([k]) => train.getOptionValueSource(k) !== 'default'));
    const cfg = buildTrainConfig(typed);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // loaded when a run starts: option errors and the other commands need no TF.js
    const { runTraining } = await import('../experiments/train-run.js');
    await runTraining(cfg);
  });
}
