/**
 * checkpoint.bin: everything needed to continue a run exactly — loop position (epoch, batch, order-generator
 * state), network weights and batch-norm statistics, optimiser state, c and R², the epoch rows and results so far.
 * One file, written atomically: [uint32 LE header length][JSON header, space-padded to 4 bytes][float32 data].
 */
import fs from 'node:fs';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from './atomic.js';

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
  const buf = fs.readFileSync(file);
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
