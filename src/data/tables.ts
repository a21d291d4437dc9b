/**
 * Table datasets: rows of numbers with a class per row (`--dataset table --data-file F.csv|.npy|.mat`, and the ODDS
 * tables of odds.ts), and their preparation for a run, as in the Deep SAD paper's code
 * (lukasruff/Deep-SAD-PyTorch, src/base/odds_dataset.py):
 *   1. rows of the chosen normal and outlier classes; per seed a 60/40 train/test split drawn separately within the
 *      normal and the outlier rows;
 *   2. per-feature standardisation fitted on the training split, then min–max to [0, 1] fitted on it (the model
 *      folder keeps these constants, and `score` applies them);
 *   3. unsupervised training on the training split's normal rows (--n-train, --val-frac and --out-frac as for images).
 * A row of D features is a 1×1×D input to the MLP (src/nn/mlp.ts).
 */
import { mlpDefaults } from '../nn/mlp.js';
import { type SettingDefaults } from '../nn/architectures.js';
import { UserError } from '../util/errors.js';
import { subRng } from '../util/rng.js';
import { deepSadDefaults } from './deep-sad-defaults.js';
import { type DataLocation, type DatasetInfo, type DatasetScan, type DatasetSpec, type RawTable } from './dataset-spec.js';
import { type PreparedData, type PrepareOptions } from './datasets.js';
import { resolveClasses, seededSubset } from './select.js';
import { runTrainingSelection, splitSemiLabelColumn } from './semi-supervised.js';
import { readTableFile, type TableData } from './table-file.js';
import { applyTableScaler, fitTableScaler, stratifiedSplit } from './table-prep.js';

/** The share of each group (normal, outlier rows) in the test split. */
export const TABLE_TEST_FRACTION = 0.4;

/**
 * Training defaults of table datasets: the Deep SAD code's ODDS settings (deep-sad-defaults.ts), and no contrast
 * normalisation (tables are standardised instead).
 */
export function tableDefaults(inputDim: number, widths = mlpDefaults(inputDim)): SettingDefaults {
  return { repDim: widths.repDim, mlpHidden: widths.hidden.join(','), ...deepSadDefaults(inputDim), gcn: false, weightDictInit: false };
}

/** What a run of a table dataset knows before loading it. */
export function tableScan(t: TableData, defaults: SettingDefaults): DatasetScan {
  return { classNames: t.classNames, net: 'mlp', inputDim: t.d, defaults };
}

export function tableInfo(name: string, title: string, t: Pick<TableData, 'classNames' | 'd' | 'featureNames'>): DatasetInfo {
  return { name, title, kind: 'table', classNames: t.classNames, net: 'mlp', height: 1, width: 1, channels: t.d, featureNames: t.featureNames };
}

export function rawTable(t: TableData & { semiLabels?: Int8Array }, info: DatasetInfo): RawTable & { info: DatasetInfo } {
  return { kind: 'table', source: t.source, x: t.x, n: t.n, d: t.d, featureNames: t.featureNames, labels: t.labels, semiLabels: t.semiLabels, info };
}

/** Reads the table of --data-file once per process (option parsing and loading both need it). */
const cache = new Map<string, TableData & { semiLabels?: Int8Array }>();
export function readTableOnce(at: DataLocation): TableData & { semiLabels?: Int8Array } {
  const file = at.dataFile?.trim();
  if (!file) throw new UserError('--dataset table needs --data-file F: a .csv with a header (and --label-column COL), a .npy (and --label-file y.npy), or a .mat with X and y');
  const key = JSON.stringify([file, at.labelColumn, at.labelFile, at.semiLabelColumn]);
  let t = cache.get(key);
  if (!t) {
    t = readTableFile(file, { labelColumn: at.labelColumn, labelFile: at.labelFile });
    // --semi-label-column: a column of +1 / 0 / −1 labels, taken out of the features (src/data/semi-supervised.ts)
    if (at.semiLabelColumn !== undefined) {
      const { x, d, featureNames, semi } = splitSemiLabelColumn(t, at.semiLabelColumn.trim());
      t = { ...t, x, d, featureNames, semiLabels: semi };
    }
    cache.set(key, t);
  }
  return t;
}

/** The registry's entry for a table the user names: classes from its label column, network widths from its width. */
export const TABLE_DATASET: DatasetSpec = {
  name: 'table', title: 'table', kind: 'table', defaultDir: '', takes: ['dataFile', 'labelColumn', 'labelFile', 'semiLabelColumn'],
  help: 'table = your own rows of numbers: --data-file F.csv --label-column COL (or .npy with --label-file, or .mat with X and y)',
  scan: (at) => { const t = readTableOnce(at); return tableScan(t, tableDefaults(t.d)); },
  load: (o) => { const t = readTableOnce(o); return rawTable(t, tableInfo('table', `table ${o.dataFile}`, t)); },
};

/** Prepares a table for a run: the split, the scaling fitted on the training split, the sets (module header). */
export function prepareTable(o: PrepareOptions, raw: RawTable, info: DatasetInfo): PreparedData {
  const classes = resolveClasses(o.normal, o.outlier, info.classNames.length);
  const isNormal = new Uint8Array(info.classNames.length);
  const isOutlier = new Uint8Array(info.classNames.length);
  for (const c of classes.normal) isNormal[c] = 1;
  for (const c of classes.outlier) isOutlier[c] = 1;
  const rows = allRows(raw.n).filter((i) => isNormal[raw.labels[i]] === 1 || isOutlier[raw.labels[i]] === 1);
  const outlierRow = Uint8Array.from(rows, (i) => isOutlier[raw.labels[i]]);
  const split = stratifiedSplit(outlierRow, TABLE_TEST_FRACTION, subRng(o.seed, 'table-split'));
  const trainRows = Int32Array.from(split.train, (k) => rows[k]);
  const scaler = fitTableScaler(gatherRows(raw, trainRows), trainRows.length, raw.d);
  const trainNormal = trainRows.filter((i) => !isOutlier[raw.labels[i]]);
  const trainOutlier = trainRows.filter((i) => isOutlier[raw.labels[i]]);
  const names = (cs: number[]) => cs.map((c) => info.classNames[c]).join(', ');
  if (trainNormal.length === 0) throw new UserError(`${raw.source}: no training rows of the normal class(es) ${names(classes.normal)}: choose other classes with --normal`);
  const { trainIdx, valIdx, nOut, semi, record, valOutIdx } = runTrainingSelection(trainNormal, trainOutlier, classes, (i) => raw.labels[i], o, 'rows in the training split', raw.semiLabels);
  const testAll = Int32Array.from(split.test, (k) => rows[k]);
  const testIndex = seededSubset(testAll, o.nTest, subRng(o.seed, 'test-subset'), '--n-test');
  if (testIndex.length === 0) throw new UserError(`${raw.source}: the test split is empty: the table has too few rows of the chosen classes`);
  const shape = { height: 1, width: 1, channels: raw.d };
  const scaled = (idx: Int32Array) => ({ x: applyTableScaler(gatherRows(raw, idx), idx.length, raw.d, scaler), n: idx.length, ...shape });
  return {
    info, source: raw.source, normal: classes.normal, outlier: classes.outlier,
    train: scaled(trainIdx), test: scaled(testIndex), val: scaled(valIdx), valOutliers: scaled(valOutIdx), nTrainOutliers: nOut, semiLabels: semi, semiSupervised: record,
    testLabels: Uint8Array.from(testIndex, (i) => isOutlier[raw.labels[i]]), testIndex,
    testClasses: Uint8Array.from(testIndex, (i) => raw.labels[i]), testPixels: new Uint8Array(0),
    constants: { gcn: 'none', min: 0, max: 1, table: { ...scaler, features: raw.featureNames } },
  };
}

function allRows(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

function gatherRows(raw: RawTable, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length * raw.d);
  idx.forEach((i, k) => out.set(raw.x.subarray(i * raw.d, (i + 1) * raw.d), k * raw.d));
  return out;
}
