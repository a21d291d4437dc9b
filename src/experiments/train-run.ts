/**
 * One training run, as stages: inputs checked (run-inputs.ts: checkpoint, data, backend, networks) → run folder
 * committed → header → (dictionary init) → (autoencoder stage) → Deep SVDD stage → results.json. This module only
 * orchestrates: the run folder's life (lock, config.json, log, results.json's start and end) is run-lifecycle.ts,
 * the stages are run-inputs.ts, stage-dictionary.ts, stage-autoencoder.ts and stage-svdd.ts, what they share is
 * run-context.ts, the checkpoint format is src/io/checkpoint.ts and the results schema src/io/results.ts. Everything written as it happens survives a failure, and a checkpoint after every epoch (and on
 * SIGINT/SIGTERM) lets `--resume 1` finish the run with the same numbers.
 */
import path from 'node:path';
import { describeBackend, type BackendInfo } from '../backend/select.js';
import { describeObjective, objectiveOf } from '../config/build.js';
import { type TrainMethod } from '../config/methods.js';
import { type TrainConfig } from '../config/options.js';
import { type PreparedData } from '../data/datasets.js';
import { type SemiSupervisedCounts } from '../data/semi-supervised.js';
import { CHECKPOINT_FILE, type RunCheckpoint } from '../io/checkpoint.js';
import { EpochCsv } from '../io/epochs-csv.js';
import { type RunResults } from '../io/results.js';
import { transferWeights, type Network } from '../nn/networks.js';
import { PACKAGE_VERSION } from '../util/version.js';
import { count, dataFields, type Ctx } from './run-context.js';
import { runInFolder, type Run, type RunOutcome } from './run-lifecycle.js';
import { validateRun, type Checked } from './run-inputs.js';
import { finishAutoencoder, pretrain } from './stage-autoencoder.js';
import { dictionaryInit } from './stage-dictionary.js';
import { trainSvdd } from './stage-svdd.js';

export { type RunOutcome };

export async function runTraining(cfg: TrainConfig, opts: { quiet?: boolean } = {}): Promise<RunOutcome> {
  return runInFolder<Checked>({
    folder: cfg,
    validate: () => validateRun(cfg),
    start: (checked) => ({
      identity: { seed: cfg.seed, dataset: cfg.dataset, objective: describeObjective(cfg), method: trainMethod(cfg) },
      config: checked.data.semiSupervised ? { ...cfg, semi_supervised: checked.data.semiSupervised } : cfg, dataSeconds: checked.dataSeconds, resumed: checked.resume?.header, removeOnFinish: [CHECKPOINT_FILE],
    }),
    body: (run, checked) => train(cfg, checked, run),
    quiet: opts.quiet,
  });
}

/** results.json "method" of a train run: the DCAE baseline, or the name of its objective (objectiveOf). */
export function trainMethod(cfg: TrainConfig): TrainMethod {
  return objectiveOf(cfg) ?? 'dcae';
}

/** The stages of a training run in its open run folder. */
async function train(cfg: TrainConfig, checked: Checked, run: Run): Promise<void> {
  const xp = cfg.xpDir;
  const { resume, data, backend, ae, net } = checked;
  const { log, results } = run;
  Object.assign(results, dataFields(data));
  results.backend = backend;
  results.versions = backend.versions;
  const baseline = cfg.loss === 'autoencoder';
  const resumeTrain = resume?.header.position.phase === 'train';
  const initial = checked.initial?.net;
  if (checked.initial) log.record(checked.initial.note);
  for (const line of runHeader(cfg, data, backend, resume)) log.info(line);
  const large = [['--batch-size', cfg.batchSize], ...(cfg.pretrain ? [['--ae-batch-size', cfg.aeBatchSize]] : [])].filter(([, size]) => Number(size) > data.train.n);
  if (large.length) log.info(`  note: ${large.map(([o, size]) => `${o} ${size}`).join(' and ')} ${large.length > 1 ? 'are' : 'is'} larger than the training set (${data.train.n} images): each epoch is one batch of ${data.train.n}`);
  log.record(`preprocessing: /255, ${data.constants.gcn === 'none' ? 'no GCN' : `GCN ${data.constants.gcn}`}, ${data.zca ? 'ZCA whitening (ε 0.1), ' : ''}min–max with training min ${data.constants.min.toPrecision(8)}, max ${data.constants.max.toPrecision(8)}`);
  run.write();
  const csv = new EpochCsv(path.join(xp, 'epochs.csv'), resume?.header.rows ?? []);
  const ctx: Ctx = { cfg, xp, log, data, results, timings: run.timings, csv, writeResults: run.write, resume, progress: run.progress, elapsed: run.elapsed };

  // rows since the last checkpoint reach epochs.csv also when a stage fails
  try {
    let encoderSource: Network | undefined = initial;
    if (ae) {
      if (initial) transferWeights(initial, ae);
      else if (cfg.weightDictInit && !resume) dictionaryInit(ctx, ae);
      await pretrain(ctx, ae);
      if (baseline) {
        await finishAutoencoder(ctx, ae);
        ae.dispose();
        initial?.dispose();
        return;
      }
      encoderSource = ae;
    }
    if (!net) throw new Error('no encoder network'); // unreachable: only the baseline has none, and it returned above
    if (encoderSource && !resumeTrain) {
      const copied = transferWeights(encoderSource, net);
      log.info(`Encoder initialised from ${encoderSource === initial ? `--in-name ${cfg.inName}` : 'the autoencoder'} (${copied.length} tensors: ${copied.join(', ')})`);
    }
    else if (!encoderSource && cfg.weightDictInit && !resume) dictionaryInit(ctx, net);
    if (encoderSource !== initial) encoderSource?.dispose();
    initial?.dispose();
    await trainSvdd(ctx, net);
    net.dispose();
  } finally {
    csv.flush();
  }
}

/** The semi-supervised training set in a few words, for the header. */
function semiSummary(c: SemiSupervisedCounts): string {
  return `${c.labelled_outlier} labelled anomalies, ${c.labelled_normal} labelled normals, ${c.unlabelled_outlier} unlabelled anomalies`;
}

/**
 * The run's console header, at most 10 lines before the first epoch: what runs, on what, for how long, where, in the
 * option names users type. Every setting is in config.json and log.txt.
 */
export function runHeader(cfg: TrainConfig, data: PreparedData, backend: BackendInfo, resume?: RunCheckpoint): string[] {
  const names = data.info.classNames;
  const classes = (c: number[]) => c.map((i) => names[i]).join(',');
  const outliers = cfg.outlier[0] === -1 ? '-1' : classes(data.outlier);
  const extra = [
    data.semiSupervised ? semiSummary(data.semiSupervised.counts)
      : data.nTrainOutliers ? `${data.nTrainOutliers} of them outlier-class (--out-frac ${cfg.outFrac})` : '',
    cfg.valData ? `validation from --val-data: ${data.val.n} normal, ${data.valOutliers?.n ?? 0} anomalies`
      : data.val.n ? `${data.val.n} held out (--val-frac ${cfg.valFrac})` : '',
  ].filter(Boolean).join(', ');
  const baseline = cfg.loss === 'autoencoder';
  const epochs = baseline ? `--n-epochs ${cfg.nEpochs} of the autoencoder, --batch-size ${cfg.batchSize}, --solver ${cfg.solver} --lr ${cfg.lr}`
    : `${cfg.pretrain ? `--ae-n-epochs ${cfg.aeNEpochs} pretraining, then ` : ''}--n-epochs ${cfg.nEpochs}, --batch-size ${cfg.batchSize}, --solver ${cfg.solver} --lr ${cfg.lr}`;
  const lines = [
    `deep-svdd ${PACKAGE_VERSION}: ${describeObjective(cfg)} on ${cfg.dataset}, seed ${cfg.seed}`,
    `  data     --dataset ${cfg.dataset} --normal ${classes(data.normal)} --outlier ${outliers}: ${data.train.n} training images${extra ? ` (${extra})` : ''}, ${data.test.n} test images (${count(data.testLabels, 1)} outliers)`,
    `           from ${data.source}`,
    `  epochs   ${epochs}`,
    `  backend  --backend ${cfg.backend}: ${describeBackend(backend).replace(/^backend /, '')}`,
    ...(backend.notes.length ? [`           note: ${backend.notes.join('; ')}`] : []),
    `  output   --xp-dir ${cfg.xpDir} (every setting in config.json, the full log in log.txt)`,
  ];
  if (resume) {
    const p = resume.header.position;
    lines.push(`Resuming from ${path.join(cfg.xpDir, CHECKPOINT_FILE)}: ${p.phase} epoch ${p.epoch + 1}, batch ${p.batch}`);
  }
  return lines;
}
