/**
 * The WebAssembly heap cannot grow past 4 GiB. Before any work, estimate what the batches need from the activation
 * footprint of one image (measured by a forward pass), so that a too-large batch stops with advice instead of an
 * out-of-memory abort hours into a run.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Network } from './networks.js';
import { UserError } from '../util/errors.js';

export const WASM_HEAP_LIMIT = 4 * 1024 ** 3;
/** what a training step holds per image relative to one forward pass (activations, gradients, temporaries) */
const TRAIN_FACTOR = 4;
const BUDGET = 0.85 * WASM_HEAP_LIMIT;

/** Bytes of tensors one image's forward pass creates (eval mode). */
export function activationBytesPerImage(net: Network): number {
  const before = tf.memory().numBytes;
  let bytes = 0;
  tf.tidy(() => {
    net.forward(tf.zeros([1, net.input.height, net.input.width, net.input.channels]) as tf.Tensor4D, false);
    bytes = tf.memory().numBytes - before;
  });
  return bytes;
}

/** Throws a one-line UserError when a training or inference batch would not fit in the wasm heap. */
export function checkWasmHeap(net: Network, batch: { size: number; option: string }, evalBatch: { size: number; option: string }): void {
  if (tf.getBackend() !== 'wasm') return;
  const perImage = activationBytesPerImage(net);
  const gib = (b: number) => (b / 1024 ** 3).toFixed(1);
  const train = perImage * TRAIN_FACTOR * batch.size;
  if (train > BUDGET) {
    const fit = Math.floor(BUDGET / (perImage * TRAIN_FACTOR));
    throw new UserError(`${batch.option} ${batch.size} needs about ${gib(train)} GiB of WebAssembly memory, over its 4 GiB limit: use ${batch.option} ${fit} or less (or the native backend)`);
  }
  const inference = perImage * evalBatch.size;
  if (inference > BUDGET) {
    const fit = Math.floor(BUDGET / perImage);
    throw new UserError(`${evalBatch.option} ${evalBatch.size} needs about ${gib(inference)} GiB of WebAssembly memory, over its 4 GiB limit: use ${evalBatch.option} ${fit} or less`);
  }
}
