/**
 * A validation split the user names (--val-data), in place of the held-out one (--val-frac, --val-contamination):
 *   images  a folder of PNGs in class subfolders, VAL/<class>/**\/*.png, class names as the dataset's (MNIST 0 … 9,
 *           CIFAR-10 airplane … truck, a folder dataset's folder names); read as `score` reads a folder
 *   tables  a table file with the training table's feature columns and its label column (--label-column)
 * Images of the normal classes are the split's normal data, those of the outlier classes its anomalies; other classes
 * are left out. Everything is preprocessed with the training set's constants. The run's own data (a folder dataset's
 * folder, a table's file) is refused: it holds the test data, on which the run reports.
 */
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { type ImageSet } from './batches.js';
import { type PreparedData } from './datasets.js';
import { readInputs } from './inputs.js';
import { applyMinMaxInPlace, gcnInPlace, toUnitScale } from './preprocess.js';
import { readTableFile } from './table-file.js';
import { applyTableScaler } from './table-prep.js';
import { applyZca } from './zca.js';

export interface ValidationData {
  val: ImageSet;
  valOutliers: ImageSet;
  /** rows or images of other classes, left out */
  nIgnored: number;
}

/**
 * Reads --val-data for a prepared run. `testPaths` are the run's own data (the folder dataset's D, a table's file),
 * which the validation data must not be or lie inside.
 */
export function loadValidationData(file: string, data: PreparedData, o: { labelColumn?: string; testPaths: string[] }): ValidationData {
  const at = path.resolve(file);
  for (const t of o.testPaths) {
    const rel = path.relative(path.resolve(t), at);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
      throw new UserError(`--val-data ${file} is the run's own data (${t}, which holds its training and test data): the threshold would be chosen on data it trains or is tested on; give a folder or table of its own`);
    }
  }
  const names = data.info.classNames;
  const normal = new Set(data.normal);
  const outlier = new Set(data.outlier);
  const byName = new Map(names.map((n, i) => [n, i]));
  const side = (name: string, where: string): 0 | 1 | undefined => {
    const c = byName.get(name);
    if (c === undefined) throw new UserError(`--val-data ${file}: ${where} is of class '${name}', which the dataset does not have (its classes: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}); rename it or leave it out`);
    return normal.has(c) ? 0 : outlier.has(c) ? 1 : undefined;
  };
  const shape = { height: data.info.height, width: data.info.width, channels: data.info.channels };
  const d = shape.height * shape.width * shape.channels;
  const pick = (x: Float32Array, rows: number[]): ImageSet => {
    const out = new Float32Array(rows.length * d);
    rows.forEach((r, k) => out.set(x.subarray(r * d, (r + 1) * d), k * d));
    return { x: out, n: rows.length, ...shape };
  };
  const split = (x: Float32Array, sides: Array<0 | 1 | undefined>): ValidationData => {
    const rows = (s: 0 | 1) => sides.flatMap((v, i) => (v === s ? [i] : []));
    const v = { val: pick(x, rows(0)), valOutliers: pick(x, rows(1)), nIgnored: sides.filter((s) => s === undefined).length };
    if (v.val.n + v.valOutliers.n === 0) throw new UserError(`--val-data ${file} holds nothing of the normal or outlier classes: give images (rows) of them`);
    return v;
  };
  const table = data.constants.table;
  if (table) {
    const t = readTableFile(file, { labelColumn: o.labelColumn });
    if (t.d !== table.features.length || (path.extname(file).toLowerCase() === '.csv' && t.featureNames.join() !== table.features.join())) {
      throw new UserError(`--val-data ${file}: its features (${t.featureNames.join(', ')}) are not the training table's (${table.features.join(', ')}); give a table with the same columns`);
    }
    const x = applyTableScaler(t.x, t.n, t.d, table);
    return split(x, Array.from(t.labels, (l, i) => side(t.classNames[l], `row ${i + 1}`)));
  }
  let images;
  try {
    images = readInputs(file, shape);
  } catch (e) {
    if (e instanceof UserError) throw new UserError(e.message.replace(/^--input /, '--val-data '), e.exitCode);
    throw e;
  }
  const sides = images.ids.map((id) => {
    const parts = id.split('/');
    if (parts.length < 2) throw new UserError(`--val-data ${file}: ${id} is not in a class folder; put each image under VAL/<class>/`);
    return side(parts[0], id);
  });
  // the training preprocessing, with the constants saved from the training set (as `score`)
  const x = toUnitScale(images.pixels);
  if (data.constants.gcn !== 'none') gcnInPlace(x, d, data.constants.gcn);
  if (data.zca) applyZca(x, data.zca);
  applyMinMaxInPlace(x, data.constants.min, data.constants.max);
  return split(x, sides);
}
