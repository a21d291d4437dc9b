/**
 * A network's fused copy (./mlp-fused.ts, on the SIMD kernels of ./mlp-fused-simd.ts where they load): which networks
 * have one, and the copy of their TF.js weights and batch-norm running statistics. The fused training step
 * (src/train/fused-mlp-problem.ts) trains on it; the inference passes (src/eval/infer.ts) run its eval-mode forward
 * pass, about a tenth of the TF.js ops' time on a table's batch (src/backend/README.md). DEEP_SVDD_FUSED_MLP=0 turns
 * both off.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fusedPlan, type FusedLayer, type FusedMlp } from './mlp-fused.js';
import { fusedMlp } from './mlp-fused-simd.js';
import { layerSpecs, LEAKY_ALPHA, type Network } from './networks.js';

/** the environment variable that turns the fused passes off ("0") */
export const FUSED_MLP_ENV = 'DEEP_SVDD_FUSED_MLP';

/** Why this network has no fused copy (any backend, solver or objective), or undefined when it has one. */
export function fusedNetworkBlocker(net: Network): string | undefined {
  if (process.env[FUSED_MLP_ENV] === '0') return `${FUSED_MLP_ENV}=0`;
  if (!structureBlockers.has(net)) structureBlockers.set(net, structureBlocker(net));
  return structureBlockers.get(net);
}

/** a network's layers do not change: its structural blocker is worked out once (inference passes ask per call) */
const structureBlockers = new WeakMap<Network, string | undefined>();

function structureBlocker(net: Network): string | undefined {
  if (net.kind !== 'mlp') return `the ${net.kind} network is not an MLP`;
  const plan = fusedPlan(layerSpecs(net.kind, net.role, net.options));
  if (!plan) return 'a layer the fused step does not have';
  // the weights must be exactly the chain's dense weights, in order (no biases, no batch-norm scale and shift)
  if (net.params.length !== plan.length || net.params.some((p, i) => p.name !== `${plan[i].name}/w`)) {
    return 'weights besides the dense layers\' (biases or a batch-norm scale and shift)';
  }
  return undefined;
}

/** The network's chain of dense layers (check fusedNetworkBlocker first). */
export function fusedPlanOf(net: Network): FusedLayer[] {
  const plan = fusedPlan(layerSpecs(net.kind, net.role, net.options));
  if (!plan) throw new Error(`fused MLP: the ${net.kind} network is not a chain of dense layers`);
  return plan;
}

/** The network's TF.js variables that a fused copy holds, in the order of FusedWeights. */
function variablesOf(net: Network, plan: FusedLayer[]) {
  const bnByName = new Map(net.bns.map((b) => [b.name, b]));
  return {
    w: net.params.map((p) => p.variable),
    runningMean: plan.map((l) => (l.bn ? bnByName.get(l.bn)!.runningMean : undefined)),
    runningVar: plan.map((l) => (l.bn ? bnByName.get(l.bn)!.runningVar : undefined)),
  };
}

/** A fused copy of an MLP network: its weights and batch-norm running statistics, read from its TF.js variables. */
export function fusedMlpOf(net: Network, plan = fusedPlanOf(net)): FusedMlp {
  const v = variablesOf(net, plan);
  const read = (x: tf.Variable) => Float32Array.from(x.dataSync() as Float32Array);
  const weights = {
    w: v.w.map(read),
    runningMean: v.runningMean.map((x) => (x ? read(x) : undefined)),
    runningVar: v.runningVar.map((x) => (x ? read(x) : undefined)),
  };
  return fusedMlp(plan, net.options.leakyRelu ? LEAKY_ALPHA : 0, weights);
}

interface InferenceCopy {
  mlp: FusedMlp;
  /** the variables, flat: weights, running means, running variances (undefined where a layer has no batch norm) */
  vars: (tf.Variable | undefined)[];
  /** the arrays of mlp.weights they were copied into, in the same order */
  into: (Float32Array | undefined)[];
  /** each variable's dataId when it was copied: tf.Variable.assign gives a variable a new dataId */
  ids: unknown[];
}

/** one fused copy per network for the inference passes (making one allocates its WebAssembly memory) */
const inferenceCopies = new WeakMap<Network, InferenceCopy>();

/**
 * The network's fused copy for an inference pass, with its current weights and statistics: made once per network,
 * then each variable assigned since (a new dataId) copied in again (check fusedNetworkBlocker first).
 */
export function fusedInferenceCopy(net: Network): FusedMlp {
  let c = inferenceCopies.get(net);
  if (!c) {
    const v = variablesOf(net, fusedPlanOf(net));
    const mlp = fusedMlpOf(net);
    const vars = [...v.w, ...v.runningMean, ...v.runningVar];
    c = { mlp, vars, into: [...mlp.weights.w, ...mlp.weights.runningMean, ...mlp.weights.runningVar], ids: vars.map((x) => x?.dataId) };
    inferenceCopies.set(net, c);
    return mlp;
  }
  for (let i = 0; i < c.vars.length; i++) {
    const x = c.vars[i];
    if (!x || x.dataId === c.ids[i]) continue;
    c.into[i]!.set(x.dataSync() as Float32Array);
    c.ids[i] = x.dataId;
  }
  return c.mlp;
}
