/**
 * The model folder: everything needed to score new data.
 *   model.json   network spec, c, R, objective, preprocessing constants, classes, config, weight manifest
 *   weights.bin  float32 little-endian values of every weight and batch-norm statistic, in manifest order
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { buildNetwork, namedTensors, type NetKind, type NetOptions, type NetRole, type Network } from '../nn/networks.js';
import { type GcnNorm } from '../data/preprocess.js';
import { type ZcaTransform } from '../data/zca.js';
import { UserError } from '../util/errors.js';
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
  objective?: 'one-class' | 'soft-boundary';
  nu?: number;
  c?: number[];
  R?: number;
  /** R² exactly as scores use it (score = d − R2) */
  R2?: number;
  /** decisions: score > threshold is an anomaly */
  threshold: number;
  aeLoss?: 'l2' | 'ce';
  preprocessing: { gcn: GcnNorm | 'none'; min: number; max: number; zca?: { file: string; d: number } };
  classes: { normal: number[]; outlier: number[]; names?: string[] };
  config: Record<string, unknown>;
  weights: WeightEntry[];
}

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
  const buf = fs.readFileSync(file);
  if (buf.byteLength !== 4 * (z.d + z.d * z.d)) throw new UserError(`${file} has ${buf.byteLength} bytes, not the ${4 * (z.d + z.d * z.d)} of a ${z.d}-dimensional whitening: the model folder is damaged`);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return { d: z.d, mean: all.slice(0, z.d), W: all.slice(z.d) };
}

/** Reads model.json and weights.bin, checks them, and builds the network with the saved weights. */
export function loadModel(dir: string): { meta: ModelMeta; net: Network } {
  const metaFile = path.join(dir, 'model.json');
  const binFile = path.join(dir, 'weights.bin');
  if (!fs.existsSync(metaFile)) throw new UserError(`${metaFile} not found: --model must be the model/ folder of a finished run`);
  let meta: ModelMeta;
  try {
    meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as ModelMeta;
  } catch {
    throw new UserError(`${metaFile} is not valid JSON: the model folder is damaged; retrain or restore it`);
  }
  if (meta.format !== MODEL_FORMAT) throw new UserError(`${metaFile} is not a deep-svdd model (format ${String(meta.format)})`);
  if (meta.version !== MODEL_VERSION) {
    throw new UserError(`${metaFile} has model format version ${meta.version}, this deep-svdd reads version ${MODEL_VERSION}: use the deep-svdd version that wrote it`);
  }
  if (!fs.existsSync(binFile)) throw new UserError(`${binFile} not found: the model folder is incomplete`);
  const buf = fs.readFileSync(binFile);
  const values = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const net = buildNetwork(meta.net.kind, meta.net.role, meta.net.options, makeRng(0));
  const byName = new Map(namedTensors(net));
  for (const w of meta.weights) {
    const v = byName.get(w.name);
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (!v || v.size !== size || w.offset + size > values.length) {
      net.dispose();
      throw new UserError(`${binFile} does not match model.json (weight ${w.name}): the model folder is damaged`);
    }
    v.assign(tf.tensor(values.subarray(w.offset, w.offset + size), v.shape));
    byName.delete(w.name);
  }
  if (byName.size > 0) {
    net.dispose();
    throw new UserError(`${metaFile} lacks weights ${[...byName.keys()].join(', ')}: the model folder is damaged`);
  }
  return { meta, net };
}
