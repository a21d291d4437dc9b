/**
 * One training run, top to bottom: run folder → config → backend → data → (pretraining) → Deep SVDD →
 * evaluation → results.json, model/, pictures. Everything written as it happens survives a failure.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, selectBackend, type BackendInfo } from '../backend/select.js';
import { describeObjective, radiusMode } from '../config/build.js';
import { type TrainConfig } from '../config/options.js';
import { prepareData, type PreparedData } from '../data/datasets.js';
import { averagePrecision, fiveNumber, precisionRecallF1, quantile, rocAuc, scoreSpread } from '../eval/metrics.js';
import { meanRepresentation, reconstructionErrors, squaredDistances } from '../eval/infer.js';
import { ensureDir, writeJsonAtomic } from '../io/atomic.js';
import { EpochCsv } from '../io/epochs-csv.js';
import { writeImageGrid, writeLineChart } from '../io/images.js';
import { loadModel, saveModel } from '../io/model.js';
import { openRunLog, type RunLog } from '../io/runlog.js';
import { buildNetwork, transferWeights, type Network } from '../nn/networks.js';
import { autoencoderProblem } from '../train/autoencoder.js';
import { DivergenceError, runEpochs, type EpochRow, type Phase } from '../train/loop.js';
import { centerEpsFix, oneClassRadius, softBoundaryRadius } from '../train/radius.js';
import { makeSolver } from '../train/solvers.js';
import { SvddState, svddProblem } from '../train/svdd.js';
import { UserError } from '../util/errors.js';
import { subRng } from '../util/rng.js';
import { PACKAGE_VERSION } from '../util/version.js';

export interface RunOutcome { results: Record<string, unknown>; xpDir: string }

/** Stops training after the current batch (SIGINT / SIGTERM). */
export const stopRequest = { requested: false as boolean, signal: '' };

export async function runTraining(cfg: TrainConfig, opts: { quiet?: boolean } = {}): Promise<RunOutcome> {
  const xp = cfg.xpDir;
  const resultsFile = path.join(xp, 'results.json');
  if (fs.existsSync(resultsFile) && !cfg.force) {
    const prev = readJson(resultsFile);
    if (prev?.status === 'finished') {
      throw new UserError(`${xp} already holds a finished run (results.json): pass --force to overwrite it, or choose another --xp-dir`);
    }
  }
  ensureDir(xp);
  fs.writeFileSync(path.join(xp, 'log.txt'), '');
  const log = openRunLog(path.join(xp, 'log.txt'), opts.quiet);
  const started = new Date();
  const timings: Record<string, number> = {};
  const results: Record<string, unknown> = {
    status: 'running', started_at: started.toISOString(), deep_svdd_version: PACKAGE_VERSION, seed: cfg.seed,
    dataset: cfg.dataset, objective: describeObjective(cfg),
  };
  const writeResults = () => writeJsonAtomic(resultsFile, { ...results, timings_s: timings });
  let backend: BackendInfo | undefined;
  try {
    log.info(`deep-svdd ${PACKAGE_VERSION}: ${describeObjective(cfg)} on ${cfg.dataset}, seed ${cfg.seed}`);
    log.info(`Options:\n${Object.entries(cfg).map(([k, v]) => `  ${k.padEnd(20)}: ${JSON.stringify(v)}`).join('\n')}`);
    writeJsonAtomic(path.join(xp, 'config.json'), cfg);

    backend = await selectBackend({ backend: cfg.backend, device: cfg.device, threads: cfg.threads });
    log.info(`Using ${describeBackend(backend)}`);
    for (const n of backend.notes) log.info(`  note: ${n}`);
    results.backend = backend;
    results.versions = backend.versions;

    let t = performance.now();
    const data = prepareData(cfg);
    timings.data_s = (performance.now() - t) / 1000;
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
    if (cfg.batchSize > data.train.n) {
      throw new UserError(`--batch-size ${cfg.batchSize} is larger than the training set (${data.train.n} images): use a smaller --batch-size or a larger --n-train`);
    }
    writeResults();

    const csv = new EpochCsv(path.join(xp, 'epochs.csv'));
    const curves: Record<Phase, number[]> = { pretrain: [], train: [] };
    const onEpoch = (row: EpochRow) => {
      csv.add(row);
      curves[row.phase].push(row.loss);
      const extra = row.R !== undefined ? `  R ${Number(row.R).toPrecision(5)}` : '';
      log.info(`[${row.phase}] epoch ${row.epoch + 1}/${row.phase === 'pretrain' ? aeEpochs : cfg.nEpochs}  loss ${row.loss.toPrecision(6)}${extra}  lr ${row.lr.toPrecision(3)}  ${row.seconds.toFixed(2)} s`);
    };
    const shouldStop = () => stopRequest.requested;
    const netOptions = { repDim: cfg.repDim, batchNorm: cfg.useBatchNorm, leakyRelu: cfg.leakyRelu };
    const initRng = subRng(cfg.seed, 'init');
    // the DCAE baseline (--loss autoencoder) trains the autoencoder with the main solver, lr, epochs and batch size
    const baseline = cfg.loss === 'autoencoder';
    const aeEpochs = baseline ? cfg.nEpochs : cfg.aeNEpochs;
    const aeSolverName = baseline ? cfg.solver : cfg.aeSolver;
    const aeLr = baseline ? cfg.lr : cfg.aeLr;
    const aeBatch = baseline ? cfg.batchSize : cfg.aeBatchSize;
    const initial = cfg.inName ? loadInitialWeights(cfg.inName, log) : undefined;
    let ae: Network | undefined;

    if (cfg.pretrain || baseline) {
      ae = buildNetwork(data.info.net, 'autoencoder', netOptions, initRng);
      if (initial) transferWeights(initial, ae);
      const solver = makeSolver(aeSolverName, { momentum: cfg.momentum });
      log.info(`${baseline ? 'Training' : 'Pretraining'} the autoencoder: ${aeSolverName}, lr ${aeLr}, ${aeEpochs} epochs, batch ${aeBatch}${cfg.aeWeightDecay ? `, weight decay C ${cfg.aeC}` : ''}`);
      t = performance.now();
      const aeNet = ae;
      const done = runEpochs({
        phase: 'pretrain', set: data.train, batchSize: aeBatch, nEpochs: aeEpochs,
        schedule: { lr: aeLr, drop: cfg.aeLrDrop, dropInEpoch: cfg.aeLrDropInEpoch, dropFactor: cfg.aeLrDropFactor },
        rng: subRng(cfg.seed, 'pretrain-order'),
        problem: autoencoderProblem(ae, { loss: cfg.aeLoss, weightDecayC: cfg.aeWeightDecay ? cfg.aeC : undefined }, solver),
        log: (l) => log.info(l), onEpoch, shouldStop,
        afterEpoch: () => {
          const extra: Record<string, number> = {};
          if (data.val.n) extra.val_loss = mean(reconstructionErrors(aeNet, data.val, cfg.evalBatchSize, cfg.aeLoss));
          if (cfg.nnetDiagnostics) {
            const a = safeAuc(data.testLabels, reconstructionErrors(aeNet, data.test, cfg.evalBatchSize, cfg.aeLoss));
            if (a !== null) extra.test_auc = a;
          }
          return extra;
        },
      });
      solver.dispose();
      timings.pretrain_s = (performance.now() - t) / 1000;
      if (done < aeEpochs) throw interrupted('pretrain', done);
      t = performance.now();
      const aeScores = reconstructionErrors(ae, data.test, cfg.evalBatchSize, cfg.aeLoss);
      const aeAuc = safeAuc(data.testLabels, aeScores);
      timings.ae_test_s = (performance.now() - t) / 1000;
      results.ae_test_auc = aeAuc;
      log.info(`Autoencoder test AUC (reconstruction error): ${fmtAuc(aeAuc)}  (${timings.pretrain_s.toFixed(1)} s)`);
      writeResults();
      if (cfg.loss === 'autoencoder') {
        finishAutoencoder(cfg, data, ae, aeScores, results, timings, xp, log);
        writeCurves(xp, curves);
        ae.dispose();
        results.status = 'finished';
        return finish();
      }
    }

    // ---- Deep SVDD
    const net = buildNetwork(data.info.net, 'encoder', netOptions, initRng);
    const source = ae ?? initial;
    if (source) {
      const copied = transferWeights(source, net);
      log.info(`Encoder initialised from ${ae ? 'the autoencoder' : `--in-name ${cfg.inName}`} (${copied.length} tensors: ${copied.join(', ')})`);
    }
    ae?.dispose();
    initial?.dispose();
    const mode = radiusMode(cfg);
    t = performance.now();
    const c = cfg.cMeanInit
      ? centerEpsFix(meanRepresentation(net, data.train, cfg.evalBatchSize, cfg.cMeanInitNBatches))
      : new Float32Array(cfg.repDim).fill(0.5);
    const d0 = squaredDistances(net, data.train, tf.tensor1d(c), cfg.evalBatchSize);
    const r0 = mode === 'one-class' || mode === 'batch-quantile' ? (mode === 'one-class' ? oneClassRadius(d0, cfg.nu) : 0) : softBoundaryRadius(d0, cfg.nu);
    const state = new SvddState(c, r0, { c: !cfg.centerFixed, r: mode === 'solver' });
    log.info(`Centre c initialised (${cfg.cMeanInit ? 'mean of the initial outputs, |c_j| < 0.1 pushed to ±0.1' : 'c = 0.5·1'}); ‖c‖ = ${norm(c).toPrecision(5)}; initial R = ${r0.toPrecision(5)}`);
    if (!cfg.centerFixed) log.warn('--center-fixed 0: c is trained by gradient; the network can collapse all images onto c (a constant function)');
    const modelMeta = (center: Float32Array, radius: number) => ({
      dataset: cfg.dataset, loss: 'svdd' as const, objective: mode === 'one-class' ? 'one-class' as const : 'soft-boundary' as const, nu: cfg.nu,
      c: Array.from(center), R: radius, threshold: 0, preprocessing: { gcn: 'l1' as const, min: data.constants.min, max: data.constants.max },
      classes: { normal: data.normal, outlier: data.outlier, names: data.info.classNames }, config: { ...cfg },
    });
    const solver = makeSolver(cfg.solver, { momentum: cfg.momentum });
    log.info(`Training ${describeObjective(cfg)}: ${cfg.solver}, lr ${cfg.lr}${cfg.lrDrop ? ` (÷${cfg.lrDropFactor} at epoch ${cfg.lrDropInEpoch})` : ''}, ${cfg.nEpochs} epochs, batch ${cfg.batchSize}${cfg.weightDecay ? `, weight decay C ${cfg.C}` : ''}`);
    const done = runEpochs({
      phase: 'train', set: data.train, batchSize: cfg.batchSize, nEpochs: cfg.nEpochs,
      schedule: { lr: cfg.lr, drop: cfg.lrDrop, dropInEpoch: cfg.lrDropInEpoch, dropFactor: cfg.lrDropFactor, decay: cfg.lrDecay, decayAfterEpoch: cfg.lrDecayAfterEpoch },
      rng: subRng(cfg.seed, 'train-order'),
      problem: svddProblem(net, data.train, state, {
        mode, nu: cfg.nu, weightDecayC: cfg.weightDecay ? cfg.C : undefined, centerFixed: cfg.centerFixed,
        warmUpNEpochs: cfg.warmUpNEpochs, kUpdateEpochs: cfg.kUpdateEpochs, evalBatchSize: cfg.evalBatchSize,
      }, solver),
      log: (l) => log.info(l), onEpoch, shouldStop,
      afterEpoch: (epoch) => {
        const extra: Record<string, number> = {};
        if (data.val.n) extra.val_loss = mean(squaredDistances(net, data.val, state.c, cfg.evalBatchSize));
        if (cfg.nnetDiagnostics) {
          const a = safeAuc(data.testLabels, squaredDistances(net, data.test, state.c, cfg.evalBatchSize));
          if (a !== null) extra.test_auc = a;
        }
        if (cfg.saveAt > 0 && epoch + 1 === cfg.saveAt && cfg.saveAt < cfg.nEpochs) {
          saveModel(path.join(xp, `${cfg.outName}_epoch${cfg.saveAt}`), net, modelMeta(state.center(), state.radius));
          log.info(`Model after epoch ${cfg.saveAt} saved in ${path.join(xp, `${cfg.outName}_epoch${cfg.saveAt}`)}`);
        }
        return extra;
      },
    });
    solver.dispose();
    if (done < cfg.nEpochs) throw interrupted('train', done);
    // final radius: exact on the training set (one-class: the (1−ν)-quantile; soft-boundary: as trained)
    const cFinal = state.center();
    const dTrain = squaredDistances(net, data.train, state.c, cfg.evalBatchSize);
    if (mode === 'one-class') state.radius = oneClassRadius(dTrain, cfg.nu);
    timings.train_s = (performance.now() - t) / 1000;
    const R = state.radius;
    const spread = scoreSpread(dTrain);
    if (spread < 1e-6 * Math.max(1e-12, quantile(dTrain, 0.5))) {
      log.warn(`the training distances have (nearly) zero spread (std ${spread.toExponential(2)}): the network may have collapsed onto c`);
    }

    t = performance.now();
    const dTest = squaredDistances(net, data.test, state.c, cfg.evalBatchSize);
    const scores = Float32Array.from(dTest, (d) => d - R * R);
    timings.test_s = (performance.now() - t) / 1000;
    const auc = safeAuc(data.testLabels, scores);
    log.info(`Test AUC: ${fmtAuc(auc)}   R = ${R.toPrecision(5)}   (training ${timings.train_s.toFixed(1)} s, test ${timings.test_s.toFixed(2)} s)`);
    Object.assign(results, evaluationFields(data, scores, auc, 0), {
      R, c: Array.from(cFinal), train_score_summary: fiveNumber(Array.from(dTrain, (d) => d - R * R)),
      train_time_s: timings.train_s, test_time_s: timings.test_s,
    });
    if (data.val.n) results.val_loss = mean(squaredDistances(net, data.val, state.c, cfg.evalBatchSize));
    saveModel(path.join(xp, cfg.outName), net, modelMeta(cFinal, R));
    writePictures(xp, data, scores);
    writeCurves(xp, curves);
    net.dispose();
    state.dispose();
    results.status = 'finished';
    return finish();
  } catch (e) {
    results.status = stopRequest.requested ? 'interrupted' : 'failed';
    results.error = (e as Error).message;
    results.finished_at = new Date().toISOString();
    try { writeResults(); } catch { /* keep the original error */ }
    if (e instanceof DivergenceError) log.warn(e.message);
    log.close();
    throw e;
  }

  function finish(): RunOutcome {
    results.finished_at = new Date().toISOString();
    timings.total_s = (Date.now() - started.getTime()) / 1000;
    results.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
    writeResults();
    log.info(`Results in ${resultsFile} (total ${timings.total_s.toFixed(1)} s, peak RSS ${String(results.peak_rss_mb)} MB)`);
    log.close();
    return { results, xpDir: xp };
  }
}

function finishAutoencoder(cfg: TrainConfig, data: PreparedData, ae: Network, scores: Float32Array, results: Record<string, unknown>,
  timings: Record<string, number>, xp: string, log: RunLog): void {
  const train = reconstructionErrors(ae, data.train, cfg.evalBatchSize, cfg.aeLoss);
  const threshold = quantile(train, 1 - cfg.nu);
  Object.assign(results, evaluationFields(data, scores, results.ae_test_auc as number, threshold), {
    train_time_s: timings.pretrain_s, test_time_s: timings.ae_test_s, threshold,
  });
  log.info(`Test AUC: ${fmtAuc(results.test_auc as number)} (autoencoder baseline)`);
  saveModel(path.join(xp, cfg.outName), ae, {
    dataset: cfg.dataset, loss: 'autoencoder', aeLoss: cfg.aeLoss, nu: cfg.nu, threshold,
    preprocessing: { gcn: 'l1', min: data.constants.min, max: data.constants.max },
    classes: { normal: data.normal, outlier: data.outlier, names: data.info.classNames }, config: { ...cfg },
  });
  writePictures(xp, data, scores);
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

function writeCurves(xp: string, curves: Record<Phase, number[]>): void {
  if (curves.pretrain.length) writeLineChart(path.join(xp, 'loss_pretrain.png'), [{ values: curves.pretrain, color: [30, 90, 200] }]);
  if (curves.train.length) writeLineChart(path.join(xp, 'loss_train.png'), [{ values: curves.train, color: [200, 60, 30] }]);
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

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return v.length ? s / v.length : NaN;
}

function interrupted(phase: Phase, epoch: number): Error {
  return new UserError(`interrupted by ${stopRequest.signal || 'a signal'} in ${phase === 'pretrain' ? 'pretraining' : 'training'}, epoch ${epoch}: files written so far are kept`, stopRequest.signal === 'SIGTERM' ? 143 : 130);
}

function safeAuc(labels: Uint8Array, scores: ArrayLike<number>): number | null {
  return count(labels, 1) > 0 && count(labels, 0) > 0 ? rocAuc(labels, scores) : null;
}

function fmtAuc(a: number | null): string {
  return a === null ? 'n/a (one class only in the test set)' : `${(100 * a).toFixed(2)}%`;
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
