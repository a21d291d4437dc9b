/**
 * --weight-dict-init 1: conv1's filters from a dictionary learnt on patches of 500 training images (as the original,
 * only for a network that starts from scratch: the autoencoder when pretraining, else the encoder); drawn in
 * filters_init.png.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeImageGrid } from '../io/images.js';
import { type Network } from '../nn/networks.js';
import { atomsToFilter, learnDictionary } from '../train/dictionary.js';
import { subRng } from '../util/rng.js';
import { type Ctx } from './run-context.js';

export function dictionaryInit(ctx: Ctx, net: Network): void {
  const conv1 = net.params.find((p) => p.name === 'conv1/w');
  if (!conv1) throw new Error(`${net.kind} has no conv1`);
  const [size, , ch, k] = conv1.variable.shape;
  const t = performance.now();
  const set = ctx.data.train;
  ctx.log.info(`learning a dictionary of ${k} atoms on ${size}×${size} patches of ${Math.min(500, set.n)} training images for conv1 of the ${net.role}`);
  const atoms = learnDictionary(set.x, set, { nComponents: k, size }, subRng(ctx.cfg.seed, 'dict-init'));
  tf.tidy(() => conv1.variable.assign(tf.tensor(atomsToFilter(atoms, k, size, ch), conv1.variable.shape)));
  ctx.timings.dict_init_s = (performance.now() - t) / 1000;
  const d = size * size * ch;
  const pixels = new Uint8Array(k * d);
  for (let p = 0; p < k; p++) {
    const atom = atoms.subarray(p * d, (p + 1) * d);
    const lo = Math.min(...atom), hi = Math.max(...atom);
    for (let i = 0; i < d; i++) pixels[p * d + i] = hi > lo ? Math.round((255 * (atom[i] - lo)) / (hi - lo)) : 128;
  }
  writeImageGrid(path.join(ctx.xp, 'filters_init.png'), { pixels, height: size, width: size, channels: ch }, Array.from({ length: k }, (_, i) => i), new Array<number>(k).fill(0), 8, 8);
  ctx.log.info(`conv1 of the ${net.role} initialised from the dictionary's ${k} atoms (${ctx.timings.dict_init_s.toFixed(1)} s; atoms in filters_init.png)`);
}
