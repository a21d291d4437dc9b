/**
 * The paper's LeNet-type networks (Ruff et al. 2018, as in the authors' PyTorch port): MNIST architecture 1 and
 * CIFAR-10 architecture 3. The original code's other variants are in original-architectures.ts. Tensors are NHWC.
 * The encoder half of each autoencoder uses the encoder's layer names, so weights transfer by name.
 */
import { type LayerSpec, type NetOptions, type NetRole } from './layers.js';

type PaperNet = 'mnist' | 'cifar10';

/** MNIST LeNet: conv 8 → pool → conv 4 → pool → dense rep_dim; decoder by upsampling and transposed convolutions. */
export function mnistLeNet(role: NetRole, o: NetOptions): LayerSpec[] {
  return role === 'encoder' ? encoderSpec('mnist', o) : [...encoderSpec('mnist', o), ...decoderSpec('mnist', o)];
}

/** CIFAR-10 LeNet: conv 32 → conv 64 → conv 128, each pooled, → dense rep_dim; batch norm on the code in the autoencoder. */
export function cifarLeNet(role: NetRole, o: NetOptions): LayerSpec[] {
  return role === 'encoder' ? encoderSpec('cifar10', o) : [...encoderSpec('cifar10', o), ...decoderSpec('cifar10', o)];
}

function encoderSpec(kind: PaperNet, o: NetOptions): LayerSpec[] {
  // biases: MNIST only (--mnist-bias); the paper's CIFAR-10 network is always bias-free
  const bias = kind === 'mnist' && o.bias ? { bias: true } : {};
  const block = (i: number, cin: number, cout: number): LayerSpec[] => [
    { kind: 'conv', name: `conv${i}`, cin, cout, ...bias },
    ...(o.batchNorm ? [{ kind: 'bn', name: `bn${i}`, channels: cout } as LayerSpec] : []),
    { kind: 'act' }, { kind: 'pool' },
  ];
  if (kind === 'mnist') {
    return [...block(1, 1, 8), ...block(2, 8, 4), { kind: 'flatten' }, { kind: 'dense', name: 'dense1', nin: 4 * 7 * 7, nout: o.repDim, ...bias }];
  }
  return [...block(1, 3, 32), ...block(2, 32, 64), ...block(3, 64, 128), { kind: 'flatten' },
    { kind: 'dense', name: 'dense1', nin: 128 * 4 * 4, nout: o.repDim }];
}

function decoderSpec(kind: PaperNet, o: NetOptions): LayerSpec[] {
  const bn = (name: string, channels: number): LayerSpec[] => (o.batchNorm ? [{ kind: 'bn', name, channels }] : []);
  const c0 = o.repDim / 16;
  if (kind === 'mnist') {
    const bias = o.bias ? { bias: true } : {};
    return [
      { kind: 'reshape', shape: [4, 4, c0] }, { kind: 'act' }, { kind: 'up' },
      { kind: 'deconv', name: 'deconv1', cin: c0, cout: 4, crop: 0, ...bias }, ...bn('bn3', 4), { kind: 'act' }, { kind: 'up' },
      // ConvTranspose2d(4, 8, 5, padding=3): 16×16 → 14×14, a 'valid' transposed conv (20×20) cropped by 3
      { kind: 'deconv', name: 'deconv2', cin: 4, cout: 8, crop: 3, ...bias }, ...bn('bn4', 8), { kind: 'act' }, { kind: 'up' },
      { kind: 'deconv', name: 'deconv3', cin: 8, cout: 1, crop: 0, ...bias }, { kind: 'sigmoid' },
    ];
  }
  return [
    ...bn('bn_code', o.repDim),
    { kind: 'reshape', shape: [4, 4, c0] }, { kind: 'act' },
    { kind: 'deconv', name: 'deconv1', cin: c0, cout: 128, crop: 0 }, ...bn('bn4', 128), { kind: 'act' }, { kind: 'up' },
    { kind: 'deconv', name: 'deconv2', cin: 128, cout: 64, crop: 0 }, ...bn('bn5', 64), { kind: 'act' }, { kind: 'up' },
    { kind: 'deconv', name: 'deconv3', cin: 64, cout: 32, crop: 0 }, ...bn('bn6', 32), { kind: 'act' }, { kind: 'up' },
    { kind: 'deconv', name: 'deconv4', cin: 32, cout: 3, crop: 0 }, { kind: 'sigmoid' },
  ];
}
