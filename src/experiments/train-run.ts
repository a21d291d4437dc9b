/**
 * One training run, as stages: inputs checked (run-inputs.ts: checkpoint, data, backend, networks) → run folder
 * committed (src/io/run-folder.ts) → header → (dictionary init) → (autoencoder stage) → Deep SVDD stage →
 * results.json. This module only orchestrates: the stages are run-inputs.ts, stage-dictionary.ts,
 * stage-autoencoder.ts and stage-svdd.ts, what they share is run-context.ts, the checkpoint format is src/io/checkpoint.ts and the results schema
 * src/io/results.ts. Everything written as it happens survives a failure, and a checkpoint after every epoch (and on
 * SIGINT/SIGTERM) lets `--resume 1` finish the run with the same numbers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeBackend, type BackendInfo } from '../backend/select.js';
import { describeObjective, radiusMode } from '../config/build.js';
import { type TrainMethod } from '../config/methods.js';
import { type TrainConfig } from '../config/options.js';
import { type PreparedData } from '../data/datasets.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { CHECKPOINT_FILE, type RunCheckpoint } from '../io/checkpoint.js';
import { EpochCsv } from '../io/epochs-csv.js';
import { RESULTS_FILE, RESULTS_VERSION, writeResults, type RunResults } from '../io/results.js';
import { openRunFolder } from '../io/run-folder.js';
import { openRunLog } from '../io/runlog.js';
import { transferWeights, type Network } from '../nn/networks.js';
import { PACKAGE_VERSION, sourceCommit } from '../util/version.js';
import { progressSender } from './progress-events.js';
import { count, type Ctx } from './run-context.js';
import { validateRun, type Checked } from './run-inputs.js';
import { finishAutoencoder, pretrain } from './stage-autoencoder.js';
import { dictionaryInit } from './stage-dictionary.js';
import { trainSvdd } from './stage-svdd.js';
import { stopRequest } from './stop-request.js';

export interface RunOutcome { results: RunResults; xpDir: string }

export async function runTraining(cfg: TrainConfig, opts: { quiet?: boolean } = {}): Promise<RunOutcome> {
  // nothing in the run folder changes before every option and input is validated (src/io/run-folder.ts)
  const folder = openRunFolder(cfg);
  try {
    let checked: Checked;
    try {
      checked = await validateRun(cfg);
    } catch (e) {
      folder.abandon();
      throw e;
    }
    folder.commit();
    return await trainInFolder(cfg, checked, opts);
  } finally {
    folder.release();
  }
}

/** results.json "method" of a train run: the DCAE baseline, or the Deep SVDD variant radiusMode picks. */
export function trainMethod(cfg: TrainConfig): TrainMethod {
  if (cfg.loss === 'autoencoder') return 'dcae';
  return radiusMode(cfg) === 'one-class' ? 'one-class' : 'soft-boundary';
}

async function trainInFolder(cfg: TrainConfig, checked: Checked, opts: { quiet?: boolean }): Promise<RunOutcome> {
  const xp = cfg.xpDir;
  const resultsFile = path.join(xp, RESULTS_FILE);
  const { resume, data, backend, ae, net } = checked;
  const log = openRunLog(path.join(xp, 'log.txt'), opts.quiet);
  const progress = progressSender();
  const started = Date.now();
  const elapsedBefore = resume?.header.elapsed_s ?? 0;
  const timings: Record<string, number> = { ...(resume?.header.timings ?? {}), data_s: checked.dataSeconds };
  const results: RunResults = {
    results_version: RESULTS_VERSION, ...(resume?.header.results ?? {}),
    status: 'running', started_at: new Date(started).toISOString(), deep_svdd_version: PACKAGE_VERSION, code_commit: sourceCommit(), seed: cfg.seed,
    dataset: cfg.dataset, objective: describeObjective(cfg), method: trainMethod(cfg),
  };
  const write = () => writeResults(resultsFile, { ...results, timings_s: timings });
  try {
    log.record(`Options:\n${Object.entries(cfg).map(([k, v]) => `  ${k.padEnd(20)}: ${JSON.stringify(v)}`).join('\n')}`);
    if (!resume) writeJsonAtomic(path.join(xp, 'config.json'), cfg);
    recordData(data, results);
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
    write();
    const csv = new EpochCsv(path.join(xp, 'epochs.csv'), resume?.header.rows ?? []);
    const ctx: Ctx = { cfg, xp, log, data, results, timings, csv, writeResults: write, resume, progress, elapsed: () => elapsedBefore + (Date.now() - started) / 1000 };

    let encoderSource: Network | undefined = initial;
    if (ae) {
      if (initial) transferWeights(initial, ae);
      else if (cfg.weightDictInit && !resume) dictionaryInit(ctx, ae);
      await pretrain(ctx, ae);
      if (baseline) {
        finishAutoencoder(ctx, ae);
        ae.dispose();
        initial?.dispose();
        return finish();
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
    return finish();
  } catch (e) {
    results.status = stopRequest.requested ? 'interrupted' : 'failed';
    results.error = (e as Error).message;
    results.finished_at = new Date().toISOString();
    try { write(); } catch { /* keep the original error */ }
    progress({ event: 'end', status: results.status });
    log.record(`ERROR ${(e as Error).message}`);
    log.close();
    throw e;
  }

  function finish(): RunOutcome {
    results.status = 'finished';
    results.finished_at = new Date().toISOString();
    timings.total_s = elapsedBefore + (Date.now() - started) / 1000;
    results.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
    write();
    fs.rmSync(path.join(xp, CHECKPOINT_FILE), { force: true });
    progress({ event: 'end', status: 'finished' });
    log.info(`Results in ${resultsFile} (total ${timings.total_s.toFixed(1)} s, peak RSS ${String(results.peak_rss_mb)} MB)`);
    log.close();
    return { results, xpDir: xp };
  }
}

/** The data's part of results.json. */
function recordData(data: PreparedData, results: RunResults): void {
  const names = data.info.classNames;
  Object.assign(results, {
    data_source: data.source, n_train: data.train.n, n_test: data.test.n, n_val: data.val.n, n_train_outliers: data.nTrainOutliers,
    normal_classes: data.normal, outlier_classes: data.outlier,
    normal_class_names: data.normal.map((c) => names[c]), outlier_class_names: data.outlier.map((c) => names[c]),
    preprocessing: { ...data.constants },
  });
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
    data.nTrainOutliers ? `${data.nTrainOutliers} of them outlier-class (--out-frac ${cfg.outFrac})` : '',
    data.val.n ? `${data.val.n} held out (--val-frac ${cfg.valFrac})` : '',
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
