/**
 * The first stage of a training run: every input read and checked (checkpoint, data files, backend, networks and
 * their batches in the wasm heap, --in-name) before the run folder is touched (train-run.ts commits it after this).
 */
import path from 'node:path';
import { type BackendInfo, selectBackend } from '../backend/select.js';
import { gcnFor, netOptionsFor } from '../config/network.js';
import { type TrainConfig } from '../config/options.js';
import { loadValidationData } from '../data/validation-data.js';
import { prepareData, type PreparedData } from '../data/datasets.js';
import { CHECKPOINT_FILE, readCheckpoint, resumeConflicts, type CheckpointHeader, type RunCheckpoint } from '../io/checkpoint.js';
import { buildNetwork, namedTensors, type Network } from '../nn/networks.js';
import { checkWasmHeap } from '../nn/wasm-memory.js';
import { UserError } from '../util/errors.js';
import { subRng } from '../util/rng.js';
import { loadInitialWeights } from './run-context.js';

/** What validateRun found and built: the checkpoint to resume from, the data, the backend, the networks. */
export interface Checked {
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
export async function validateRun(cfg: TrainConfig): Promise<Checked> {
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
  if (cfg.valData) {
    const testPaths = [cfg.dataFile, cfg.dataset === 'folder' ? cfg.dataDir : undefined].filter((p): p is string => p !== undefined);
    Object.assign(data, loadValidationData(cfg.valData, data, { labelColumn: cfg.labelColumn, testPaths }));
  }
  const dataSeconds = (performance.now() - t) / 1000;
  if (data.train.n < 2) throw new UserError(`the training set has ${data.train.n} image(s), batch norm needs at least 2: choose other --normal classes or a larger --n-train`);
  // after the data: the network decides how --threads are shared with XNNPACK (src/backend/thread-policy.ts)
  const backend = await selectBackend({ backend: cfg.backend, device: cfg.device, threads: cfg.threads, net: data.info.net });
  const netOptions = netOptionsFor(cfg, data.info.net, data.info.kind === 'table' ? data.info.channels : undefined);
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
