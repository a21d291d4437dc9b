/**
 * The MLP of the Deep SAD code (lukasruff/Deep-SAD-PyTorch, src/networks/mlp.py) for table rows: per hidden layer a
 * bias-free dense layer, batch norm without affine parameters (eps 1e-4), leaky ReLU; then a bias-free dense code
 * layer. Its autoencoder mirrors the hidden layers and ends in a dense layer to the input width and a sigmoid (the
 * inputs are min–max scaled to [0, 1] on the training set). A row of D features is a 1×1×D input.
 */
import { bnIf, type InputShape, type LayerSpec, type NetOptions, type NetRole } from './layers.js';

/** Widths of the Deep SAD code's ODDS networks, chosen by the table's width (options override). */
export function mlpDefaults(inputDim: number): { hidden: number[]; repDim: number } {
  if (inputDim >= 100) return { hidden: [128, 64], repDim: 32 };
  return { hidden: [32, 16], repDim: inputDim < 8 ? 4 : 8 };
}

export function mlpInput(o?: Partial<NetOptions>): InputShape {
  return { height: 1, width: 1, channels: o?.inputDim ?? 0 };
}

export function mlpLayers(role: NetRole, o: NetOptions): LayerSpec[] {
  const d = o.inputDim!;
  const hidden = o.hidden!;
  const block = (name: string, nin: number, nout: number): LayerSpec[] => [
    { kind: 'dense', name: `dense${name}`, nin, nout }, ...bnIf(o, `bn${name}`, nout), { kind: 'act' },
  ];
  const widths = [d, ...hidden];
  const enc: LayerSpec[] = [
    { kind: 'flatten' },
    ...hidden.flatMap((h, i) => block(String(i + 1), widths[i], h)),
    { kind: 'dense', name: 'code', nin: hidden[hidden.length - 1], nout: o.repDim },
  ];
  if (role === 'encoder') return enc;
  const back = [o.repDim, ...[...hidden].reverse()];
  return [
    ...enc,
    ...back.slice(1).flatMap((h, i) => block(`_dec${i + 1}`, back[i], h)),
    { kind: 'dense', name: 'reconstruction', nin: hidden[0], nout: d },
    { kind: 'sigmoid' },
    { kind: 'reshape', shape: [1, 1, d] },
  ];
}

/** What is wrong with an MLP's options, or undefined. */
export function mlpCheck(o: NetOptions): string | undefined {
  const widthOk = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MLP_MAX_WIDTH;
  if (!widthOk(o.inputDim)) return `the input width ${String(o.inputDim)} is not a whole number from 1 to ${MLP_MAX_WIDTH}`;
  if (!Array.isArray(o.hidden) || o.hidden.length < 1 || o.hidden.length > 8 || !o.hidden.every(widthOk)) {
    return `the hidden layers ${JSON.stringify(o.hidden)} are not 1 to 8 widths from 1 to ${MLP_MAX_WIDTH}`;
  }
  return undefined;
}

/** the widest layer (and table) an MLP takes */
export const MLP_MAX_WIDTH = 65536;
