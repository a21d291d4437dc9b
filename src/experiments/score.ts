/**
 * Scores new images with a saved model folder (model.json + weights.bin), exactly as the training run scored its
 * test set: /255 → GCN (the saved norm, or none) → ZCA whitening (model/zca.bin, when the run used it) → min–max
 * with the SAVED training min/max → network in eval mode →
 *   svdd:        score = ‖φ(x) − c‖² − R²
 *   autoencoder: score = reconstruction error
 * and anomaly iff score > threshold (the model's, or --threshold: a number, or a mode chosen again from the model). Table models (src/data/tables.ts) read rows (.csv with the model's feature columns,
 * .npy, .mat) and scale each feature with the training split's saved constants instead of the image steps. The TF.js backend must already be selected (selectBackend); it need not be
 * the one that trained the model (the weights are plain float32).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type ImageSet } from '../data/batches.js';
import { readInputs } from '../data/inputs.js';
import { readRowsToScore } from '../data/table-rows.js';
import { applyTableScaler } from '../data/table-prep.js';
import { applyMinMaxInPlace, gcnInPlace, toUnitScale } from '../data/preprocess.js';
import { reconstructionErrors, squaredDistances } from '../eval/infer.js';
import { applyZca } from '../data/zca.js';
import { loadModel, readZca, type ModelMeta } from '../io/model.js';
import { inputShape, type InputShape, type Network } from '../nn/networks.js';
import { pickThreshold, type ThresholdMode } from '../eval/thresholds.js';
import { UserError } from '../util/errors.js';

export interface ScoreOptions {
  /** the model/ folder of a finished run */
  modelDir: string;
  /** IDX images file, .png file, or folder of .png files */
  input: string;
  /** inference batch size (default 1000) */
  batchSize?: number;
  /** --threshold: a mode (quantile, fpr, f1) chosen again from what the model keeps, or a score cut; default the model's */
  threshold?: ThresholdMode | number;
  /** --target-fpr for --threshold fpr (default the model's, else 0.05) */
  targetFpr?: number;
}

export interface ScoreResult {
  ids: string[];
  scores: Float32Array;
  /** 1 = anomaly (score > threshold), 0 = normal */
  anomalies: Uint8Array;
  /** the cut used, and how it was chosen ("the model's (quantile)", "f1", "a number") */
  threshold: number;
  thresholdHow: string;
  meta: ModelMeta;
  /** the input shape the images were converted to */
  shape: InputShape;
}

export function scoreInputs(opts: ScoreOptions): ScoreResult {
  const batchSize = opts.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UserError(`--batch-size ${batchSize} is invalid: use a whole number ≥ 1`);
  precheckModelDir(opts.modelDir);
  const { meta, net } = loadModel(opts.modelDir);
  try {
    resolveThreshold(opts, meta); // a mode the model cannot serve stops before any input is read
    const shape = inputShape(meta.net.kind, meta.net.options);
    const table = meta.preprocessing.table;
    if (table) {
      // table rows: the model's feature columns, scaled with the training split's constants
      const rows = readRowsToScore(opts.input, table.features);
      const set: ImageSet = { x: applyTableScaler(rows.x, rows.n, table.features.length, table), n: rows.n, ...shape };
      return decide(opts, meta, rows.ids, computeScores(net, meta, set, batchSize), shape);
    }
    const images = readInputs(opts.input, shape);
    const d = shape.height * shape.width * shape.channels;
    // exactly the training preprocessing, with the constants saved from the training set
    const x = toUnitScale(images.pixels);
    const gcn = meta.preprocessing.gcn ?? 'l1';
    if (gcn !== 'none') gcnInPlace(x, d, gcn);
    const zca = readZca(opts.modelDir, meta);
    if (zca) applyZca(x, zca);
    applyMinMaxInPlace(x, meta.preprocessing.min, meta.preprocessing.max);
    const set: ImageSet = { x, n: images.n, ...shape };
    return decide(opts, meta, images.ids, computeScores(net, meta, set, batchSize), shape);
  } finally {
    net.dispose();
  }
}

/** Decisions by the model's threshold (after a check that every score is finite). */
function decide(opts: ScoreOptions, meta: ModelMeta, ids: string[], scores: Float32Array, shape: InputShape): ScoreResult {
  const bad = scores.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new UserError(`${path.join(opts.modelDir, 'model.json')}: the model gives a non-finite score (${scores[bad]}) for input ${ids[bad]}: its weights or constants are unusable; retrain it`);
  }
  const { threshold, how } = resolveThreshold(opts, meta);
  const anomalies = Uint8Array.from(scores, (s) => (s > threshold ? 1 : 0));
  return { ids, scores, anomalies, meta, shape, threshold, thresholdHow: how };
}

/** The default quantile-mode FPR target of `score --threshold fpr` when the model recorded none. */
export const DEFAULT_TARGET_FPR = 0.05;

/**
 * The cut of a scoring run: the model's own, a number, or a mode chosen again from what the model keeps (its
 * quantile cut; its validation scores for fpr and f1). A mode the model cannot serve is a one-line UserError.
 */
export function resolveThreshold(opts: Pick<ScoreOptions, 'modelDir' | 'threshold' | 'targetFpr'>, meta: ModelMeta): { threshold: number; how: string } {
  const choice = meta.thresholdChoice;
  const t = opts.threshold;
  if (t === undefined) return { threshold: meta.threshold, how: `the model's${choice ? `, --threshold ${choice.mode}` : ''}` };
  if (typeof t === 'number') return { threshold: t, how: '--threshold as given' };
  const v = choice?.validation;
  if (t !== 'quantile' && !v) {
    throw new UserError(`--threshold ${t}: ${path.join(opts.modelDir, 'model.json')} keeps no validation scores to choose on (trained without --val-frac): retrain with --val-frac 0.1, or give --threshold quantile or a number`);
  }
  const targetFpr = opts.targetFpr ?? choice?.targetFpr ?? DEFAULT_TARGET_FPR;
  // models from before thresholdChoice: their threshold is the quantile cut (Deep SVDD 0, the DCAE its quantile)
  const picked = pickThreshold(t, { quantile: choice?.quantile ?? meta.threshold, targetFpr, labels: v?.labels ?? [], scores: v?.scores ?? [] });
  if ('missing' in picked) throw new UserError(`--threshold ${t}: in ${path.join(opts.modelDir, 'model.json')} ${picked.missing}: retrain with --val-contamination 0.1 (and --val-frac), or give --threshold quantile, fpr or a number`);
  return { threshold: picked.threshold, how: `--threshold ${t}${t === 'fpr' ? ` --target-fpr ${targetFpr}` : ''}` };
}

function computeScores(net: Network, meta: ModelMeta, set: ImageSet, batchSize: number): Float32Array {
  if (meta.loss === 'autoencoder') return reconstructionErrors(net, set, batchSize, meta.aeLoss ?? 'l2');
  const c = tf.tensor1d(meta.c!);
  try {
    const dist = squaredDistances(net, set, c, batchSize);
    const R2 = meta.R2 ?? meta.R! * meta.R!;
    return Float32Array.from(dist, (v) => v - R2); // as train-run.ts: float64 difference, stored as float32
  } finally {
    c.dispose();
  }
}

/** The folder itself, before loadModel's checks of model.json and weights.bin. */
export function precheckModelDir(dir: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new UserError(`--model ${dir}: model folder not found: give the model/ folder of a finished run (<run>/model)`);
  }
  if (!st.isDirectory()) throw new UserError(`--model ${dir}: is a file, not a folder: give the model/ folder of a finished run (<run>/model)`);
  if (!fs.existsSync(path.join(dir, 'model.json')) && fs.existsSync(path.join(dir, 'model', 'model.json'))) {
    throw new UserError(`--model ${dir}: is a run folder, not a model folder: use --model ${path.join(dir, 'model')}`);
  }
}
