/**
 * What `deep-svdd export` writes next to the TF.js model (DIR/deep-svdd.json), and what the page reads: everything
 * `score` applies besides the network (src/experiments/score.ts) — the centre c, R², the decision threshold and the
 * preprocessing constants — in one plain JSON object.
 */
import type { ModelMeta } from '../io/model.js';
import type { InputShape, NetKind, NetOptions, NetRole } from '../nn/networks.js';

export const WEB_META_FORMAT = 'deep-svdd-web';
export const WEB_META_VERSION = 1;
/** Its file name; it also marks an export folder (export --force replaces only a folder holding it, or an empty one). */
export const WEB_META_FILE = 'deep-svdd.json';

export interface WebModelMeta {
  format: typeof WEB_META_FORMAT;
  version: number;
  created: string;
  dataset: string;
  network: { kind: NetKind; role: NetRole; options: NetOptions };
  /** the TF.js model: model.json (weightsManifest → the .bin) */
  model: string;
  /** the network's input, [n, height, width, channels]; a table row of D features is 1 × 1 × D */
  input: InputShape;
  /** 'svdd': score = ‖φ(x) − c‖² − R²; 'autoencoder': score = reconstruction error (aeLoss) */
  loss: ModelMeta['loss'];
  objective?: ModelMeta['objective'];
  nu?: number;
  aeLoss?: 'l2' | 'ce';
  c?: number[];
  R?: number;
  R2?: number;
  /** an input is anomalous when its score > threshold */
  threshold: number;
  /** image models: /255 → GCN → ZCA (zca.file: D means then the D × D matrix, float32 LE) → min–max; table models: per-feature scaling */
  preprocessing: ModelMeta['preprocessing'];
  classes: ModelMeta['classes'];
}

/**
 * The decision threshold an export carries: the model's own (score > threshold is an anomaly, as `score` decides).
 * A stored threshold of another kind, when model folders get one, is chosen here.
 */
export function exportThreshold(meta: ModelMeta): number {
  return meta.threshold;
}
