/**
 * One training run, top to bottom: run folder → config → backend → data → (pretraining) → Deep SVDD →
 * evaluation → results.json, model/, pictures. Everything written as it happens survives a failure, and a
 * checkpoint after every epoch (and on SIGINT/SIGTERM) lets `--resume 1` finish the run with the same numbers.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { checkWasmHeap } from '../backend/memory.js';
import { xnnpackThreadsFor } from '../backend/threads.js';
import { describeBackend, selectBackend } from '../backend/select.js';
import { describeObjective, radiusMode } from '../config/build.js';
import { type TrainConfig } from '../config/options.js';
import { prepareData, type PreparedData } from '../data/datasets.js';
import { meanRepresentation, reconstructionErrors, squaredDistances } from '../eval/infer.js';
import { averagePrecision, fiveNumber, precisionRecallF1, quantile, rocAuc, scoreSpread } from '../eval/metrics.js';
import { ensureDir, writeJsonAtomic } from '../io/atomic.js';
import { CHECKPOINT_FILE, readCheckpoint, writeCheckpoint } from '../io/checkpoint.js';
import { EpochCsv } from '../io/epochs-csv.js';
import { writeImageGrid, writeLineChart } from '../io/images.js';
import { loadModel, saveModel, type ModelMeta } from '../io/model.js';
import { openRunLog, type RunLog } from '../io/runlog.js';
import { buildNetwork, namedTensors, transferWeights, type Network } from '../nn/networks.js';
import { autoencoderProblem } from '../train/autoencoder.js';
import { runEpochs, type EpochRow, type LoopPosition, type Phase } from '../train/loop.js';
import { centerEpsFix, oneClassRadius, softBoundaryRadius } from '../train/radius.js';
import { makeSolver, type Solver, type SolverState } from '../train/solvers.js';
import { SvddState, svddProblem } from '../train/svdd.js';
import { UserError } from '../util/errors.js';
import { makeRng, subRng } from '../util/rng.js';
import { PACKAGE_VERSION } from '../util/version.js';

export interface RunOutcome { results: Record<string, unknown>; xpDir: string }

/** Stops training after the current batch (SIGINT / SIGTERM). */
export const stopRequest = { requested: false as boolean, signal: '' };

/** What a checkpoint holds besides the arrays (weights, BN statistics, solver slots, c). */
interface CheckpointHeader {
  version: 1;
  config: TrainConfig;
  position: LoopPosition;
  tensors: Array<{ name: string; shape: number[] }>;
  solver: { t: number; slots: Record<string, number> };
  r2?: number;
  rows: EpochRow[];
  results: Record<string, unknown>;
  timings: Record<string, number>;
  /** wall seconds of the run so far, over all its resumptions */
  elapsed_s: number;
}

/** Settings that may differ between an interrupted run and its resumption. */
const RESUME_FREE = new Set(['resume', 'force', 'threads', 'backend', 'device']);

interface Ctx {
  cfg: TrainConfig;
  xp: string;
  log: RunLog;
  data: PreparedData;
  results: Record<string, unknown>;
  timings: Record<string, number>;
  csv: EpochCsv;
  writeResults(): void;
  /** wall seconds of the run so far, over all its resumptions */
  elapsed(): number;
  resume?: { header: CheckpointHeader; arrays: Float32Array[] };
}

export async function runTraining(cfg: TrainConfig, opts: { quiet?: boolean } = {}): Promise<RunOutcome> {
  const xp = cfg.xpDir;
  const resultsFile = path.join(xp, 'results.json');
  const prev = readJson(resultsFile);
  let resume: Ctx['resume'];
  if (cfg.resume) {
    if (prev?.status === 'finished') throw new UserError(`${xp} holds a finished run: there is nothing to resume (pass --force 1 without --resume to run it again)`);
    resume = readCheckpoint<CheckpointHeader>(path.join(xp, CHECKPOINT_FILE));
    const differs = Object.keys(cfg).filter((k) => !RESUME_FREE.has(k) &&
      JSON.stringify((cfg as unknown as Record<string, unknown>)[k]) !== JSON.stringify((resume!.header.config as unknown as Record<string, unknown>)[k]));
    if (differs.length) {
      throw new UserError(`--resume 1: ${differs.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} differ from the interrupted run in ${xp}: repeat its options (see its config.json)`);
    }
  } else if (prev?.status === 'finished' && !cfg.force) {
    throw new UserError(`${xp} already holds a finished run (results.json): pass --force 1 to overwrite it, or choose another --xp-dir`);
  }
  ensureDir(xp);
  if (!resume) {
    fs.writeFileSync(path.join(xp, 'log.txt'), '');
    fs.rmSync(path.join(xp, CHECKPOINT_FILE), { force: true });
  }
  const log = openRunLog(path.join(xp, 'log.txt'), opts.quiet);
  const started = Date.now();
  const elapsedBefore = resume?.header.elapsed_s ?? 0;
  const timings: Record<string, number> = { ...(resume?.header.timings ?? {}) };
  const results: Record<string, unknown> = {
    ...(resume?.header.results ?? {}),
    status: 'running', started_at: new Date(started).toISOString(), deep_svdd_version: PACKAGE_VERSION, seed: cfg.seed,
    dataset: cfg.dataset, objective: describeObjective(cfg),
  };
  const writeResults = () => writeJsonAtomic(resultsFile, { ...results, timings_s: timings });
  try {
    log.info(`deep-svdd ${PACKAGE_VERSION}: ${describeObjective(cfg)} on ${cfg.dataset}, seed ${cfg.seed}`);
    if (resume) log.info(`Resuming from ${path.join(xp, CHECKPOINT_FILE)}: ${resume.header.position.phase} epoch ${resume.header.position.epoch + 1}, batch ${resume.header.position.batch}`);
    log.info(`Options:\n${Object.entries(cfg).map(([k, v]) => `  ${k.padEnd(20)}: ${JSON.stringify(v)}`).join('\n')}`);
    if (!resume) writeJsonAtomic(path.join(xp, 'config.json'), cfg);

    const t = performance.now();
    const data = prepareData(cfg);
    timings.data_s = (performance.now() - t) / 1000;
    describeData(cfg, data, log, results);

    // after the data: the network decides how --threads are shared with XNNPACK
    const backend = await selectBackend({
      backend: cfg.backend, device: cfg.device, threads: cfg.threads, net: data.info.net, xnnpackThreads: xnnpackThreadsFor(data.info.net, cfg.threads),
    });
    log.info(`Using ${describeBackend(backend)}`);
    for (const n of backend.notes) log.info(`  note: ${n}`);
    results.backend = backend;
    results.versions = backend.versions;
    if (cfg.batchSize > data.train.n) {
      throw new UserError(`--batch-size ${cfg.batchSize} is larger than the training set (${data.train.n} images): use a smaller --batch-size or a larger --n-train`);
    }
    writeResults();
    const csv = new EpochCsv(path.join(xp, 'epochs.csv'), resume?.header.rows ?? []);
    const ctx: Ctx = { cfg, xp, log, data, results, timings, csv, writeResults, resume, elapsed: () => elapsedBefore + (Date.now() - started) / 1000 };

    const netOptions = { repDim: cfg.repDim, batchNorm: cfg.useBatchNorm, leakyRelu: cfg.leakyRelu };
    const initRng = subRng(cfg.seed, 'init');
    const baseline = cfg.loss === 'autoencoder';
    const initial = cfg.inName ? loadInitialWeights(cfg.inName, log) : undefined;
    let encoderSource: Network | undefined = initial;
    const resumeTrain = resume?.header.position.phase === 'train';
    if ((cfg.pretrain || baseline) && !resumeTrain) {
      const ae = buildNetwork(data.info.net, 'autoencoder', netOptions, initRng);
      checkWasmHeap(ae, { size: baseline ? cfg.batchSize : cfg.aeBatchSize, option: baseline ? '--batch-size' : '--ae-batch-size' }, { size: cfg.evalBatchSize, option: '--eval-batch-size' });
      if (initial) transferWeights(initial, ae);
      await pretrain(ctx, ae);
      if (baseline) {
        finishAutoencoder(ctx, ae);
        ae.dispose();
        initial?.dispose();
        return finish();
      }
      encoderSource = ae;
    }
    const net = buildNetwork(data.info.net, 'encoder', netOptions, initRng);
    checkWasmHeap(net, { size: cfg.batchSize, option: '--batch-size' }, { size: cfg.evalBatchSize, option: '--eval-batch-size' });
    if (encoderSource && !resumeTrain) {
      const copied = transferWeights(encoderSource, net);
      log.info(`Encoder initialised from ${encoderSource === initial ? `--in-name ${cfg.inName}` : 'the autoencoder'} (${copied.length} tensors: ${copied.join(', ')})`);
    }
    if (encoderSource !== initial) encoderSource?.dispose();
    initial?.dispose();
    await trainSvdd(ctx, net);
    net.dispose();
    return finish();
  } catch (e) {
    results.status = stopRequest.requested ? 'interrupted' : 'failed';
    results.error = (e as Error).message;
    results.finished_at = new Date().toISOString();
    try { writeResults(); } catch { /* keep the original error */ }
    log.record(`ERROR ${(e as Error).message}`);
    log.close();
    throw e;
  }

  function finish(): RunOutcome {
    results.status = 'finished';
    results.finished_at = new Date().toISOString();
    timings.total_s = elapsedBefore + (Date.now() - started) / 1000;
    results.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
    writeResults();
    fs.rmSync(path.join(xp, CHECKPOINT_FILE), { force: true });
    log.info(`Results in ${resultsFile} (total ${timings.total_s.toFixed(1)} s, peak RSS ${String(results.peak_rss_mb)} MB)`);
    log.close();
    return { results, xpDir: xp };
  }
}

function describeData(cfg: TrainConfig, data: PreparedData, log: RunLog, results: Record<string, unknown>): void {
  const names = data.info.classNames;
  log.info(`Data: ${data.source}`);
  log.info(`  normal class(es) ${data.normal.map((c) => names[c]).join(', ')}; outlier class(es) ${data.outlier.map((c) => names[c]).join(', ')}`);
  log.info(`  ${data.train.n} training images${data.nTrainOutliers ? ` (${data.nTrainOutliers} of them outlier-class, --out-frac ${cfg.outFrac})` : ''}, ${data.test.n} test images (${count(data.testLabels, 1)} outliers)${data.val.n ? `, ${data.val.n} held-out validation images` : ''}`);
  log.info(`  preprocessing: /255, GCN l1, min–max with training min ${data.constants.min.toPrecision(8)}, max ${data.constants.max.toPrecision(8)}`);
  Object.assign(results, {
    data_source: data.source, n_train: data.train.n, n_test: data.test.n, n_val: data.val.n, n_train_outliers: data.nTrainOutliers,
    normal_classes: data.normal, outlier_classes: data.outlier,
    normal_class_names: data.normal.map((c) => names[c]), outlier_class_names: data.outlier.map((c) => names[c]),
    preprocessing: { ...data.constants },
  });
}

/** Epoch rows: to epochs.csv and the console. */
function epochLogger(ctx: Ctx, nEpochs: number) {
  return (row: EpochRow) => {
    ctx.csv.add(row);
    const extra = row.R !== undefined ? `  R ${Number(row.R).toPrecision(5)}` : '';
    const diag = row.test_auc !== undefined ? `  test AUC ${(100 * Number(row.test_auc)).toFixed(2)}%` : '';
    ctx.log.info(`[${row.phase}] epoch ${row.epoch + 1}/${nEpochs}  loss ${row.loss.toPrecision(6)}${extra}${diag}  lr ${row.lr.toPrecision(3)}  ${row.seconds.toFixed(2)} s`);
  };
}

/** Saves the loop position, weights, solver state (and c, R²) atomically. */
function checkpointer(ctx: Ctx, net: Network, solver: Solver, state?: SvddState) {
  return (position: LoopPosition) => {
    const tensors = namedTensors(net).map(([name, v]) => ({ name, v }));
    const arrays: Float32Array[] = tensors.map((x) => Float32Array.from(x.v.dataSync()));
    const s = solver.getState();
    const slotCounts: Record<string, number> = {};
    for (const [k, list] of Object.entries(s.slots)) { slotCounts[k] = list.length; arrays.push(...list); }
    if (state) arrays.push(state.center());
    writeCheckpoint<CheckpointHeader>(path.join(ctx.xp, CHECKPOINT_FILE), {
      version: 1, config: ctx.cfg, position, tensors: tensors.map((x) => ({ name: x.name, shape: x.v.shape })),
      solver: { t: s.t, slots: slotCounts }, r2: state ? state.radiusSquared : undefined,
      rows: ctx.csv.rows, results: ctx.results, timings: ctx.timings, elapsed_s: ctx.elapsed(),
    }, arrays);
  };
}

/** Restores weights and solver state from the checkpoint; returns c when the checkpoint has one. */
function restore(ctx: Ctx, net: Network, solver: Solver): Float32Array | undefined {
  const { header, arrays } = ctx.resume!;
  const byName = new Map(namedTensors(net));
  let k = 0;
  for (const t of header.tensors) {
    const v = byName.get(t.name);
    if (!v) throw new UserError(`the checkpoint in ${ctx.xp} does not fit this network (${t.name}); start the run again with --force 1`);
    tf.tidy(() => v.assign(tf.tensor(arrays[k++], v.shape)));
  }
  const slots: SolverState['slots'] = {};
  for (const [name, n] of Object.entries(header.solver.slots)) slots[name] = arrays.slice(k, (k += n));
  solver.setState({ t: header.solver.t, slots });
  return k < arrays.length ? arrays[k] : undefined;
}

async function pretrain(ctx: Ctx, ae: Network): Promise<void> {
  const { cfg, data, log } = ctx;
  // the DCAE baseline (--loss autoencoder) trains the autoencoder with the main solver, lr, epochs and batch size
  const baseline = cfg.loss === 'autoencoder';
  const nEpochs = baseline ? cfg.nEpochs : cfg.aeNEpochs;
  const solverName = baseline ? cfg.solver : cfg.aeSolver;
  const lr = baseline ? cfg.lr : cfg.aeLr;
  const batch = baseline ? cfg.batchSize : cfg.aeBatchSize;
  const solver = makeSolver(solverName, { momentum: cfg.momentum });
  const resume = ctx.resume?.header.position.phase === 'pretrain' ? ctx.resume.header.position : undefined;
  if (resume) restore(ctx, ae, solver);
  log.info(`${baseline ? 'Training' : 'Pretraining'} the autoencoder: ${solverName}, lr ${lr}, ${nEpochs} epochs, batch ${batch}${cfg.aeWeightDecay ? `, weight decay C ${cfg.aeC}` : ''}`);
  const t = performance.now();
  const done = await runEpochs({
    phase: 'pretrain', set: data.train, batchSize: batch, nEpochs,
    schedule: { lr, drop: cfg.aeLrDrop, dropInEpoch: cfg.aeLrDropInEpoch, dropFactor: cfg.aeLrDropFactor },
    rng: resume ? makeRng(0, resume.rngState) : subRng(cfg.seed, 'pretrain-order'), resume,
    problem: autoencoderProblem(ae, { loss: cfg.aeLoss, weightDecayC: cfg.aeWeightDecay ? cfg.aeC : undefined }, solver),
    log: (l) => log.info(l), onEpoch: epochLogger(ctx, nEpochs), shouldStop: () => stopRequest.requested,
    onCheckpoint: checkpointer(ctx, ae, solver), weights: ae.params.map((p) => p.variable),
    afterEpoch: () => {
      const extra: Record<string, number> = {};
      if (data.val.n) extra.val_loss = mean(reconstructionErrors(ae, data.val, cfg.evalBatchSize, cfg.aeLoss));
      if (cfg.nnetDiagnostics) {
        const a = safeAuc(data.testLabels, reconstructionErrors(ae, data.test, cfg.evalBatchSize, cfg.aeLoss));
        if (a !== null) extra.test_auc = a;
      }
      return extra;
    },
  });
  solver.dispose();
  ctx.timings.pretrain_s = (ctx.timings.pretrain_s ?? 0) + (performance.now() - t) / 1000;
  if (done < nEpochs) throw interrupted('pretrain', done);
  writeLineChart(path.join(ctx.xp, 'loss_pretrain.png'), [{ values: ctx.csv.rows.filter((r) => r.phase === 'pretrain').map((r) => r.loss), color: [30, 90, 200] }], { title: 'autoencoder pretraining loss', xLabel: 'epoch', yLabel: 'loss (log scale)' });
  const t2 = performance.now();
  const scores = reconstructionErrors(ae, data.test, cfg.evalBatchSize, cfg.aeLoss);
  ctx.timings.ae_test_s = (performance.now() - t2) / 1000;
  ctx.results.ae_test_auc = safeAuc(data.testLabels, scores);
  log.info(`Autoencoder test AUC (reconstruction error): ${fmtAuc(ctx.results.ae_test_auc as number | null)}  (${ctx.timings.pretrain_s.toFixed(1)} s)`);
  ctx.writeResults();
}

function finishAutoencoder(ctx: Ctx, ae: Network): void {
  const { cfg, data, log } = ctx;
  const scores = reconstructionErrors(ae, data.test, cfg.evalBatchSize, cfg.aeLoss);
  const threshold = quantile(reconstructionErrors(ae, data.train, cfg.evalBatchSize, cfg.aeLoss), 1 - cfg.nu);
  Object.assign(ctx.results, evaluationFields(data, scores, ctx.results.ae_test_auc as number, threshold), {
    train_time_s: ctx.timings.pretrain_s, test_time_s: ctx.timings.ae_test_s, threshold,
  });
  log.info(`Test AUC: ${fmtAuc(ctx.results.test_auc as number)} (autoencoder baseline)`);
  saveModel(path.join(ctx.xp, cfg.outName), ae, {
    ...modelBase(ctx), loss: 'autoencoder', aeLoss: cfg.aeLoss, nu: cfg.nu, threshold,
  });
  writePictures(ctx.xp, data, scores);
}

async function trainSvdd(ctx: Ctx, net: Network): Promise<void> {
  const { cfg, data, log } = ctx;
  const mode = radiusMode(cfg);
  const solver = makeSolver(cfg.solver, { momentum: cfg.momentum });
  const resume = ctx.resume?.header.position.phase === 'train' ? ctx.resume.header.position : undefined;
  let state: SvddState;
  if (resume) {
    const c = restore(ctx, net, solver)!;
    state = new SvddState(c, ctx.resume!.header.r2 ?? 0, { c: !cfg.centerFixed, r: mode === 'solver' });
  } else {
    const c = cfg.cMeanInit
      ? centerEpsFix(meanRepresentation(net, data.train, cfg.evalBatchSize, cfg.cMeanInitNBatches))
      : new Float32Array(cfg.repDim).fill(0.5);
    const cT = tf.tensor1d(c);
    const d0 = squaredDistances(net, data.train, cT, cfg.evalBatchSize);
    cT.dispose();
    const r0 = mode === 'one-class' ? oneClassRadius(d0, cfg.nu) : mode === 'batch-quantile' ? 0 : softBoundaryRadius(d0, cfg.nu);
    state = new SvddState(c, r0 * r0, { c: !cfg.centerFixed, r: mode === 'solver' });
    log.info(`Centre c initialised (${cfg.cMeanInit ? 'mean of the initial outputs, |c_j| < 0.1 pushed to ±0.1' : 'c = 0.5·1'}); ‖c‖ = ${norm(c).toPrecision(5)}; initial R = ${r0.toPrecision(5)}`);
  }
  if (!cfg.centerFixed) log.warn('--center-fixed 0: c is trained by gradient; the network can collapse all images onto c (a constant function)');
  const modelMeta = () => ({
    ...modelBase(ctx), loss: 'svdd' as const, objective: mode === 'one-class' ? 'one-class' as const : 'soft-boundary' as const,
    nu: cfg.nu, c: Array.from(state.center()), R: state.radius, R2: state.radiusSquared, threshold: 0,
  });
  log.info(`Training ${describeObjective(cfg)}: ${cfg.solver}, lr ${cfg.lr}${cfg.lrDrop ? ` (÷${cfg.lrDropFactor} at epoch ${cfg.lrDropInEpoch})` : ''}, ${cfg.nEpochs} epochs, batch ${cfg.batchSize}${cfg.weightDecay ? `, weight decay C ${cfg.C}` : ''}`);
  const t = performance.now();
  const done = await runEpochs({
    phase: 'train', set: data.train, batchSize: cfg.batchSize, nEpochs: cfg.nEpochs,
    schedule: { lr: cfg.lr, drop: cfg.lrDrop, dropInEpoch: cfg.lrDropInEpoch, dropFactor: cfg.lrDropFactor, decay: cfg.lrDecay, decayAfterEpoch: cfg.lrDecayAfterEpoch },
    rng: resume ? makeRng(0, resume.rngState) : subRng(cfg.seed, 'train-order'), resume,
    problem: svddProblem(net, data.train, state, {
      mode, nu: cfg.nu, weightDecayC: cfg.weightDecay ? cfg.C : undefined, centerFixed: cfg.centerFixed,
      warmUpNEpochs: cfg.warmUpNEpochs, kUpdateEpochs: cfg.kUpdateEpochs, evalBatchSize: cfg.evalBatchSize,
    }, solver),
    log: (l) => log.info(l), onEpoch: epochLogger(ctx, cfg.nEpochs), shouldStop: () => stopRequest.requested,
    onCheckpoint: checkpointer(ctx, net, solver, state), weights: [...net.params.map((p) => p.variable), state.c, state.rSquared],
    afterEpoch: (epoch) => {
      const extra: Record<string, number> = {};
      if (data.val.n) extra.val_loss = mean(squaredDistances(net, data.val, state.c, cfg.evalBatchSize));
      if (cfg.nnetDiagnostics) {
        const a = safeAuc(data.testLabels, squaredDistances(net, data.test, state.c, cfg.evalBatchSize));
        if (a !== null) extra.test_auc = a;
      }
      if (cfg.saveAt > 0 && epoch + 1 === cfg.saveAt && cfg.saveAt < cfg.nEpochs) {
        const dir = path.join(ctx.xp, `${cfg.outName}_epoch${cfg.saveAt}`);
        saveModel(dir, net, modelMeta());
        log.info(`Model after epoch ${cfg.saveAt} saved in ${dir}`);
      }
      return extra;
    },
  });
  solver.dispose();
  if (done < cfg.nEpochs) throw interrupted('train', done);
  // final radius: one-class, the (1−ν)-quantile on the training set; soft-boundary, as trained
  const dTrain = squaredDistances(net, data.train, state.c, cfg.evalBatchSize);
  if (mode === 'one-class') state.radius = oneClassRadius(dTrain, cfg.nu);
  ctx.timings.train_s = (ctx.timings.train_s ?? 0) + (performance.now() - t) / 1000;
  const R = state.radius;
  const R2 = state.radiusSquared;
  const spread = scoreSpread(dTrain);
  if (spread < 1e-6 * Math.max(1e-12, quantile(dTrain, 0.5))) {
    log.warn(`the training distances have (nearly) zero spread (std ${spread.toExponential(2)}): the network may have collapsed onto c`);
  }
  writeLineChart(path.join(ctx.xp, 'loss_train.png'), [{ values: ctx.csv.rows.filter((r) => r.phase === 'train').map((r) => r.loss), color: [200, 60, 30] }], { title: 'Deep SVDD training loss', xLabel: 'epoch', yLabel: 'loss (log scale)' });

  const t2 = performance.now();
  const dTest = squaredDistances(net, data.test, state.c, cfg.evalBatchSize);
  const scores = Float32Array.from(dTest, (d) => d - R2);
  ctx.timings.test_s = (performance.now() - t2) / 1000;
  const auc = safeAuc(data.testLabels, scores);
  log.info(`Test AUC: ${fmtAuc(auc)}   R = ${R.toPrecision(5)}   (training ${ctx.timings.train_s.toFixed(1)} s, test ${ctx.timings.test_s.toFixed(2)} s)`);
  Object.assign(ctx.results, evaluationFields(data, scores, auc, 0), {
    R, R2, c: Array.from(state.center()), train_score_summary: fiveNumber(Array.from(dTrain, (d) => d - R2)),
    train_time_s: ctx.timings.train_s, test_time_s: ctx.timings.test_s,
  });
  if (data.val.n) ctx.results.val_loss = mean(squaredDistances(net, data.val, state.c, cfg.evalBatchSize));
  saveModel(path.join(ctx.xp, cfg.outName), net, modelMeta());
  writePictures(ctx.xp, data, scores);
  state.dispose();
}

function modelBase(ctx: Ctx): Pick<ModelMeta, 'dataset' | 'preprocessing' | 'classes' | 'config'> {
  const { cfg, data } = ctx;
  return {
    dataset: cfg.dataset, preprocessing: { gcn: 'l1', min: data.constants.min, max: data.constants.max },
    classes: { normal: data.normal, outlier: data.outlier, names: data.info.classNames }, config: { ...cfg },
  };
}

/** AUC, AUPRC, threshold metrics and the per-sample scores. */
function evaluationFields(data: PreparedData, scores: Float32Array, auc: number | null, threshold: number) {
  const hasBoth = count(data.testLabels, 1) > 0 && count(data.testLabels, 0) > 0;
  return {
    test_auc: auc,
    test_auprc: hasBoth ? averagePrecision(data.testLabels, scores) : null,
    test_at_threshold: precisionRecallF1(data.testLabels, scores, threshold),
    test_scores: Array.from(scores, (s, i) => ({ index: data.testIndex[i], label: data.testLabels[i], class: data.testClasses[i], score: s })),
  };
}

function writePictures(xp: string, data: PreparedData, scores: Float32Array): void {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b]);
  const imgs = { pixels: data.testPixels, height: data.info.height, width: data.info.width, channels: data.info.channels };
  const k = Math.min(32, order.length);
  const normals = order.slice(0, k);
  const outliers = order.slice(order.length - k).reverse();
  writeImageGrid(path.join(xp, 'most_normal.png'), imgs, normals, normals.map((i) => data.testLabels[i]));
  writeImageGrid(path.join(xp, 'most_anomalous.png'), imgs, outliers, outliers.map((i) => data.testLabels[i]));
}

/** --in-name: a run folder, its model folder, or a name under log/. */
function loadInitialWeights(name: string, log: RunLog): Network {
  const candidates = [name, path.join(name, 'model'), path.join('log', name), path.join('log', name, 'model')];
  const dir = candidates.find((c) => fs.existsSync(path.join(c, 'model.json')));
  if (!dir) throw new UserError(`--in-name ${name}: no model.json in ${candidates.join(', ')}; give a finished run folder or its model/ folder`);
  const { meta, net } = loadModel(dir);
  log.info(`Loaded initial weights from ${dir} (${meta.net.role} of a ${meta.dataset} ${meta.loss} run)`);
  return net;
}

function interrupted(phase: Phase, epoch: number): Error {
  return new UserError(`interrupted by ${stopRequest.signal || 'a signal'} in ${phase === 'pretrain' ? 'pretraining' : 'training'}, epoch ${epoch + 1}: files written so far are kept; continue with --resume 1`, stopRequest.signal === 'SIGTERM' ? 143 : 130);
}

function safeAuc(labels: Uint8Array, scores: ArrayLike<number>): number | null {
  return count(labels, 1) > 0 && count(labels, 0) > 0 ? rocAuc(labels, scores) : null;
}

function fmtAuc(a: number | null): string {
  return a === null ? 'n/a (one class only in the test set)' : `${(100 * a).toFixed(2)}%`;
}

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return v.length ? s / v.length : NaN;
}

function count(a: Uint8Array, v: number): number {
  let k = 0;
  for (const x of a) if (x === v) k++;
  return k;
}

function norm(v: Float32Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

function readJson(file: string): Record<string, unknown> | null {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>; } catch { return null; }
}
