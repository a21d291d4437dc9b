/**
 * The Deep SAD code's training settings (lukasruff/Deep-SAD-PyTorch, its README's hyperparameters, the same for the
 * image datasets and the ODDS tables) as its pinned click 7 and PyTorch run them: batch 128, 150 epochs of Adam at
 * 1e-4, ÷10 from 0-based epoch 49 (its scheduler steps at the start of each epoch, so milestone 50 takes effect one
 * epoch early), weight decay 0.5e-6 (C = 2e6); the autoencoder 150 epochs at a constant 1e-4 (its --ae_lr_milestone
 * default 0 is no milestone under click 7) with weight decay 0.5e-3 on the mean error per input value (C_ae = 2000 / D
 * on our per-input sum: the same gradients); the last partial batch dropped (its loaders' drop_last).
 * Fashion-MNIST (fmnist.ts) and the tables (tables.ts) add their own on top.
 */
import { type SettingDefaults } from '../nn/architectures.js';

/** The settings for inputs of `inputDim` values (784 for a 28×28 image, the number of features for a table). */
export function deepSadDefaults(inputDim: number): SettingDefaults {
  return { batchSize: 128, nEpochs: 150, lrDropInEpoch: 49, C: 2e6, aeNEpochs: 150, aeLrDrop: false, aeC: 2000 / inputDim, dropLast: true };
}
