/**
 * Kernels for the native backend (tfjs-node): the batch-norm and leaky-ReLU kernels of ./js-kernels.ts, with the
 * same names and the same inputs and outputs, each run as one or two TensorFlow ops instead of the ~10 generic ops
 * (broadcast Sub/Multiply, Mean, Greater, Select, ...) that TF.js would otherwise send one by one:
 *
 *   BatchNormTrainJs     FusedBatchNormV3 (training mode, scale 1, offset 0) [+ LeakyRelu]
 *   BatchNormTrainGradJs [LeakyReluGrad +] FusedBatchNormGradV3 on x̂ with mean 0, variance 1, ε 0 and
 *                        scale = 1/√(σ²+ε): TensorFlow's scale·(dy − mean(dy) − x̂·mean(dy·x̂)) is then exactly
 *                        inv/n · (n·dy − Σdy − x̂·Σ(dy·x̂))
 *   LeakyReluGradJs      LeakyReluGrad
 *
 * and the gradients of Sum and Mean broadcast dy with Tile instead of tfjs-core's multiplication by a tensor of ones:
 * TensorFlow's broadcasting Mul of [200, 1, 1, 1] by [200, 28, 28, 1] (the gradient of the autoencoder's per-image
 * reconstruction error) took 2.8 ms of a 49 ms MNIST autoencoder step. dy·1 = dy, so the values are the same bit
 * for bit; on every other backend the original gradient runs.
 *
 * On the MNIST encoder's first block (200×28×28×8) these cut the training step's batch-norm and activation time
 * several-fold (see the README's benchmark). The wasm kernel fixes of ./kernels.ts are not registered here.
 *
 * Where the setup command built deep-svdd's own TensorFlow kernels (src/native/kernels.c, see ownNativeOps), also:
 *
 *   MaxPoolGrad          2×2 windows with stride 2: DeepSvddMaxPoolGrad2x2, TensorFlow's values bit for bit
 *                        (other pools: TensorFlow's MaxPoolGrad, as before)
 *   DeepSvddAdam         one Adam update as one op (src/train/solvers.ts uses it through fusedAdam when the active
 *                        backend has it), the same float32 operations as the twelve-op TF.js expression
 *   BatchNormEvalJs      eval-mode batch norm [+ leaky ReLU] as DeepSvddBatchNormEval, one pass, TensorFlow's
 *                        FusedBatchNorm + LeakyRelu values bit for bit (FusedBatchNorm runs through oneDNN in
 *                        TensorFlow 2.21 and was most of the MNIST inference pass; without the own kernels, batchNormEval
 *                        runs TF.js's batchNorm and leakyRelu as before)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { BN_BACKWARD, BN_EVAL, BN_FORWARD, LEAKY_RELU_GRAD } from './js-kernels.js';
import { ownNativeOps } from './native.js';

interface Attr { name: string; type: number; value: unknown }
interface NodeBackend extends tf.KernelBackend {
  binding: { TF_ATTR_FLOAT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number; TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: Attr[], inputs: TensorInfo[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: Attr[], inputs: TensorInfo[], n: number): tf.Tensor[];
}

const f32 = (b: NodeBackend, name: string): Attr => ({ name, type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_FLOAT });
const float = (b: NodeBackend, name: string, value: number): Attr => ({ name, type: b.binding.TF_ATTR_FLOAT, value });
const bnAttrs = (b: NodeBackend, eps: number): Attr[] => [
  f32(b, 'T'), f32(b, 'U'), float(b, 'epsilon', eps),
  { name: 'data_format', type: b.binding.TF_ATTR_STRING, value: 'NHWC' },
  { name: 'is_training', type: b.binding.TF_ATTR_BOOL, value: true },
];

/** FusedBatchNorm wants NHWC: a [n, C] tensor is [n, 1, 1, C]. */
function as4d(x: tf.Tensor): tf.Tensor4D {
  return (x.rank === 4 ? x : tf.reshape(x, [-1, 1, 1, x.shape[x.rank - 1]])) as tf.Tensor4D;
}

function leakyReluGrad(b: NodeBackend, dy: TensorInfo, x: TensorInfo, alpha: number): tf.Tensor {
  return b.executeSingleOutput('LeakyReluGrad', [float(b, 'alpha', alpha), f32(b, 'T')], [dy, x]);
}

const forward: KernelConfig['kernelFunc'] = ({ inputs, backend, attrs }) => {
  const b = backend as NodeBackend;
  const x = (inputs as NamedTensorInfoMap).x as tf.Tensor;
  const { eps, alpha } = attrs as { eps: number; alpha?: number };
  return tf.tidy(() => {
    const c = x.shape[x.rank - 1];
    const empty = tf.tensor1d([]);
    const [y4, mean, , , variance] = b.executeMultipleOutputs('FusedBatchNormV3', bnAttrs(b, eps),
      [as4d(x), tf.ones([c]), tf.zeros([c]), empty, empty], 6);
    const xhat = tf.reshape(y4, x.shape);
    const invStd = tf.rsqrt(tf.add(variance, eps));
    if (alpha === undefined) return [xhat, mean, variance, invStd];
    const y = b.executeSingleOutput('LeakyRelu', [float(b, 'alpha', alpha), f32(b, 'T')], [xhat]);
    return [y, mean, variance, invStd, xhat];
  }) as unknown as TensorInfo[];
};

const backward: KernelConfig['kernelFunc'] = ({ inputs, backend, attrs }) => {
  const b = backend as NodeBackend;
  const { dy, xhat, invStd } = inputs as { dy: tf.Tensor; xhat: tf.Tensor; invStd: tf.Tensor };
  const { alpha } = attrs as { alpha?: number };
  return tf.tidy(() => {
    const c = xhat.shape[xhat.rank - 1];
    const g = alpha === undefined ? dy : leakyReluGrad(b, dy, xhat, alpha);
    const [dx] = b.executeMultipleOutputs('FusedBatchNormGradV3', bnAttrs(b, 0),
      [as4d(g), as4d(xhat), invStd, tf.zeros([c]), tf.ones([c]), tf.tensor1d([])], 5);
    return tf.reshape(dx, xhat.shape);
  }) as unknown as TensorInfo;
};

const leakyGrad: KernelConfig['kernelFunc'] = ({ inputs, backend, attrs }) => {
  const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
  return leakyReluGrad(backend as NodeBackend, dy, x, (attrs as { alpha: number }).alpha) as unknown as TensorInfo;
};

/** Sum and Mean gradients without the multiplication by ones (native backend only; see the header). */
function registerBroadcastGradients(): void {
  for (const kernelName of ['Sum', 'Mean']) {
    const original = tf.getGradient(kernelName);
    tf.registerGradient({
      ...original,
      gradFunc: (dy, saved, attrs) => {
        if (tf.getBackend() !== 'tensorflow') return original.gradFunc(dy, saved, attrs);
        const x = saved[0];
        const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
        const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const size = axes.reduce((n, a) => n * x.shape[a], 1);
        return {
          x: () => {
            const g = tf.broadcastTo(tf.reshape(dy as tf.Tensor, expanded), x.shape);
            return kernelName === 'Mean' ? tf.div(g, size) : g;
          },
        };
      },
    });
  }
}

/** TensorFlow op name of the eval-mode batch norm (builds of the setup before it lack it: inference then runs TensorFlow's) */
export const BN_EVAL_OP = 'DeepSvddBatchNormEval';

const bnEval: KernelConfig['kernelFunc'] = ({ inputs, backend, attrs }) => {
  const b = backend as NodeBackend;
  const { x, mean, variance } = inputs as Record<'x' | 'mean' | 'variance', TensorInfo>;
  const { eps, alpha } = attrs as { eps: number; alpha?: number };
  return b.executeSingleOutput(BN_EVAL_OP, [float(b, 'epsilon', eps), float(b, 'alpha', alpha ?? 0),
    { name: 'leaky', type: b.binding.TF_ATTR_BOOL, value: alpha !== undefined }], [x, mean, variance]) as unknown as TensorInfo;
};

const POOL_GRAD_OP = 'DeepSvddMaxPoolGrad2x2';
/** kernel name (and TensorFlow op name) of the fused Adam update */
export const ADAM_KERNEL = 'DeepSvddAdam';

/** TensorFlow's MaxPoolGrad kernel, replaced by DeepSvddMaxPoolGrad2x2 for 2×2 windows with stride 2. */
function registerPoolGrad(): void {
  const original = tf.getKernel(tf.MaxPoolGrad, 'tensorflow');
  if (!original) return;
  tf.unregisterKernel(tf.MaxPoolGrad, 'tensorflow');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
      const a = args.attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: string };
      const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad as 'valid', a.dimRoundingMode as 'floor');
      const mine = input.dtype === 'float32' && info.filterHeight === 2 && info.filterWidth === 2 && info.strideHeight === 2
        && info.strideWidth === 2 && (info.padInfo.type === 'VALID' || info.padInfo.type === 'SAME') && info.padInfo.top === 0 && info.padInfo.left === 0;
      if (!mine) return original.kernelFunc(args);
      return (args.backend as NodeBackend).executeSingleOutput(POOL_GRAD_OP, [], [input, dy]) as unknown as TensorInfo;
    },
  });
}

/** Adam's constants as the TF.js expression uses them: each scalar is a float32 there, so the attributes are too. */
export interface AdamConstants { a: number; beta1: number; beta2: number; eps: number }

const adamKernel: KernelConfig['kernelFunc'] = ({ inputs, backend, attrs }) => {
  const b = backend as NodeBackend;
  const { p, m, v, g } = inputs as Record<'p' | 'm' | 'v' | 'g', TensorInfo>;
  const c = attrs as unknown as AdamConstants;
  return b.executeMultipleOutputs(ADAM_KERNEL, [
    float(b, 'a', c.a), float(b, 'beta1', c.beta1), float(b, 'one_minus_beta1', 1 - c.beta1),
    float(b, 'beta2', c.beta2), float(b, 'one_minus_beta2', 1 - c.beta2), float(b, 'eps', c.eps),
  ], [p, m, v, g], 3) as unknown as TensorInfo[];
};

/**
 * One Adam update of p with moments m, v and gradient g as one op, [p', m', v'], where the active backend has it
 * (native with deep-svdd's kernels); undefined elsewhere (the caller then runs the TF.js expression).
 */
export function fusedAdam(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, c: AdamConstants): tf.Tensor[] | undefined {
  if (!tf.getKernel(ADAM_KERNEL, tf.getBackend())) return undefined;
  return tf.engine().runKernel(ADAM_KERNEL, { p, m, v, g }, c as unknown as tf.NamedAttrMap) as tf.Tensor[];
}

let registered = false;

/** Registers the kernels for the 'tensorflow' backend; returns their names. Idempotent. */
export function registerNativeKernels(): string[] {
  const names = [BN_FORWARD, BN_BACKWARD, LEAKY_RELU_GRAD];
  const own = ownNativeOps();
  if (!registered) {
    registered = true;
    registerBroadcastGradients();
    tf.registerKernel({ kernelName: BN_FORWARD, backendName: 'tensorflow', kernelFunc: forward });
    tf.registerKernel({ kernelName: BN_BACKWARD, backendName: 'tensorflow', kernelFunc: backward });
    tf.registerKernel({ kernelName: LEAKY_RELU_GRAD, backendName: 'tensorflow', kernelFunc: leakyGrad });
    if (own.includes(POOL_GRAD_OP)) registerPoolGrad();
    if (own.includes(ADAM_KERNEL)) tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: 'tensorflow', kernelFunc: adamKernel });
    if (own.includes(BN_EVAL_OP)) tf.registerKernel({ kernelName: BN_EVAL, backendName: 'tensorflow', kernelFunc: bnEval });
  }
  if (own.includes(POOL_GRAD_OP)) names.push(`${tf.MaxPoolGrad} (${POOL_GRAD_OP})`);
  if (own.includes(ADAM_KERNEL)) names.push(ADAM_KERNEL);
  if (own.includes(BN_EVAL_OP)) names.push(`${BN_EVAL} (${BN_EVAL_OP})`);
  return names;
}
