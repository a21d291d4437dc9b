/** A run's state in and out of its checkpoint (the format is checkpoint.ts): network, solver, Deep SVDD centre and R². */
import * as tf from '@tensorflow/tfjs-core';
import { namedTensors, type Network } from '../nn/networks.js';
import { type Solver, type SolverState } from '../train/solvers.js';
import { type SvddState } from '../train/svdd.js';
import { UserError } from '../util/errors.js';
import { writeCheckpoint, type CheckpointHeader, type CheckpointRecord, type RunCheckpoint } from './checkpoint.js';

/** Saves the loop position, weights, solver state (and c, R²) atomically. */
export function saveRunCheckpoint(file: string, record: CheckpointRecord, net: Network, solver: Solver, state?: SvddState): void {
  const tensors = namedTensors(net).map(([name, v]) => ({ name, v }));
  const arrays: Float32Array[] = tensors.map((x) => Float32Array.from(x.v.dataSync()));
  const s = solver.getState();
  const slotCounts: Record<string, number> = {};
  for (const [k, list] of Object.entries(s.slots)) { slotCounts[k] = list.length; arrays.push(...list); }
  if (state) arrays.push(state.center());
  writeCheckpoint<CheckpointHeader>(file, {
    version: 1, config: record.config, position: record.position, tensors: tensors.map((x) => ({ name: x.name, shape: x.v.shape })),
    solver: { t: s.t, slots: slotCounts }, r2: state ? state.radiusSquared : undefined,
    rows: record.rows, results: record.results, timings: record.timings, elapsed_s: record.elapsed_s,
  }, arrays);
}

/** Restores weights and solver state from the checkpoint; returns c when the checkpoint has one. */
export function restoreRunCheckpoint(cp: RunCheckpoint, net: Network, solver: Solver, where: string): Float32Array | undefined {
  const { header, arrays } = cp;
  const byName = new Map(namedTensors(net));
  let k = 0;
  for (const t of header.tensors) {
    const v = byName.get(t.name);
    if (!v) throw new UserError(`the checkpoint in ${where} does not fit this network (${t.name}); start the run again with --force 1`);
    tf.tidy(() => v.assign(tf.tensor(arrays[k++], v.shape)));
  }
  const slots: SolverState['slots'] = {};
  for (const [name, n] of Object.entries(header.solver.slots)) slots[name] = arrays.slice(k, (k += n));
  solver.setState({ t: header.solver.t, slots });
  return k < arrays.length ? arrays[k] : undefined;
}
