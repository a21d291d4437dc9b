/**
 * checkpoint.bin: everything needed to continue a run exactly — loop position (epoch, batch, order-generator
 * state), network weights and batch-norm statistics, optimiser state, c and R², the epoch rows and results so far.
 * One file, written atomically: [uint32 LE header length][JSON header, space-padded to 4 bytes][float32 data].
 * The arrays, in order: the network's named tensors (header.tensors), the solver's slots (header.solver.slots, per
 * slot name that many arrays), then c when the Deep SVDD stage is running (checkpoint-state.ts writes and reads them).
 * Free of TF.js, so that a sweep can look for checkpoints without loading it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type TrainConfig } from '../config/options.js';
import { type EpochRow, type LoopPosition } from '../train/loop.js';
import { UserError } from '../util/errors.js';
import { readFailure, readRegular } from '../util/files.js';
import { writeFileAtomic } from './atomic.js';
import { type RunResults } from './results.js';

export const CHECKPOINT_FILE = 'checkpoint.bin';

export interface ArrayRef { offset: number; length: number }

export interface CheckpointFile<H> { header: H; arrays: Float32Array[] }

export function writeCheckpoint<H extends object>(file: string, header: H, arrays: Float32Array[]): void {
  const refs: ArrayRef[] = [];
  let offset = 0;
  for (const a of arrays) { refs.push({ offset, length: a.length }); offset += a.length; }
  let json = JSON.stringify({ header, refs });
  json += ' '.repeat((4 - ((4 + Buffer.byteLength(json)) % 4)) % 4);
  const jsonBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(4 + jsonBytes.length + offset * 4);
  new DataView(out.buffer).setUint32(0, jsonBytes.length, true);
  out.set(jsonBytes, 4);
  const data = new Float32Array(out.buffer, 4 + jsonBytes.length, offset);
  for (let i = 0; i < arrays.length; i++) data.set(arrays[i], refs[i].offset);
  writeFileAtomic(file, out);
}

export function readCheckpoint<H>(file: string): CheckpointFile<H> {
  if (!fs.existsSync(file)) throw new UserError(`no checkpoint at ${file}: there is nothing to resume; start the run without --resume 1`);
  let buf: Buffer;
  try {
    buf = readRegular(file);
  } catch (e) {
    throw new UserError(`${file}: cannot read it (${readFailure(e)}): it cannot be resumed; start the run again with --force 1`);
  }
  try {
    const len = buf.readUInt32LE(0);
    const { header, refs } = JSON.parse(buf.subarray(4, 4 + len).toString('utf8')) as { header: H; refs: ArrayRef[] };
    const base = 4 + len;
    const all = new Float32Array(buf.buffer.slice(buf.byteOffset + base, buf.byteOffset + buf.byteLength));
    const arrays = refs.map((r) => {
      if (r.offset + r.length > all.length) throw new Error('short');
      return all.slice(r.offset, r.offset + r.length);
    });
    return { header, arrays };
  } catch {
    throw new UserError(`${file} is damaged: it cannot be resumed; start the run again with --force 1`);
  }
}

// ------------------------------------------------------------------------------------------------ a run's checkpoint

/** What a run's checkpoint holds besides the arrays (weights, BN statistics, solver slots, c). */
export interface CheckpointHeader {
  version: 1;
  config: TrainConfig;
  position: LoopPosition;
  tensors: Array<{ name: string; shape: number[] }>;
  solver: { t: number; slots: Record<string, number> };
  r2?: number;
  rows: EpochRow[];
  results: Partial<RunResults>;
  timings: Record<string, number>;
  /** wall seconds of the run so far, over all its resumptions */
  elapsed_s: number;
}

export type RunCheckpoint = CheckpointFile<CheckpointHeader>;

/** What a checkpoint records besides the network, its solver and the Deep SVDD state. */
export type CheckpointRecord = Pick<CheckpointHeader, 'config' | 'position' | 'rows' | 'results' | 'timings' | 'elapsed_s'>;

/**
 * Settings that may differ between an interrupted run and its resumption. The run folder is one of them: the
 * checkpoint was found in it, so it is the run, however the folder is spelt (`./k1/`, `k1`, an absolute path) or
 * wherever it was moved.
 */
const RESUME_FREE = new Set(['resume', 'force', 'threads', 'backend', 'device', 'xpDir']);

/** Options that name paths, compared by their normalised spelling (`./data/` is `data`). */
const PATH_KEYS = new Set(['dataDir', 'inName']);

function comparable(key: string, v: unknown): string {
  if (PATH_KEYS.has(key) && typeof v === 'string') return JSON.stringify(path.normalize(v).replace(/(.)[\\/]+$/, '$1'));
  return JSON.stringify(v);
}

/** The flags (as typed, e.g. `--n-epochs`) whose values differ between a resumption and its checkpoint. */
export function resumeConflicts(cfg: TrainConfig, header: CheckpointHeader): string[] {
  const now = cfg as unknown as Record<string, unknown>;
  const then = header.config as unknown as Record<string, unknown>;
  return Object.keys(cfg).filter((k) => !RESUME_FREE.has(k) && comparable(k, now[k]) !== comparable(k, then[k]))
    .map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
}
