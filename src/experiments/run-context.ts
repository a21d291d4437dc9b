/**
 * What the stages of a training run share (train-run.ts orchestrates them; stage-autoencoder.ts and stage-svdd.ts
 * are the two training stages): the run's context, the one after-epoch step of both stages, the evaluation fields
 * of results.json, the pictures, and the small helpers they need.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type TrainConfig } from '../config/options.js';
import { type ImageSet } from '../data/batches.js';
import { type PreparedData } from '../data/datasets.js';
import { averagePrecision, precisionRecallF1, rocAuc } from '../eval/metrics.js';
import { CHECKPOINT_FILE, type RunCheckpoint } from '../io/checkpoint.js';
import { saveRunCheckpoint } from '../io/checkpoint-state.js';
import { type EpochCsv } from '../io/epochs-csv.js';
import { scoreHistogramSpec, writeChartPng } from '../io/charts.js';
import { writeImageGrid } from '../io/images.js';
import { loadModel, saveModel as saveModelFiles, writeZca, ZCA_FILE, type ModelMeta } from '../io/model.js';
import { type RunResults } from '../io/results.js';
import { type RunLog } from '../io/runlog.js';
import { type Network } from '../nn/networks.js';
import { type EpochRow, type LoopOptions, type Phase } from '../train/loop.js';
import { type Solver } from '../train/solvers.js';
import { type SvddState } from '../train/svdd.js';
import { UserError } from '../util/errors.js';
import { makeRng, subRng } from '../util/rng.js';
import { progressSender } from './progress-events.js';
import { stopRequest } from './stop-request.js';

export interface Ctx {
  cfg: TrainConfig;
  xp: string;
  log: RunLog;
  data: PreparedData;
  results: RunResults;
  timings: Record<string, number>;
  csv: EpochCsv;
  writeResults(): void;
  /** wall seconds of the run so far, over all its resumptions */
  elapsed(): number;
  /** the progress channel to a sweep (progress-events.ts) */
  progress: ReturnType<typeof progressSender>;
  resume?: RunCheckpoint;
}

/** A stage's part of the epoch loop's options: where it starts, and what happens after each epoch. */
export type StageLoop = Pick<LoopOptions, 'rng' | 'resume' | 'log' | 'onEpoch' | 'shouldStop' | 'onCheckpoint' | 'afterEpoch'>;

export interface StageSpec {
  phase: Phase;
  nEpochs: number;
  net: Network;
  solver: Solver;
  /** the Deep SVDD centre and radius (checkpointed with the network) */
  state?: SvddState;
  /** the stage's per-image loss on a set (validation loss, per-epoch test AUC) */
  score(set: ImageSet): Float32Array;
  /** stage-specific work after an epoch's diagnostics (model snapshots) */
  afterDiagnostics?(epoch: number): void;
}

/**
 * The epoch loop's options for a stage: the start (a fresh seeded order, or the checkpoint's position) and the one
 * after-epoch step of both stages: diagnostics columns (validation loss, per-epoch test AUC), then the row to
 * epochs.csv, the console and the progress channel, and a checkpoint.
 */
export function stageLoop(ctx: Ctx, s: StageSpec): StageLoop {
  const { cfg, data } = ctx;
  const resume = ctx.resume?.header.position.phase === s.phase ? ctx.resume.header.position : undefined;
  ctx.progress({ event: 'phase', phase: s.phase, n_epochs: s.nEpochs });
  let lastSave = performance.now();
  let lastPrinted: number | undefined;
  return {
    rng: resume ? makeRng(0, resume.rngState) : subRng(cfg.seed, s.phase === 'pretrain' ? 'pretrain-order' : 'train-order'),
    resume,
    log: (l) => ctx.log.info(l),
    shouldStop: () => stopRequest.requested,
    afterEpoch: (epoch, sync) => {
      const extra: Record<string, number> = {};
      if (data.val.n || cfg.nnetDiagnostics || s.afterDiagnostics) sync();
      if (data.val.n) extra.val_loss = mean(s.score(data.val));
      if (cfg.nnetDiagnostics) {
        const a = safeAuc(data.testLabels, s.score(data.test));
        if (a !== null) extra.test_auc = a;
      }
      s.afterDiagnostics?.(epoch);
      return extra;
    },
    onEpoch: (row: EpochRow) => {
      ctx.csv.add(row);
      const extra = row.R !== undefined ? `  R ${Number(row.R).toPrecision(5)}` : '';
      const diag = row.test_auc !== undefined ? `  test AUC ${(100 * Number(row.test_auc)).toFixed(2)}%` : '';
      const line = `[${row.phase}] epoch ${row.epoch + 1}/${s.nEpochs}  loss ${row.loss.toPrecision(6)}${extra}${diag}  lr ${row.lr.toPrecision(3)}  ${row.seconds.toFixed(2)} s`;
      // log.txt gets every epoch; the console the stage's first and last and at most one a second between (a table's
      // epochs take milliseconds: a line each was a tenth of a short run)
      const now = performance.now();
      if (lastPrinted === undefined || row.epoch + 1 === s.nEpochs || now - lastPrinted >= 1000) {
        ctx.log.info(line);
        lastPrinted = now;
      } else ctx.log.record(line);
      ctx.progress({ event: 'epoch', phase: row.phase, epoch: row.epoch + 1, n_epochs: s.nEpochs, loss: row.loss });
    },
    onCheckpoint: (position, sync) => {
      // at most one save per PERSIST_INTERVAL_S, and always at the end of the stage and when the run is stopping
      const now = performance.now();
      const due = now - lastSave >= PERSIST_INTERVAL_S * 1000 || position.batch > 0 || position.epoch >= s.nEpochs || stopRequest.requested;
      if (!due) return;
      sync();
      ctx.csv.flush();
      saveRunCheckpoint(path.join(ctx.xp, CHECKPOINT_FILE), {
        config: cfg, position, rows: ctx.csv.rows, results: ctx.results, timings: ctx.timings, elapsed_s: ctx.elapsed(),
      }, s.net, s.solver, s.state);
      lastSave = performance.now();
    },
  };
}

/**
 * Seconds between two saves of the checkpoint and epochs.csv during a stage. Runs with short epochs (tables: an
 * epoch can take milliseconds) spent most of their time rewriting both after every epoch; a run killed outright
 * (SIGKILL, power loss) now loses at most this much training, while SIGINT / SIGTERM still save before stopping.
 */
export const PERSIST_INTERVAL_S = 5;

/** The model folder, with the ZCA whitening when the run used it. */
export function saveModel(dir: string, net: Network, meta: Parameters<typeof saveModelFiles>[2], zca?: PreparedData['zca']): void {
  saveModelFiles(dir, net, meta);
  if (zca) writeZca(dir, zca);
}

export function modelBase(ctx: Ctx): Pick<ModelMeta, 'dataset' | 'preprocessing' | 'classes' | 'config'> {
  const { cfg, data } = ctx;
  return {
    dataset: cfg.dataset,
    preprocessing: {
      gcn: data.constants.gcn, min: data.constants.min, max: data.constants.max, ...(data.zca ? { zca: { file: ZCA_FILE, d: data.zca.d } } : {}),
      ...(data.constants.table ? { table: data.constants.table } : {}),
    },
    classes: { normal: data.normal, outlier: data.outlier, names: [...data.info.classNames] }, config: { ...cfg },
  };
}

/** The data's part of results.json (train and baseline). */
export function dataFields(data: PreparedData): Partial<RunResults> {
  const names = data.info.classNames;
  return {
    data_source: data.source, n_train: data.train.n, n_test: data.test.n, n_val: data.val.n, n_train_outliers: data.nTrainOutliers,
    normal_classes: data.normal, outlier_classes: data.outlier,
    normal_class_names: data.normal.map((c) => names[c]), outlier_class_names: data.outlier.map((c) => names[c]),
    preprocessing: { ...data.constants },
    ...(data.semiSupervised ? { semi_supervised: data.semiSupervised } : {}),
  };
}

/** AUC, AUPRC, threshold metrics and the per-sample scores. */
export function evaluationFields(data: PreparedData, scores: Float32Array | Float64Array, auc: number | null, threshold: number): Partial<RunResults> {
  const hasBoth = count(data.testLabels, 1) > 0 && count(data.testLabels, 0) > 0;
  return {
    test_auc: auc,
    test_auprc: hasBoth ? averagePrecision(data.testLabels, scores) : null,
    test_at_threshold: precisionRecallF1(data.testLabels, scores, threshold),
    test_scores: Array.from(scores, (s, i) => ({ index: data.testIndex[i], label: data.testLabels[i], class: data.testClasses[i], score: s })),
  };
}

/**
 * The run's pictures: the 32 most normal and most anomalous test images, or for tables (rows are no pictures) the
 * test scores by label as histograms with the threshold.
 */
export async function writePictures(xp: string, data: PreparedData, scores: Float32Array | Float64Array, threshold = 0): Promise<void> {
  if (data.info.kind === 'table') {
    await writeChartPng(path.join(xp, 'score_histogram.png'), scoreHistogramSpec(scores, data.testLabels, threshold, `${data.info.title}: test scores (dashed: threshold)`));
    return;
  }
  const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b]);
  const imgs = { pixels: data.testPixels, height: data.info.height, width: data.info.width, channels: data.info.channels };
  const k = Math.min(32, order.length);
  const normals = order.slice(0, k);
  const outliers = order.slice(order.length - k).reverse();
  writeImageGrid(path.join(xp, 'most_normal.png'), imgs, normals, normals.map((i) => data.testLabels[i]));
  writeImageGrid(path.join(xp, 'most_anomalous.png'), imgs, outliers, outliers.map((i) => data.testLabels[i]));
}

/** --in-name: a run folder, its model folder, or a name under log/. */
export function loadInitialWeights(name: string): { net: Network; note: string } {
  const candidates = [name, path.join(name, 'model'), path.join('log', name), path.join('log', name, 'model')];
  const dir = candidates.find((c) => fs.existsSync(path.join(c, 'model.json')));
  if (!dir) throw new UserError(`--in-name ${name}: no model.json in ${candidates.join(', ')}; give a finished run folder or its model/ folder`);
  const { meta, net } = loadModel(dir);
  return { net, note: `Loaded initial weights from ${dir} (${meta.net.role} of a ${meta.dataset} ${meta.loss} run)` };
}

export function interrupted(phase: Phase, epoch: number): Error {
  return new UserError(`interrupted by ${stopRequest.signal || 'a signal'} in ${phase === 'pretrain' ? 'pretraining' : 'training'}, epoch ${epoch + 1}: files written so far are kept; continue with --resume 1`, stopRequest.signal === 'SIGTERM' ? 143 : 130);
}

export function safeAuc(labels: Uint8Array, scores: ArrayLike<number>): number | null {
  return count(labels, 1) > 0 && count(labels, 0) > 0 ? rocAuc(labels, scores) : null;
}

export function fmtAuc(a: number | null | undefined): string {
  return a === null || a === undefined ? 'n/a (one class only in the test set)' : `${(100 * a).toFixed(2)}%`;
}

export function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return v.length ? s / v.length : NaN;
}

export function count(a: Uint8Array, v: number): number {
  let k = 0;
  for (const x of a) if (x === v) k++;
  return k;
}
