/** `deep-svdd train`: one run, from options to results.json. */
import { type Command } from 'commander';
import { buildTrainConfig } from '../config/build.js';
import { addTrainOptions } from '../config/options.js';
import { stopRequest } from '../experiments/stop-request.js';

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
  train.action(async (opts: Record<string, unknown>) => {
    const cfg = buildTrainConfig(opts);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // loaded when a run starts: option errors and the other commands need no TF.js
    const { runTraining } = await import('../experiments/train-run.js');
    await runTraining(cfg);
  });
}
