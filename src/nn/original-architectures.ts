/**
 * The original code's other networks (lukasruff/Deep-SVDD, `datasets/*.build_architecture / build_autoencoder`), as
 * layer lists for buildNetwork: MNIST architecture 2, CIFAR-10 architectures 1 and 2, and the GTSRB network. The
 * paper's networks (MNIST architecture 1, CIFAR-10 architecture 3) are in lenet.ts. Tensors are NHWC, so the
 * original's reshapes to (C, H, W) are reshapes to [H, W, C] here. Names follow the original's counters (conv1…,
 * bn1…, dense1…), and the encoder half of each autoencoder is built in the encoder's order, so weights transfer by name.
 */
import type { LayerSpec, NetOptions } from './layers.js';

type Block = (name: number, cin: number, cout: number, opts?: { pool?: boolean; up?: boolean; bias?: boolean; pad?: number }) => LayerSpec[];

function blockFn(o: NetOptions): Block {
  return (i, cin, cout, b = {}) => [
    { kind: 'conv', name: `conv${i}`, cin, cout, bias: b.bias ?? false, pad: b.pad },
    ...(o.batchNorm ? [{ kind: 'bn', name: `bn${i}`, channels: cout } as LayerSpec] : []),
    { kind: 'act' },
    ...(b.pool ? [{ kind: 'pool' } as LayerSpec] : []),
    ...(b.up ? [{ kind: 'up' } as LayerSpec] : []),
  ];
}

/**
 * MNIST architecture 2: conv 256 → pool (14) → conv 256 → pool (7) → conv 128 → pool (3), each with batch norm and
 * the activation, → dense 320 (linear; with batch norm in the autoencoder) → dense rep_dim.
 */
export function mnistArch2(o: NetOptions, role: 'encoder' | 'autoencoder'): LayerSpec[] {
  const block = blockFn(o);
  const bias = o.bias ?? false;
  const enc: LayerSpec[] = [
    ...block(1, 1, 256, { pool: true, bias }), ...block(2, 256, 256, { pool: true, bias }), ...block(3, 256, 128, { pool: true, bias }),
    { kind: 'flatten' }, { kind: 'dense', name: 'dense1', nin: 128 * 3 * 3, nout: 320, bias },
    ...(role === 'autoencoder' && o.batchNorm ? [{ kind: 'bn', name: 'bn_dense1', channels: 320 } as LayerSpec] : []),
    { kind: 'dense', name: 'dense2', nin: 320, nout: o.repDim, bias },
  ];
  if (role === 'encoder') return enc;
  return [
    ...enc,
    { kind: 'dense', name: 'dense3', nin: o.repDim, nout: 320, bias },
    ...(o.batchNorm ? [{ kind: 'bn', name: 'bn_dense3', channels: 320 } as LayerSpec] : []),
    { kind: 'reshape', shape: [4, 4, 20] }, { kind: 'act' },
    ...block(4, 20, 128, { up: true, bias }), ...block(5, 128, 256, { up: true, bias }),
    // 5×5 convolution with padding 1: 16×16 → 14×14
    ...block(6, 256, 256, { up: true, bias, pad: 1 }),
    { kind: 'conv', name: 'conv7', cin: 256, cout: 1, bias }, { kind: 'sigmoid' },
  ];
}

/**
 * CIFAR-10 architecture 1: [conv 16, conv 16, pool] → [conv 32, conv 32, pool] → [conv 64, conv 64, pool] → dense
 * rep_dim; --cifar10-bias adds biases to the encoder network (never to the autoencoder, as in the original).
 * Decoder: reshape (2, 2, rep_dim/4) → act → up → [conv 64, conv 64, up] → [conv 32, conv 32, up] → [conv 16, conv 16,
 * up] → conv 3 (+ batch norm) → sigmoid.
 */
export function cifarArch1(o: NetOptions, role: 'encoder' | 'autoencoder'): LayerSpec[] {
  const block = blockFn(o);
  const bias = role === 'encoder' && (o.bias ?? false);
  const enc: LayerSpec[] = [
    ...block(1, 3, 16, { bias }), ...block(2, 16, 16, { pool: true, bias }),
    ...block(3, 16, 32, { bias }), ...block(4, 32, 32, { pool: true, bias }),
    ...block(5, 32, 64, { bias }), ...block(6, 64, 64, { pool: true, bias }),
    { kind: 'flatten' }, { kind: 'dense', name: 'dense1', nin: 64 * 4 * 4, nout: o.repDim, bias },
  ];
  if (role === 'encoder') return enc;
  return [
    ...enc,
    { kind: 'reshape', shape: [2, 2, o.repDim / 4] }, { kind: 'act' }, { kind: 'up' },
    ...block(7, o.repDim / 4, 64), ...block(8, 64, 64, { up: true }),
    ...block(9, 64, 32), ...block(10, 32, 32, { up: true }),
    ...block(11, 32, 16), ...block(12, 16, 16, { up: true }),
    ...finalRgb(o, 13, 16),
  ];
}

/**
 * CIFAR-10 architecture 2: conv 16 → pool → conv 32 → pool → conv 64 → pool → dense rep_dim, always bias-free.
 * Decoder: reshape (4, 4, rep_dim/16) → act → conv 64 → up → conv 32 → up → conv 16 → up → conv 3 (+ batch norm) → sigmoid.
 */
export function cifarArch2(o: NetOptions, role: 'encoder' | 'autoencoder'): LayerSpec[] {
  const block = blockFn(o);
  const enc: LayerSpec[] = [
    ...block(1, 3, 16, { pool: true }), ...block(2, 16, 32, { pool: true }), ...block(3, 32, 64, { pool: true }),
    { kind: 'flatten' }, { kind: 'dense', name: 'dense1', nin: 64 * 4 * 4, nout: o.repDim },
  ];
  if (role === 'encoder') return enc;
  return [
    ...enc,
    { kind: 'reshape', shape: [4, 4, o.repDim / 16] }, { kind: 'act' },
    ...block(4, o.repDim / 16, 64, { up: true }), ...block(5, 64, 32, { up: true }), ...block(6, 32, 16, { up: true }),
    ...finalRgb(o, 7, 16),
  ];
}

/**
 * GTSRB (§ the original's GTSRB.py), bias-free: conv 16 → bn → act → pool (16) → conv 32 → bn → act → pool (8) →
 * dense 64 → act → dense rep_dim (32). Decoder: dense 64 → reshape (8, 8, 1) → act → conv 32 → bn → act → up (16) →
 * conv 16 → bn → act → up (32) → conv 3 (+ batch norm) → sigmoid.
 */
export function gtsrbNet(o: NetOptions, role: 'encoder' | 'autoencoder'): LayerSpec[] {
  const block = blockFn(o);
  const enc: LayerSpec[] = [
    ...block(1, 3, 16, { pool: true }), ...block(2, 16, 32, { pool: true }),
    { kind: 'flatten' }, { kind: 'dense', name: 'dense1', nin: 32 * 8 * 8, nout: 64 }, { kind: 'act' },
    { kind: 'dense', name: 'dense2', nin: 64, nout: o.repDim },
  ];
  if (role === 'encoder') return enc;
  return [
    ...enc,
    { kind: 'dense', name: 'dense3', nin: o.repDim, nout: 64 }, { kind: 'reshape', shape: [8, 8, 1] }, { kind: 'act' },
    ...block(3, 1, 32, { up: true }), ...block(4, 32, 16, { up: true }),
    ...finalRgb(o, 5, 16),
  ];
}

/** The original CIFAR-10 and GTSRB autoencoders end in a 3-channel convolution with batch norm before the sigmoid. */
function finalRgb(o: NetOptions, i: number, cin: number): LayerSpec[] {
  return [
    { kind: 'conv', name: `conv${i}`, cin, cout: 3 },
    ...(o.batchNorm ? [{ kind: 'bn', name: `bn${i}`, channels: 3 } as LayerSpec] : []),
    { kind: 'sigmoid' },
  ];
}
