/**
 * The LeNet-type networks of Deep SVDD (Ruff et al. 2018, as in the authors' PyTorch port), as plain TF.js ops:
 * bias-free convolutions and dense layers, batch norm without affine parameters (eps 1e-4), leaky ReLU 0.01,
 * 2×2 max pooling, nearest-neighbour upsampling. Tensors are NHWC. The original code's other networks
 * (original-architectures.ts), biases and a learned batch-norm scale and shift are options (NetOptions); at their defaults the
 * networks are exactly these.
 *
 * The encoder half of each autoencoder uses the same layer names as the encoder network, so pretrained weights
 * and batch-norm statistics transfer by name.
 */
import * as tf from '@tensorflow/tfjs-core';
import { leakyRelu } from '../backend/js-kernels.js';
import { type Rng } from '../util/rng.js';
import { ARCHITECTURES, inputShape, NET_KINDS, NETWORKS, type InputShape, type NetKind, type NetOptions, type NetRole } from './architectures.js';
import { type LayerSpec } from './layers.js';
import { batchNormEval, batchNormTrain, BN_EPS, BN_MOMENTUM, makeBatchNorm, type BatchNormState } from './batchnorm.js';

/** leaky-ReLU slope of the reference code (TF.js defaults to 0.3) */
export const LEAKY_ALPHA = 0.01;

export { ARCHITECTURES, inputShape, NET_KINDS, type InputShape, type LayerSpec, type NetKind, type NetOptions, type NetRole };

/** the largest representation a model may declare (model.json is checked against it before any tensor is built) */
export const MAX_REP_DIM = 4096;

export interface Param {
  name: string;
  variable: tf.Variable;
  /** weights of conv/dense layers: the ones the weight-decay penalty covers */
  decay: boolean;
}

export interface Network {
  kind: NetKind;
  role: NetRole;
  options: NetOptions;
  input: InputShape;
  params: Param[];
  bns: BatchNormState[];
  /** output: representation [n, repDim] (encoder) or reconstruction [n, h, w, c] (autoencoder) */
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor;
  dispose(): void;
}

/** The layers of a network, from its registry entry (architectures.ts). */
export function layerSpecs(kind: NetKind, role: NetRole, o: NetOptions): LayerSpec[] {
  const arch = o.architecture ?? ARCHITECTURES[kind][0];
  if (!ARCHITECTURES[kind].includes(arch)) throw new Error(`${kind} has no architecture ${arch} (${ARCHITECTURES[kind].join(', ')})`);
  const problem = NETWORKS[kind].check(o, role);
  if (problem) throw new Error(`${kind}: ${problem}`);
  return NETWORKS[kind].layers(role, o);
}

const LEAKY_GAIN = Math.sqrt(2 / (1 + 0.01 ** 2));

function uniform(shape: number[], bound: number, rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (2 * rng.next() - 1) * bound;
  return tf.tensor(v, shape);
}

/**
 * Initial weights as in the PyTorch port: autoencoder (de)convolutions Xavier-uniform with the leaky-ReLU gain;
 * dense layers and the stand-alone encoder's convolutions PyTorch's default, U(±1/√fan_in); layers with init 'torch'
 * (Deep SAD's networks) PyTorch's default in every role.
 */
function initWeight(spec: LayerSpec, role: NetRole, rng: Rng): tf.Tensor {
  switch (spec.kind) {
    case 'conv': {
      const shape = [5, 5, spec.cin, spec.cout];
      const bound = role === 'autoencoder' && spec.init !== 'torch'
        ? LEAKY_GAIN * Math.sqrt(6 / (25 * (spec.cin + spec.cout))) : 1 / Math.sqrt(25 * spec.cin);
      return uniform(shape, bound, rng);
    }
    case 'deconv': {
      const bound = spec.init === 'torch' ? 1 / Math.sqrt(25 * spec.cout) : LEAKY_GAIN * Math.sqrt(6 / (25 * (spec.cin + spec.cout)));
      return uniform([5, 5, spec.cout, spec.cin], bound, rng);
    }
    case 'dense':
      return uniform([spec.nin, spec.nout], 1 / Math.sqrt(spec.nin), rng);
    default:
      throw new Error(`layer ${spec.kind} has no weights`);
  }
}

export function buildNetwork(kind: NetKind, role: NetRole, options: NetOptions, rng: Rng): Network {
  const specs = layerSpecs(kind, role, options);
  const params: Param[] = [];
  const bns: BatchNormState[] = [];
  const act = options.leakyRelu ? (x: tf.Tensor) => leakyRelu(x, LEAKY_ALPHA) : (x: tf.Tensor) => tf.relu(x);
  type Fn = (x: tf.Tensor, training: boolean) => tf.Tensor;
  const addBias = (s: { name: string; bias?: boolean }, channels: number, f: Fn): Fn => {
    if (!s.bias) return f;
    const b = tf.variable(tf.zeros([channels]), true);
    params.push({ name: `${s.name}/b`, variable: b, decay: false });
    return (x, training) => tf.add(f(x, training), b);
  };
  // batch norm and a following leaky ReLU run fused, unless the batch norm has a learned scale and shift
  const fuses = (i: number) => options.leakyRelu && !options.bnAffine && specs[i]?.kind === 'bn' && specs[i + 1]?.kind === 'act';
  const fns: Fn[] = specs.map((s, i): Fn => {
    switch (s.kind) {
      case 'conv': {
        const w = tf.variable(initWeight(s, role, rng), true);
        params.push({ name: `${s.name}/w`, variable: w, decay: true });
        const pad = s.pad;
        if (pad !== undefined) {
          return addBias(s, s.cout, (x) => tf.conv2d(tf.pad(x as tf.Tensor4D, [[0, 0], [pad, pad], [pad, pad], [0, 0]]), w as tf.Tensor4D, 1, 'valid'));
        }
        return addBias(s, s.cout, (x) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'));
      }
      case 'deconv': {
        const w = tf.variable(initWeight(s, role, rng), true);
        params.push({ name: `${s.name}/w`, variable: w, decay: true });
        const cout = s.cout;
        const crop = s.crop;
        return addBias(s, cout, (x) => {
          const [n, h, wd] = x.shape;
          if (!crop) return tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [n, h, wd, cout], 1, 'same');
          const full = tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [n, h + 4, wd + 4, cout], 1, 'valid');
          return tf.slice(full, [0, crop, crop, 0], [n, h + 4 - 2 * crop, wd + 4 - 2 * crop, cout]);
        });
      }
      case 'bn': {
        const bn = makeBatchNorm(s.name, s.channels);
        bns.push(bn);
        if (options.bnAffine) {
          // y = γ·x̂ + β (Lasagne's BatchNormLayer), then the activation layer separately
          const gamma = tf.variable(tf.ones([s.channels]), true);
          const beta = tf.variable(tf.zeros([s.channels]), true);
          params.push({ name: `${s.name}/gamma`, variable: gamma, decay: false }, { name: `${s.name}/beta`, variable: beta, decay: false });
          return (x, training) => tf.add(tf.mul(training ? batchNormTrain(x, bn) : batchNormEval(x, bn), gamma), beta);
        }
        // batch norm followed by a leaky ReLU runs as one fused op (training and eval); the activation layer then
        // passes through
        if (fuses(i)) {
          return (x, training) => (training ? batchNormTrain(x, bn, BN_EPS, BN_MOMENTUM, LEAKY_ALPHA) : batchNormEval(x, bn, BN_EPS, LEAKY_ALPHA));
        }
        return (x, training) => (training ? batchNormTrain(x, bn) : batchNormEval(x, bn));
      }
      case 'dense': {
        const w = tf.variable(initWeight(s, role, rng), true);
        params.push({ name: `${s.name}/w`, variable: w, decay: true });
        return addBias(s, s.nout, (x) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D));
      }
      case 'act': {
        const fusedBefore = fuses(i - 1);
        return (x) => (fusedBefore ? x : act(x));
      }
      case 'pool': return (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
      case 'up': return (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [x.shape[1]! * 2, x.shape[2]! * 2]);
      case 'flatten': return (x) => tf.reshape(x, [x.shape[0], -1]);
      case 'reshape': { const shp = s.shape; return (x) => tf.reshape(x, [x.shape[0], ...shp]); }
      case 'sigmoid': return (x) => tf.sigmoid(x);
    }
  });
  return {
    kind, role, options, input: inputShape(kind, options), params, bns,
    forward: (x, training) => fns.reduce<tf.Tensor>((h, f) => f(h, training), x),
    dispose: () => {
      for (const p of params) p.variable.dispose();
      for (const b of bns) { b.runningMean.dispose(); b.runningVar.dispose(); }
    },
  };
}

/** Copies every weight and batch-norm statistic of `from` whose name exists in `to` (AE → encoder transfer). */
export function transferWeights(from: Network, to: Network): string[] {
  const copied: string[] = [];
  const src = new Map(from.params.map((p) => [p.name, p.variable]));
  for (const p of to.params) {
    const s = src.get(p.name);
    if (s) { p.variable.assign(s); copied.push(p.name); }
  }
  const srcBn = new Map(from.bns.map((b) => [b.name, b]));
  for (const b of to.bns) {
    const s = srcBn.get(b.name);
    if (s) { b.runningMean.assign(s.runningMean); b.runningVar.assign(s.runningVar); copied.push(b.name); }
  }
  return copied;
}

/** Every weight and batch-norm statistic of a network by name, in a fixed order (model files and checkpoints). */
export function namedTensors(net: Network): Array<[string, tf.Variable]> {
  return [
    ...net.params.map((p): [string, tf.Variable] => [p.name, p.variable]),
    ...net.bns.flatMap((b): Array<[string, tf.Variable]> => [[`${b.name}/running_mean`, b.runningMean], [`${b.name}/running_var`, b.runningVar]]),
  ];
}

/** Σ‖W‖² over conv/dense weights (for the (1/(2C))·Σ‖W‖² penalty). */
export function weightSquaredSum(net: Network): tf.Scalar {
  return tf.addN(net.params.filter((p) => p.decay).map((p) => tf.sum(tf.square(p.variable)))) as tf.Scalar;
}
