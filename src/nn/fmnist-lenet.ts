/**
 * The Fashion-MNIST LeNet of the Deep SAD code (lukasruff/Deep-SAD-PyTorch, src/networks/fmnist_LeNet.py), bias-free
 * throughout, batch norm without affine parameters (eps 1e-4), leaky ReLU, PyTorch's default initialisation (the file
 * sets none). Tensors are NHWC, so its view to (8, 4, 4) is a reshape to [4, 4, 8] here.
 *
 *   encoder: conv 5×5 16 → bn → act → pool (14) → conv 5×5 32 → bn → act → pool (7) → dense 128 → bn → act → dense rep_dim
 *   decoder: dense 128 → bn → reshape [4, 4, 8] → act → up (8) → deconv 32 (padding 2: 8) → bn → act → up (16)
 *            → deconv 16 (padding 3: 14) → bn → act → up (28) → deconv 1 (padding 2: 28) → sigmoid
 *
 * The encoder half of the autoencoder uses the encoder's layer names, so weights transfer by name.
 */
import { bnIf, type LayerSpec, type NetOptions, type NetRole } from './layers.js';

/** the decoder's dense layer width, reshaped to 4 × 4 × 8 */
const CODE = 128;

export function fmnistLeNet(role: NetRole, o: NetOptions): LayerSpec[] {
  const enc: LayerSpec[] = [
    { kind: 'conv', name: 'conv1', cin: 1, cout: 16, init: 'torch' }, ...bnIf(o, 'bn1', 16), { kind: 'act' }, { kind: 'pool' },
    { kind: 'conv', name: 'conv2', cin: 16, cout: 32, init: 'torch' }, ...bnIf(o, 'bn2', 32), { kind: 'act' }, { kind: 'pool' },
    { kind: 'flatten' }, { kind: 'dense', name: 'dense1', nin: 32 * 7 * 7, nout: 128 }, ...bnIf(o, 'bn_dense1', 128), { kind: 'act' },
    { kind: 'dense', name: 'dense2', nin: 128, nout: o.repDim },
  ];
  if (role === 'encoder') return enc;
  return [
    ...enc,
    { kind: 'dense', name: 'dense3', nin: o.repDim, nout: CODE }, ...bnIf(o, 'bn_dense3', CODE),
    { kind: 'reshape', shape: [4, 4, CODE / 16] }, { kind: 'act' }, { kind: 'up' },
    // ConvTranspose2d(8, 32, 5, padding=2): 8×8 → 8×8 ('same')
    { kind: 'deconv', name: 'deconv1', cin: CODE / 16, cout: 32, crop: 0, init: 'torch' }, ...bnIf(o, 'bn3', 32), { kind: 'act' }, { kind: 'up' },
    // ConvTranspose2d(32, 16, 5, padding=3): 16×16 → 14×14, a 'valid' transposed conv (20×20) cropped by 3
    { kind: 'deconv', name: 'deconv2', cin: 32, cout: 16, crop: 3, init: 'torch' }, ...bnIf(o, 'bn4', 16), { kind: 'act' }, { kind: 'up' },
    // ConvTranspose2d(16, 1, 5, padding=2): 28×28 → 28×28
    { kind: 'deconv', name: 'deconv3', cin: 16, cout: 1, crop: 0, init: 'torch' }, { kind: 'sigmoid' },
  ];
}
