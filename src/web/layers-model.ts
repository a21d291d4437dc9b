/**
 * A network (networks.ts) as a tfjs-layers model, for TF.js programs outside this one (`deep-svdd export`): the
 * same layer list (architectures.ts) as Keras-style layers with the same weights, so `tf.loadLayersModel` in any
 * TF.js program computes what `net.forward(x, false)` computes (eval mode: batch norm with the running statistics).
 *
 *   conv     Conv2D 5×5, 'same' (or ZeroPadding2D + 'valid' when the spec pads explicitly), bias when the spec has one
 *   deconv   Conv2DTranspose 5×5, 'same' (or 'valid' + Cropping2D when the spec crops)
 *   bn       BatchNormalization, eps 1e-4, centre/scale only with a learned shift and scale (bnAffine)
 *   act      LeakyReLU 0.01 (or ReLU)      pool  MaxPooling2D 2×2      up  UpSampling2D ×2 (nearest)
 *   dense    Dense                          flatten, reshape, sigmoid   Flatten, Reshape, Activation('sigmoid')
 *
 * Every kind of the network registry maps (test/unit/layers-model.test.ts checks each against net.forward).
 *
 * Export only: tfjs-layers is the format other TF.js programs load. Training, test passes and `score` never use it:
 * they run the plain ops of src/nn/networks.ts (tf.tidy, hand-written batch norm and kernels).
 */
import * as tf from '@tensorflow/tfjs';
import { BN_EPS } from '../nn/batchnorm.js';
import { layerSpecs, LEAKY_ALPHA, type LayerSpec, type Network } from '../nn/networks.js';

/** The tfjs-layers model of `net`, holding copies of its weights and batch-norm statistics. */
export function toLayersModel(net: Network): tf.LayersModel {
  const specs = layerSpecs(net.kind, net.role, net.options);
  const params = new Map(net.params.map((p) => [p.name, p.variable]));
  const bns = new Map(net.bns.map((b) => [b.name, b]));
  const take = (name: string): tf.Tensor => {
    const v = params.get(name);
    if (!v) throw new Error(`${net.kind}: the network has no weight ${name}`);
    return v;
  };
  const model = tf.sequential();
  const { height, width, channels } = net.input;
  let first = true;
  // the input shape goes on the first layer only
  const input = (): { inputShape?: number[] } => (first ? (first = false, { inputShape: [height, width, channels] }) : {});
  const withWeights: Array<{ layer: tf.layers.Layer; weights: tf.Tensor[] }> = [];
  const add = (layer: tf.layers.Layer, weights?: tf.Tensor[]) => {
    model.add(layer);
    if (weights) withWeights.push({ layer, weights });
  };
  const kernelAndBias = (s: { name: string; bias?: boolean }) => [take(`${s.name}/w`), ...(s.bias ? [take(`${s.name}/b`)] : [])];
  for (const s of specs as LayerSpec[]) {
    switch (s.kind) {
      case 'conv':
        if (s.pad !== undefined) add(tf.layers.zeroPadding2d({ ...input(), padding: [[s.pad, s.pad], [s.pad, s.pad]], name: `${s.name}_pad` }));
        add(tf.layers.conv2d({ ...input(), name: s.name, filters: s.cout, kernelSize: 5, strides: 1, padding: s.pad === undefined ? 'same' : 'valid', useBias: !!s.bias }), kernelAndBias(s));
        break;
      case 'deconv':
        add(tf.layers.conv2dTranspose({ ...input(), name: s.name, filters: s.cout, kernelSize: 5, strides: 1, padding: s.crop ? 'valid' : 'same', useBias: !!s.bias }), kernelAndBias(s));
        if (s.crop) add(tf.layers.cropping2D({ cropping: [[s.crop, s.crop], [s.crop, s.crop]], name: `${s.name}_crop` }));
        break;
      case 'bn': {
        const bn = bns.get(s.name);
        if (!bn) throw new Error(`${net.kind}: the network has no batch norm ${s.name}`);
        const affine = !!net.options.bnAffine;
        const weights = [...(affine ? [take(`${s.name}/gamma`), take(`${s.name}/beta`)] : []), bn.runningMean, bn.runningVar];
        add(tf.layers.batchNormalization({ ...input(), name: s.name, axis: -1, epsilon: BN_EPS, center: affine, scale: affine }), weights);
        break;
      }
      case 'dense':
        add(tf.layers.dense({ ...input(), name: s.name, units: s.nout, useBias: !!s.bias }), kernelAndBias(s));
        break;
      case 'act':
        add(net.options.leakyRelu ? tf.layers.leakyReLU({ ...input(), alpha: LEAKY_ALPHA }) : tf.layers.reLU({ ...input() }));
        break;
      case 'pool': add(tf.layers.maxPooling2d({ ...input(), poolSize: 2, strides: 2, padding: 'valid' })); break;
      case 'up': add(tf.layers.upSampling2d({ ...input(), size: [2, 2], interpolation: 'nearest' })); break;
      case 'flatten': add(tf.layers.flatten({ ...input() })); break;
      case 'reshape': add(tf.layers.reshape({ ...input(), targetShape: s.shape })); break;
      case 'sigmoid': add(tf.layers.activation({ ...input(), activation: 'sigmoid' })); break;
    }
  }
  for (const { layer, weights } of withWeights) layer.setWeights(weights);
  return model;
}

/** The model's topology and weights as TF.js's save format gives them (no file system: tf.io.withSaveHandler). */
export async function layersModelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (!saved) throw new Error('the layers model saved nothing');
  return saved;
}
