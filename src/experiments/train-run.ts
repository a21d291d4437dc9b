/**
 * One training run, as stages: run folder → config → data → backend → header → (autoencoder stage) → Deep SVDD
 * stage → results.json. This module only orchestrates: the stages are stage-autoencoder.ts and stage-svdd.ts, what
 * they share is run-context.ts, the checkpoint format is src/io/checkpoint.ts and the results schema
 * src/io/results.ts. Everything written as it happens survives a failure, and a checkpoint after every epoch (and on
 * SIGINT/SIGTERM) lets `--resume 1` finish the run with the same numbers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkWasmHeap } from '../nn/wasm-memory.js';
import { describeBackend, selectBackend, type BackendInfo } from '../backend/select.js';
import { xnnpackThreadsFor } from '../backend/threads.js';
import { describeObjective } from '../config/build.js';
import { gcnFor, netOptionsFor } from '../config/network.js';
import { type TrainConfig } from '../config/options.js';
import { prepareData, type PreparedData } from '../data/datasets.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { CHECKPOINT_FILE, readCheckpoint, resumeConflicts, type CheckpointHeader, type RunCheckpoint } from '../io/checkpoint.js';
import { EpochCsv } from '../io/epochs-csv.js';
import { RESULTS_FILE, RESULTS_VERSION, writeResults, type RunResults } from '../io/results.js';
import { openRunFolder } from '../io/run-folder.js';
import { openRunLog } from '../io/runlog.js';
import { buildNetwork, namedTensors, transferWeights, type Network } from '../nn/networks.js';
import { UserError } from '../util/errors.js';
import { subRng } from '../util/rng.js';
import { PACKAGE_VERSION } from '../util/version.js';
import { progressSender } from './progress-events.js';
import { count, loadInitialWeights, type Ctx } from './run-context.js';
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

/** What validateRun found and built: the checkpoint to resume from, the data, the backend, the networks. */
interface Checked {
  resume?: RunCheckpoint;
  data: PreparedData;
  dataSeconds: number;
  backend: BackendInfo;
  /** the autoencoder, when a stage trains one */
  ae?: Network;
  /** the Deep SVDD network (none for the autoencoder baseline) */
  net?: Network;
  /** --in-name's weights and the line that says where they came from */
  initial?: { net: Network; note: string };
}

/**
 * Reads and checks every input of the run (checkpoint, data files, backend, --in-name) and builds the networks
 * (the same initial weights as building each when its stage starts), so that a batch that cannot fit or an input
 * that cannot be read stops the run before anything is written or printed.
 */
async function validateRun(cfg: TrainConfig): Promise<Checked> {
  const xp = cfg.xpDir;
  let resume: RunCheckpoint | undefined;
  if (cfg.resume) {
    resume = readCheckpoint<CheckpointHeader>(path.join(xp, CHECKPOINT_FILE));
    const differs = resumeConflicts(cfg, resume.header);
    if (differs.length) {
      throw new UserError(`--resume 1: ${differs.join(', ')} differ from the interrupted run in ${xp}: repeat its options (see its config.json)`);
    }
  }
  const t = performance.now();
  const data = prepareData({ ...cfg, contrast: gcnFor(cfg), zca: cfg.zcaWhitening });
  const dataSeconds = (performance.now() - t) / 1000;
  if (data.train.n < 2) throw new UserError(`the training set has ${data.train.n} image(s), batch norm needs at least 2: choose other --normal classes or a larger --n-train`);
  // after the data: the network decides how --threads are shared with XNNPACK
  const backend = await selectBackend({
    backend: cfg.backend, device: cfg.device, threads: cfg.threads, xnnpackThreads: xnnpackThreadsFor(data.info.net, cfg.threads),
  });
  const netOptions = netOptionsFor(cfg, data.info.net);
  const initRng = subRng(cfg.seed, 'init');
  const baseline = cfg.loss === 'autoencoder';
  const resumeTrain = resume?.header.position.phase === 'train';
  const ae = (cfg.pretrain || baseline) && !resumeTrain ? buildNetwork(data.info.net, 'autoencoder', netOptions, initRng) : undefined;
  const net = baseline ? undefined : buildNetwork(data.info.net, 'encoder', netOptions, initRng);
  try {
    const evalBatch = { size: cfg.evalBatchSize, option: '--eval-batch-size' };
    const aeBatch = baseline ? cfg.batchSize : cfg.aeBatchSize;
    if (ae) checkWasmHeap(ae, { size: Math.min(aeBatch, data.train.n), option: baseline ? '--batch-size' : '--ae-batch-size' }, evalBatch);
    if (net) checkWasmHeap(net, { size: Math.min(cfg.batchSize, data.train.n), option: '--batch-size' }, evalBatch);
    // the checkpoint's arrays must fit the network of the phase it resumes
    const resumed = resumeTrain ? net : ae;
    if (resume && resumed) checkCheckpointFits(resume, resumed, xp);
    const initial = cfg.inName ? loadInitialWeights(cfg.inName) : undefined;
    if (initial && (initial.net.kind !== data.info.net || (initial.net.options.architecture ?? 0) !== (netOptions.architecture ?? 0))) {
      const what = (k: string, a?: number) => `${k}${a === undefined ? '' : ` architecture ${a}`}`;
      const held = what(initial.net.kind, initial.net.options.architecture);
      initial.net.dispose();
      throw new UserError(`--in-name ${cfg.inName} holds a ${held} network, this run builds a ${what(data.info.net, netOptions.architecture)} one: start from a run of the same network (e.g. the same --cifar10-architecture)`);
    }
    return { resume, data, dataSeconds, backend, ae, net, initial };
  } catch (e) {
    ae?.dispose();
    net?.dispose();
    throw e;
  }
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
    status: 'running', started_at: new Date(started).toISOString(), deep_svdd_version: PACKAGE_VERSION, seed: cfg.seed,
    dataset: cfg.dataset, objective: describeObjective(cfg),
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

/** Throws a one-line UserError unless the checkpoint's tensors and solver slots fit `net` (checked before the run starts). */
function checkCheckpointFits(resume: RunCheckpoint, net: Network, xp: string): void {
  const damaged = (why: string) => new UserError(`${path.join(xp, CHECKPOINT_FILE)} does not fit this network (${why}): it cannot be resumed; start the run again with --force 1`);
  const { header, arrays } = resume;
  const byName = new Map(namedTensors(net));
  if (!Array.isArray(header.tensors) || header.tensors.length !== byName.size) throw damaged('tensor count');
  header.tensors.forEach((t, k) => {
    const v = byName.get(t?.name);
    if (!v || arrays[k]?.length !== v.size) throw damaged(String(t?.name));
  });
  const slots = Object.values(header.solver?.slots ?? {});
  if (!slots.every((n) => Number.isInteger(n) && n >= 0) || header.tensors.length + slots.reduce((a, b) => a + b, 0) > arrays.length) throw damaged('solver state');
  if (!Number.isInteger(header.position?.epoch) || !Number.isInteger(header.position?.batch)) throw damaged('position');
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
