/**
 * The model folder: everything needed to score new data.
 *   model.json   network spec, c, R, objective, preprocessing constants, classes, config, weight manifest
 *   weights.bin  float32 little-endian values of every weight and batch-norm statistic, in manifest order
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { isNetKind, NETWORKS } from '../nn/architectures.js';
import { ARCHITECTURES, buildNetwork, inputShape, MAX_REP_DIM, namedTensors, type NetKind, type NetOptions, type NetRole, type Network } from '../nn/networks.js';
import { type GcnNorm } from '../data/preprocess.js';
import { type ZcaTransform } from '../data/zca.js';
import { isThresholdMode, type ThresholdMode } from '../eval/thresholds.js';
import { UserError } from '../util/errors.js';
import { readFailure, readRegular } from '../util/files.js';
import { makeRng } from '../util/rng.js';
import { ensureDir, writeFileAtomic, writeJsonAtomic } from './atomic.js';

export const MODEL_FORMAT = 'deep-svdd-model';
export const MODEL_VERSION = 1;

export interface WeightEntry { name: string; shape: number[]; offset: number }

export interface ModelMeta {
  format: typeof MODEL_FORMAT;
  version: number;
  created: string;
  dataset: string;
  net: { kind: NetKind; role: NetRole; options: NetOptions };
  /** 'svdd' scores d − R²; 'autoencoder' scores the reconstruction error */
  loss: 'svdd' | 'autoencoder';
  /** the Deep SVDD-stage objective (src/train/objectives.ts); every one scores d − R² */
  objective?: 'one-class' | 'soft-boundary' | 'deep-sad';
  nu?: number;
  c?: number[];
  R?: number;
  /** R² exactly as scores use it (score = d − R2) */
  R2?: number;
  /** decisions: score > threshold is an anomaly */
  threshold: number;
  /** where `threshold` came from, and what `score --threshold MODE` needs to choose another (absent in older models) */
  thresholdChoice?: ThresholdChoice;
  aeLoss?: 'l2' | 'ce';
  preprocessing: {
    gcn: GcnNorm | 'none'; min: number; max: number; zca?: { file: string; d: number };
    /** tables: per-feature standardisation, then min–max, fitted on the training split (src/data/tables.ts) */
    table?: { mean: number[]; std: number[]; min: number[]; max: number[]; features: string[] };
  };
  classes: { normal: number[]; outlier: number[]; names?: string[] };
  config: Record<string, unknown>;
  weights: WeightEntry[];
}

/**
 * How a model's threshold was chosen (src/experiments/threshold-choice.ts): the mode that chose it, the quantile
 * mode's cut (always known), the FPR target, a fallback note, and the validation split's scores with their 0/1
 * labels, from which `score --threshold fpr|f1` chooses again (absent without a validation split).
 */
export interface ThresholdChoice {
  mode: ThresholdMode;
  quantile: number;
  targetFpr?: number;
  fallback?: string;
  validation?: { scores: number[]; labels: number[] };
}

/** What is wrong with a model.json's thresholdChoice, or undefined. */
function thresholdChoiceProblem(t: unknown): string | undefined {
  if (!isObject(t) || !isThresholdMode(t.mode) || !finite(t.quantile)) return 'the threshold choice is not a mode with a finite quantile cut';
  if (t.targetFpr !== undefined && !(finite(t.targetFpr) && t.targetFpr >= 0 && t.targetFpr < 1)) return `the target false-positive rate ${String(t.targetFpr)} is not in [0, 1)`;
  if (t.fallback !== undefined && typeof t.fallback !== 'string') return 'the threshold fallback note is not text';
  const v = t.validation;
  if (v === undefined) return undefined;
  if (!isObject(v) || !Array.isArray(v.scores) || !Array.isArray(v.labels) || v.scores.length !== v.labels.length || v.scores.length > MAX_VALIDATION
    || !v.scores.every(finite) || !v.labels.every((l) => l === 0 || l === 1)) {
    return 'the validation scores are not finite numbers with one 0/1 label each';
  }
  return undefined;
}

/** More validation scores than model.json carries (a validation split of 100,000 images is already far more). */
const MAX_VALIDATION = 200_000;

export function saveModel(dir: string, net: Network, meta: Omit<ModelMeta, 'format' | 'version' | 'weights' | 'created' | 'net'>): void {
  ensureDir(dir);
  const entries: WeightEntry[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [name, v] of namedTensors(net)) {
    const data = v.dataSync() as Float32Array;
    entries.push({ name, shape: v.shape, offset });
    chunks.push(Float32Array.from(data));
    offset += data.length;
  }
  const all = new Float32Array(offset);
  let o = 0;
  for (const c of chunks) { all.set(c, o); o += c.length; }
  writeFileAtomic(path.join(dir, 'weights.bin'), new Uint8Array(all.buffer));
  const full: ModelMeta = {
    format: MODEL_FORMAT, version: MODEL_VERSION, created: new Date().toISOString(),
    net: { kind: net.kind, role: net.role, options: net.options }, ...meta, weights: entries,
  };
  writeJsonAtomic(path.join(dir, 'model.json'), full);
}

/** The ZCA whitening of a model (--zca-whitening 1): `file` holds the D means then the D × D matrix, float32 LE. */
export const ZCA_FILE = 'zca.bin';

export function writeZca(dir: string, t: ZcaTransform): { file: string; d: number } {
  ensureDir(dir);
  const all = new Float32Array(t.d + t.d * t.d);
  all.set(t.mean); all.set(t.W, t.d);
  writeFileAtomic(path.join(dir, ZCA_FILE), new Uint8Array(all.buffer));
  return { file: ZCA_FILE, d: t.d };
}

export function readZca(dir: string, meta: ModelMeta): ZcaTransform | undefined {
  const z = meta.preprocessing.zca;
  if (!z) return undefined;
  const file = path.join(dir, path.basename(z.file));
  if (!fs.existsSync(file)) throw new UserError(`${file} not found: the model was trained with --zca-whitening 1 and needs it; the model folder is incomplete`);
  const buf = readModelFile(file, 4 * (z.d + z.d * z.d));
  if (buf.byteLength !== 4 * (z.d + z.d * z.d)) throw new UserError(`${file} has ${buf.byteLength} bytes, not the ${4 * (z.d + z.d * z.d)} of a ${z.d}-dimensional whitening: the model folder is damaged`);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return { d: z.d, mean: all.slice(0, z.d), W: all.slice(z.d) };
}

/** model.json of `dir`, fully checked (types, ranges, shapes, finite numbers) before anything is built from it. */
export function readModelMeta(dir: string): ModelMeta {
  const metaFile = path.join(dir, 'model.json');
  let st: fs.Stats;
  try { st = fs.statSync(metaFile); } catch { throw new UserError(`${metaFile} not found: --model must be the model/ folder of a finished run`); }
  if (!st.isFile()) throw new UserError(`${metaFile} is not a file: the model folder is damaged; retrain or restore it`);
  if (st.size > MAX_META_BYTES) throw new UserError(`${metaFile} is ${st.size} bytes, more than a model.json holds (${MAX_META_BYTES}): the model folder is damaged; retrain or restore it`);
  let meta: ModelMeta;
  try {
    meta = JSON.parse(readModelFile(metaFile, MAX_META_BYTES).toString('utf8')) as ModelMeta;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${metaFile} is not valid JSON: the model folder is damaged; retrain or restore it`);
  }
  if (!isObject(meta) || meta.format !== MODEL_FORMAT) throw new UserError(`${metaFile} is not a deep-svdd model (format ${String(isObject(meta) ? meta.format : meta)})`);
  if (meta.version !== MODEL_VERSION) {
    throw new UserError(`${metaFile} has model format version ${String(meta.version)}, this deep-svdd reads version ${MODEL_VERSION}: use the deep-svdd version that wrote it`);
  }
  const problem = metaProblem(meta);
  if (problem) throw new UserError(`${metaFile}: ${problem}: the model folder is damaged; retrain or restore it`);
  return meta;
}

/** A file of a model folder (regular, at most `maxBytes`), or a one-line UserError. */
function readModelFile(file: string, maxBytes: number): Buffer {
  try {
    return readRegular(file, maxBytes);
  } catch (e) {
    throw new UserError(`${file}: cannot read it (${readFailure(e)}): the model folder is damaged; retrain or restore it`);
  }
}

/** model.json is small (the config and a manifest); anything larger is not one. */
const MAX_META_BYTES = 16 * 1024 * 1024;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const count = (v: unknown, max: number): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;

/** What is wrong with a parsed model.json, or undefined. */
export function metaProblem(meta: ModelMeta): string | undefined {
  const net = meta.net as unknown;
  if (!isObject(net) || !isNetKind(net.kind)) return `unknown network ${String(isObject(net) ? net.kind : net)}`;
  if (net.role !== 'encoder' && net.role !== 'autoencoder') return `unknown network role ${String(net.role)}`;
  const o = net.options;
  if (!isObject(o)) return 'the network options are missing';
  if (!count(o.repDim, MAX_REP_DIM) || (o.repDim as number) < 1) return `the representation size ${String(o.repDim)} is not a whole number from 1 to ${MAX_REP_DIM}`;
  if (typeof o.batchNorm !== 'boolean' || typeof o.leakyRelu !== 'boolean') return 'the network options batchNorm / leakyRelu are not true or false';
  const netProblem = NETWORKS[net.kind].check(o as unknown as NetOptions, net.role);
  if (netProblem) return netProblem;
  const p = meta.preprocessing as unknown;
  if (!isObject(p) || !finite(p.min) || !finite(p.max) || !(p.max > p.min)) return 'the preprocessing min/max constants are missing or invalid';
  if (p.gcn !== undefined && !['l1', 'l2', 'std', 'none'].includes(p.gcn as string)) return `unknown contrast normalization ${String(p.gcn)}`;
  if (p.zca !== undefined) {
    const shape = inputShape(net.kind, o as Partial<NetOptions>);
    const d = shape.height * shape.width * shape.channels;
    if (!isObject(p.zca) || typeof p.zca.file !== 'string' || p.zca.d !== d) return `the ZCA whitening is not a ${d}-dimensional one`;
  }
  if (p.table !== undefined) {
    const t = p.table;
    const d = (o as Partial<NetOptions>).inputDim;
    const vec = (v: unknown) => Array.isArray(v) && v.length === d && v.every(finite);
    if (!isObject(t) || !vec(t.mean) || !vec(t.std) || !vec(t.min) || !vec(t.max) || !Array.isArray(t.features) || t.features.length !== d || !t.features.every((f) => typeof f === 'string')) {
      return `the table scaling constants are not ${String(d)} finite numbers each with ${String(d)} feature names`;
    }
  } else if (net.kind === 'mlp') {
    return 'an MLP model has no table scaling constants';
  }
  if (o.architecture !== undefined && !(Number.isInteger(o.architecture) && ARCHITECTURES[net.kind as NetKind].includes(o.architecture as number))) return `unknown architecture ${String(o.architecture)}`;
  if ((o.bias !== undefined && typeof o.bias !== 'boolean') || (o.bnAffine !== undefined && typeof o.bnAffine !== 'boolean')) return 'the network options bias / bnAffine are not true or false';
  if (!finite(meta.threshold)) return 'the threshold is missing or not a finite number';
  if (meta.thresholdChoice !== undefined) {
    const problem = thresholdChoiceProblem(meta.thresholdChoice);
    if (problem) return problem;
  }
  if (meta.loss === 'svdd') {
    if (net.role !== 'encoder') return 'a Deep SVDD model must hold an encoder';
    if (!Array.isArray(meta.c) || meta.c.length !== o.repDim || !meta.c.every(finite)) return `the centre c is missing or not ${o.repDim} finite numbers`;
    if (!finite(meta.R) || meta.R < 0) return 'the radius R is missing or not a finite number ≥ 0';
    if (meta.R2 !== undefined && (!finite(meta.R2) || meta.R2 < 0)) return 'R2 is not a finite number ≥ 0';
    if (meta.nu !== undefined && !(finite(meta.nu) && meta.nu > 0 && meta.nu <= 1)) return `nu ${String(meta.nu)} is not in (0, 1]`;
  } else if (meta.loss === 'autoencoder') {
    if (net.role !== 'autoencoder') return 'an autoencoder model must hold an autoencoder';
    if (meta.aeLoss !== undefined && meta.aeLoss !== 'l2' && meta.aeLoss !== 'ce') return `unknown reconstruction loss ${String(meta.aeLoss)}`;
  } else {
    return `unknown loss ${String(meta.loss)}`;
  }
  const cl = meta.classes as unknown;
  if (cl !== undefined) {
    if (!isObject(cl) || !Array.isArray(cl.normal) || !Array.isArray(cl.outlier) || ![...cl.normal, ...cl.outlier].every((c) => Number.isInteger(c) && c >= -1 && c < 256)) return 'the classes are not lists of class indices';
    if (cl.names !== undefined && (!Array.isArray(cl.names) || cl.names.length > 256 || !cl.names.every((n) => typeof n === 'string'))) return 'the class names are not a list of strings';
  }
  if (!Array.isArray(meta.weights) || meta.weights.length > 1000) return 'the weight manifest is missing';
  for (const w of meta.weights as unknown[]) {
    if (!isObject(w) || typeof w.name !== 'string' || !count(w.offset, MAX_WEIGHT_VALUES) || !Array.isArray(w.shape) || w.shape.length > 4 || !w.shape.every((d) => count(d, MAX_WEIGHT_VALUES))) {
      return `the weight manifest entry ${isObject(w) ? String(w.name) : ''} is malformed`;
    }
    if ((w.shape as number[]).reduce((a, b) => a * b, 1) > MAX_WEIGHT_VALUES) return `weight ${w.name} is larger than any network holds`;
  }
  if (manifestValues(meta) > MAX_WEIGHT_VALUES) return 'the weight manifest lists more values than any network holds';
  return undefined;
}

/** More values than the largest network (CIFAR-10 autoencoder at MAX_REP_DIM) holds: a manifest beyond is not ours. */
const MAX_WEIGHT_VALUES = 32 * 1024 * 1024;

/** Number of float32 values model.json lists. */
export function manifestValues(meta: ModelMeta): number {
  return meta.weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
}

/** Reads model.json and weights.bin, checks them (weights.bin's size and finite values), and builds the network. */
export function loadModel(dir: string): { meta: ModelMeta; net: Network } {
  const metaFile = path.join(dir, 'model.json');
  const binFile = path.join(dir, 'weights.bin');
  const meta = readModelMeta(dir);
  let size: number;
  try { size = fs.statSync(binFile).size; } catch { throw new UserError(`${binFile} not found: the model folder is incomplete`); }
  const nValues = manifestValues(meta);
  if (size !== nValues * 4) {
    throw new UserError(`${binFile} has ${size} bytes but model.json lists ${nValues} float32 values (${nValues * 4} bytes): the model folder is damaged; retrain or restore it`);
  }
  const buf = readModelFile(binFile, nValues * 4);
  if (buf.byteLength !== nValues * 4) throw new UserError(`${binFile} changed while it was read: run the command again`);
  const values = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const w = meta.weights.find((e) => i >= e.offset && i < e.offset + e.shape.reduce((a, b) => a * b, 1));
      throw new UserError(`${binFile} holds a non-finite value (${values[i]}) in weight ${w?.name ?? `at value ${i}`}: the model is unusable; retrain it`);
    }
  }
  const net = buildNetwork(meta.net.kind, meta.net.role, meta.net.options, makeRng(0));
  const byName = new Map(namedTensors(net));
  for (const w of meta.weights) {
    const v = byName.get(w.name);
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (!v || v.size !== n || w.offset + n > values.length) {
      net.dispose();
      throw new UserError(`${binFile} does not match model.json (weight ${w.name}): the model folder is damaged`);
    }
    v.assign(tf.tensor(values.subarray(w.offset, w.offset + n), v.shape));
    byName.delete(w.name);
  }
  if (byName.size > 0) {
    net.dispose();
    throw new UserError(`${metaFile} lacks weights ${[...byName.keys()].join(', ')}: the model folder is damaged`);
  }
  return { meta, net };
}
