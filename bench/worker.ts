/**
 * One benchmark configuration in a fresh process: `node dist/bench/worker.js '<job JSON>'`.
 * Prints one line `BENCH_RESULT {...}` (a StepResult, EpochResult or ErrorResult) and exits.
 *
 * Everything measured goes through the project's own code: selectBackend, buildNetwork, makeSolver('adam'),
 * svddProblem (one-class objective + weight penalty) / autoencoderProblem (l2 reconstruction + weight penalty), or for
 * the MLP their fused versions (fusedSvddProblem / fusedAutoencoderProblem),
 * squaredDistances / reconstructionErrors for the eval-mode inference pass, and runEpochs for full epochs.
 */
import readline from 'node:readline';
import * as tf from '@tensorflow/tfjs-core';
import { xnnpackThreadsFor } from '../src/backend/thread-policy.js';
import { selectBackend, type BackendInfo } from '../src/backend/select.js';
import { sliceBatch, type ImageSet } from '../src/data/batches.js';
import { prepareData } from '../src/data/datasets.js';
import { meanRepresentation, reconstructionErrors, squaredDistances, type InferencePath } from '../src/eval/infer.js';
import { fusedNetworkBlocker } from '../src/nn/mlp-fused-net.js';
import { buildNetwork, inputShape, type Network } from '../src/nn/networks.js';
import { autoencoderProblem } from '../src/train/autoencoder.js';
import { fusedAutoencoderBlocker, fusedAutoencoderProblem, fusedSvddBlocker, fusedSvddProblem } from '../src/train/fused-mlp-problem.js';
import { runEpochs, type EpochRow, type Problem } from '../src/train/loop.js';
import { centerEpsFix } from '../src/train/radius.js';
import { makeSolver } from '../src/train/solvers.js';
import { SvddState, svddProblem, type SvddSettings } from '../src/train/svdd.js';
import { UserError } from '../src/util/errors.js';
import { subRng } from '../src/util/rng.js';
import {
  NETWORKS, READY_LINE, RESULT_PREFIX, median, round,
  type BackendSummary, type EpochJob, type EpochResult, type Job, type NetworkId, type StepJob, type StepResult, type WorkerResult,
} from './types.js';

const LR = 1e-4;
/** batch size of the project's inference passes (--eval-batch-size default), used for the initial c pass */
const EVAL_BATCH = 1000;

function svddSettings(weightDecayC: number): SvddSettings {
  return {
    mode: 'one-class', nu: 0.1, weightDecayC, centerFixed: true,
    warmUpNEpochs: 10, kUpdateEpochs: 5, evalBatchSize: EVAL_BATCH,
  };
}

/** n synthetic images, uniform in [0, 1), from a small LCG (fast and reproducible). */
export function syntheticSet(n: number, height: number, width: number, channels: number, seed: number): ImageSet {
  const x = new Float32Array(n * height * width * channels);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 32;
  }
  return { x, n, height, width, channels };
}

function summarise(b: BackendInfo): BackendSummary {
  return { name: b.name, simd: b.simd, threads: b.threads, versions: b.versions, notes: b.notes };
}

function peakRssMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024); // maxRSS is in kilobytes
}

function makeNetwork(id: NetworkId, seed: number): Network {
  const spec = NETWORKS[id];
  return buildNetwork(spec.kind, spec.role, { repDim: spec.repDim, batchNorm: true, leakyRelu: true, ...spec.options }, subRng(seed, 'init'));
}

function nParams(net: Network): number {
  return net.params.reduce((s, p) => s + p.variable.size, 0);
}

/** Deep SVDD centre as the project computes it: mean eval-mode output over the set, |c_j| < 0.1 pushed to ±0.1. */
function initialCenter(net: Network, set: ImageSet): Float32Array {
  return centerEpsFix(meanRepresentation(net, set, EVAL_BATCH, -1, 'tfjs'));
}

/** the inference pass a job times: the fused forward pass when asked for (and the network has one), else TF.js ops */
function inferencePath(job: StepJob, net: Network): InferencePath {
  if (!job.fused) return 'tfjs';
  const blocker = fusedNetworkBlocker(net);
  if (blocker) throw new UserError(`the fused inference pass does not apply: ${blocker}`);
  return 'auto';
}

function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin });
    rl.once('line', () => { rl.close(); resolve(); });
    rl.once('close', () => resolve());
  });
}

async function stepBench(job: StepJob): Promise<StepResult> {
  const t0 = performance.now();
  const spec = NETWORKS[job.network];
  const backend = await selectBackend({ backend: job.backend, device: 'cpu', threads: job.threads, xnnpackThreads: xnnpackThreadsFor(spec.kind, job.threads) });
  const shape = inputShape(spec.kind, spec.options);
  const net = makeNetwork(job.network, job.seed);
  const set = syntheticSet(job.batch, shape.height, shape.width, shape.channels, job.seed);

  let step: () => number | undefined;
  if (job.mode === 'train') {
    const solver = makeSolver('adam');
    let problem: Problem;
    const ae = { loss: 'l2' as const, weightDecayC: spec.weightDecayC };
    if (spec.role === 'encoder') {
      const state = new SvddState(initialCenter(net, set), 0, { c: false, r: false });
      const settings = svddSettings(spec.weightDecayC);
      const blocker = job.fused ? fusedSvddBlocker(net, solver, settings) : undefined;
      if (blocker) throw new UserError(`the fused step does not apply: ${blocker}`);
      problem = job.fused ? fusedSvddProblem(net, set, state, settings, solver) : svddProblem(net, set, state, settings, solver);
    } else {
      const blocker = job.fused ? fusedAutoencoderBlocker(net, solver, ae) : undefined;
      if (blocker) throw new UserError(`the fused step does not apply: ${blocker}`);
      problem = job.fused ? fusedAutoencoderProblem(net, ae, solver) : autoencoderProblem(net, ae, solver);
    }
    const x = sliceBatch(set, 0, job.batch); // the batch stays on the backend: gathering is timed in the epoch runs
    const idx = Int32Array.from({ length: job.batch }, (_, i) => i);
    step = () => {
      // the fused step takes host rows (runEpochs then makes no tensor)
      const { loss } = problem.stepRows ? problem.stepRows(set.x, job.batch, LR, 0, idx) : problem.step(x, LR, 0, idx);
      if (!Number.isFinite(loss)) throw new Error(`the training loss is ${loss}`);
      return loss;
    };
  } else if (spec.role === 'encoder') {
    // fused: the eval-mode forward pass of the network's fused copy (an MLP), as the project's inference passes
    const c = tf.tensor1d(initialCenter(net, set));
    step = () => { squaredDistances(net, set, c, job.batch, inferencePath(job, net)); return undefined; };
  } else {
    step = () => { reconstructionErrors(net, set, job.batch, 'l2', inferencePath(job, net)); return undefined; };
  }
  const setupMs = performance.now() - t0;

  if (job.sync) {
    process.stdout.write(`${READY_LINE}\n`);
    await waitForGo();
  }
  const warmupMs: number[] = [];
  for (let i = 0; i < job.warmup; i++) {
    const s = performance.now();
    step();
    warmupMs.push(performance.now() - s);
  }
  const tensorsBefore = tf.memory().numTensors;
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const minSteps = Math.min(3, job.steps);
  const tStart = performance.now();
  let loss: number | undefined;
  for (let i = 0; i < job.steps; i++) {
    const c = process.cpuUsage();
    const s = performance.now();
    loss = step();
    times.push(performance.now() - s);
    const cpu = process.cpuUsage(c);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    if ((performance.now() - tStart) / 1000 > job.maxSeconds && times.length >= minSteps) break;
  }
  const med = median(times);
  return {
    kind: 'step', job, backend: summarise(backend), params: nParams(net),
    setupMs: round(setupMs, 0), warmupMs: warmupMs.map((t) => round(t, 1)),
    n: times.length, medianMs: round(med, 3), minMs: round(Math.min(...times), 3), maxMs: round(Math.max(...times), 2),
    meanMs: round(times.reduce((a, b) => a + b, 0) / times.length, 2), cpuMs: round(median(cpuTimes), 3),
    imgPerSec: round((job.batch / med) * 1000, 1),
    loss, tensorGrowth: tf.memory().numTensors - tensorsBefore, peakRssMB: peakRssMB(),
  };
}

async function epochBench(job: EpochJob): Promise<EpochResult> {
  const mnist = job.task.startsWith('mnist');
  const netKind = mnist ? 'mnist_LeNet' : 'cifar10_LeNet';
  const backend = await selectBackend({ backend: job.backend, device: 'cpu', threads: job.threads, xnnpackThreads: xnnpackThreadsFor(netKind, job.threads) });
  const tData = performance.now();
  let set: ImageSet;
  if (mnist) {
    const data = prepareData({ dataset: 'mnist', dataDir: job.dataDir, normal: [0], outlier: [-1], seed: job.seed, nTrain: job.nImages });
    set = data.train;
  } else {
    set = syntheticSet(job.nImages ?? 5000, 32, 32, 3, job.seed);
  }
  const dataSeconds = (performance.now() - tData) / 1000;
  const svdd = job.task.endsWith('svdd');
  const id: NetworkId = `${mnist ? 'mnist' : 'cifar'}-${svdd ? 'enc' : 'ae'}`;
  const spec = NETWORKS[id];
  const net = makeNetwork(id, job.seed);
  const solver = makeSolver('adam');
  const weights = net.params.map((p) => p.variable);
  let problem: Problem;
  let centerSeconds: number | undefined;
  if (svdd) {
    const t = performance.now();
    const state = new SvddState(initialCenter(net, set), 0, { c: false, r: false });
    centerSeconds = (performance.now() - t) / 1000;
    weights.push(state.c, state.rSquared);
    problem = svddProblem(net, set, state, svddSettings(spec.weightDecayC), solver);
  } else {
    problem = autoencoderProblem(net, { loss: 'l2', weightDecayC: spec.weightDecayC }, solver);
  }
  const rows: EpochRow[] = [];
  await runEpochs({
    phase: svdd ? 'train' : 'pretrain', set, batchSize: job.batch, nEpochs: job.epochs,
    schedule: { lr: LR, drop: false, dropInEpoch: 0, dropFactor: 10 }, rng: subRng(job.seed, 'shuffle'),
    problem, log: () => {}, onEpoch: (r) => rows.push(r), weights,
  });
  const epochSeconds = rows.map((r) => r.seconds);
  const spe = epochSeconds.length >= 2 ? median(epochSeconds.slice(1)) : epochSeconds[0];
  const nBatches = Math.ceil(set.n / job.batch) - (set.n % job.batch === 1 ? 1 : 0);
  return {
    kind: 'epoch', job, backend: summarise(backend), nImages: set.n, nBatches,
    dataSeconds: round(dataSeconds, 2), centerSeconds: centerSeconds === undefined ? undefined : round(centerSeconds, 2),
    epochSeconds: epochSeconds.map((s) => round(s, 2)), secondsPerEpoch: round(spe, 2),
    imgPerSec: round(set.n / spe, 1), losses: rows.map((r) => r.loss), peakRssMB: peakRssMB(),
  };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? 'null') as Job | null;
  if (!job || (job.kind !== 'step' && job.kind !== 'epoch')) {
    throw new Error('usage: node dist/bench/worker.js \'<job JSON>\' (started by dist/bench/bench.js)');
  }
  let result: WorkerResult;
  try {
    result = job.kind === 'step' ? await stepBench(job) : await epochBench(job);
  } catch (e) {
    const err = e as Error;
    const detail = err instanceof UserError ? undefined : err.stack?.split('\n').slice(0, 8).join('\n');
    result = { kind: 'error', job, error: err.message ?? String(e), detail };
  }
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`, () => process.exit(result.kind === 'error' ? 1 : 0));
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(2);
});
