/**
 * `deep-svdd export`: a model folder as a web page that scores in the browser, and as a TF.js model for any TF.js
 * program. DIR holds
 *   model.json, model.weights.bin  the network in TF.js's layers format (tf.loadLayersModel), src/web/layers-model.ts
 *   deep-svdd.json                 c, R², the threshold and the preprocessing constants (src/web/meta.ts)
 *   zca.bin                        the ZCA whitening, for models trained with --zca-whitening 1
 *   index.html + its scripts       the page (src/web/page.ts): deep-svdd-page.js, model-data.js (the files above
 *                                  as one script, so the page works from file://), tf.min.js and csv-parse-sync.js
 *                                  copied from node_modules
 * The TF.js backend must already be selected.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureDir, writeFileAtomic } from '../io/atomic.js';
import { loadModel, ZCA_FILE } from '../io/model.js';
import { checkOutputPath, type OutputRule } from '../io/output-path.js';
import { layersModelArtifacts, toLayersModel } from '../web/layers-model.js';
import { inputShape } from '../nn/networks.js';
import { readRegular } from '../util/files.js';
import { PACKAGE_VERSION } from '../util/version.js';
import { exportThreshold, WEB_META_FILE, WEB_META_FORMAT, WEB_META_VERSION, type WebModelMeta } from '../web/meta.js';
import type { ExportData } from '../web/page-app.js';
import { dataScript, indexHtml, pageScript } from '../web/page.js';
import { precheckModelDir } from './score.js';

export const EXPORT_MODEL = 'model.json';
export const EXPORT_WEIGHTS = 'model.weights.bin';

const require = createRequire(import.meta.url);

/** The browser scripts copied from node_modules: TF.js (cpu backend included) and csv-parse's browser build. */
function vendorScripts(): Array<{ name: string; from: string }> {
  return [
    { name: 'tf.min.js', from: path.join(path.dirname(require.resolve('@tensorflow/tfjs')), 'tf.min.js') },
    { name: 'csv-parse-sync.js', from: path.join(path.dirname(require.resolve('csv-parse/browser/esm/sync')), '..', 'iife', 'sync.js') },
  ];
}

export interface ExportOptions {
  /** the model/ folder of a finished run */
  modelDir: string;
  /** the folder to write (checked by the caller with checkOutputFolder) */
  out: string;
  force: boolean;
}

export interface ExportResult { files: string[]; meta: WebModelMeta }

export async function exportModel(opts: ExportOptions): Promise<ExportResult> {
  precheckModelDir(opts.modelDir);
  const { meta, net } = loadModel(opts.modelDir);
  let artifacts;
  try {
    const model = toLayersModel(net);
    try { artifacts = await layersModelArtifacts(model); } finally { model.dispose(); }
  } finally {
    net.dispose();
  }
  const weightData = artifacts.weightData;
  if (!(weightData instanceof ArrayBuffer) || !artifacts.weightSpecs) throw new Error('TF.js saved the weights in an unexpected form');
  const weights = new Uint8Array(weightData);
  const zcaBytes = meta.preprocessing.zca ? readRegular(path.join(opts.modelDir, path.basename(meta.preprocessing.zca.file))) : undefined;
  if (zcaBytes && zcaBytes.byteLength !== 4 * (meta.preprocessing.zca!.d + meta.preprocessing.zca!.d ** 2)) throw new Error(`${ZCA_FILE} changed while it was read`);
  const web: WebModelMeta = {
    format: WEB_META_FORMAT, version: WEB_META_VERSION, created: new Date().toISOString(), dataset: meta.dataset,
    network: meta.net, model: EXPORT_MODEL, input: inputShape(meta.net.kind, meta.net.options),
    loss: meta.loss, objective: meta.objective, nu: meta.nu, aeLoss: meta.aeLoss,
    c: meta.c, R: meta.R, R2: meta.loss === 'svdd' ? meta.R2 ?? meta.R! * meta.R! : undefined,
    threshold: exportThreshold(meta),
    preprocessing: meta.preprocessing.zca ? { ...meta.preprocessing, zca: { file: ZCA_FILE, d: meta.preprocessing.zca.d } } : meta.preprocessing,
    classes: meta.classes,
  };
  const modelJson = {
    format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers (deep-svdd ${PACKAGE_VERSION} export)`, convertedBy: null,
    modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: [EXPORT_WEIGHTS], weights: artifacts.weightSpecs }],
  };
  const data: ExportData = {
    meta: web, modelTopology: artifacts.modelTopology as object, weightSpecs: artifacts.weightSpecs,
    weights: Buffer.from(weights).toString('base64'), ...(zcaBytes ? { zca: zcaBytes.toString('base64') } : {}),
  };
  const files: Array<[string, string | Uint8Array]> = [
    [EXPORT_MODEL, `${JSON.stringify(modelJson)}\n`],
    [EXPORT_WEIGHTS, weights],
    ...(zcaBytes ? [[ZCA_FILE, new Uint8Array(zcaBytes)] as [string, Uint8Array]] : []),
    ['model-data.js', dataScript(data)],
    ['deep-svdd-page.js', pageScript()],
    ...vendorScripts().map(({ name, from }): [string, Uint8Array] => [name, new Uint8Array(fs.readFileSync(from))]),
    ['index.html', indexHtml(data)],
    // last: the marker says the folder is a complete export
    [WEB_META_FILE, `${JSON.stringify(web, null, 2)}\n`],
  ];
  ensureDir(opts.out, '--out');
  const rule: OutputRule = { option: '--out', force: opts.force, inputs: [opts.modelDir], example: 'web' };
  for (const [name] of files) checkOutputPath(path.join(opts.out, name), { ...rule, force: true });
  for (const [name, content] of files) writeFileAtomic(path.join(opts.out, name), content, '--out');
  return { files: files.map(([name]) => name), meta: web };
}
