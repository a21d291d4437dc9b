/**
 * What a dataset is to deep-svdd: one entry of the dataset registry (registry.ts). Each dataset's file exports its
 * entry; the registry lists them. Option choices and help, class parsing, the defaults of a run, `data fetch` and
 * the loaders all come from the entry.
 */
import { type NetKind, type SettingDefaults } from '../nn/architectures.js';
import { type FetchSource } from './fetch.js';

/** Where the files of a dataset are, as the options give it. */
export interface DataLocation {
  /** --data-dir (undefined: the dataset's default folder) */
  dataDir?: string;
  /** --data-file (table datasets) */
  dataFile?: string;
  /** --label-column (table datasets) */
  labelColumn?: string;
  /** --label-file (.npy tables) */
  labelFile?: string;
  /** --image-size HxWxC (folder datasets) */
  imageSize?: string;
  /** --semi-label-column (table datasets): a column of semi-supervised labels +1 / 0 / −1, not a feature */
  semiLabelColumn?: string;
}

/** What option parsing needs from the data of a dataset whose classes or shape come from its files. */
export interface DatasetScan {
  classNames: readonly string[];
  net: NetKind;
  /** table datasets: the number of features */
  inputDim?: number;
  /** the dataset's own defaults as the data decide them (table widths); its network's come first, added by option parsing */
  defaults: SettingDefaults;
  /** folder datasets: --image-size, normalised */
  imageSize?: string;
}

export interface LoadOptions extends DataLocation {
  /** the folder to read (the dataset's default folder when not given) */
  dataDir: string;
  /** --data-dir was given */
  explicit: boolean;
  seed: number;
}

/** Raw images (uint8, channels last) and labels of both splits. */
export interface RawImages {
  kind: 'image';
  source: string;
  train: { images: Uint8Array; labels: Uint8Array; n: number };
  test: { images: Uint8Array; labels: Uint8Array; n: number };
}

/** A table: rows of numbers and a class per row; the train/test split is the run's (src/data/tables.ts). */
export interface RawTable {
  kind: 'table';
  source: string;
  /** n × d values, row-major */
  x: Float64Array;
  n: number;
  d: number;
  featureNames: string[];
  /** class index of each row */
  labels: Uint8Array;
  /** --semi-label-column: each row's semi-supervised label (+1 / 0 / −1) */
  semiLabels?: Int8Array;
}

/** What a loader returns; `info` where the dataset is only known from the data (folders, tables). */
export type RawData = (RawImages | RawTable) & { info?: DatasetInfo };

/** A dataset as a run sees it once its data are known. */
export interface DatasetInfo {
  name: string;
  title: string;
  kind: 'image' | 'table';
  classNames: readonly string[];
  net: NetKind;
  height: number;
  width: number;
  channels: number;
  /** table datasets: the feature names, in column order */
  featureNames?: string[];
}

export interface DatasetSpec {
  name: string;
  title: string;
  /** one line for --dataset's help */
  help: string;
  kind: 'image' | 'table';
  /** classes fixed by the dataset (absent: read from the data by `scan`) */
  classNames?: readonly string[];
  /** the network (absent: chosen by `scan` from the data) */
  net?: NetKind;
  /** the dataset's own training defaults, on top of its network's */
  defaults?: SettingDefaults;
  /** the folder its files are read from when --data-dir is not given */
  defaultDir: string;
  /** the location options besides --data-dir it reads (--image-size for folders, --data-file ... for tables) */
  takes?: ReadonlyArray<Exclude<keyof DataLocation, 'dataDir'>>;
  /** reads what option parsing needs (datasets whose classes or network come from the data) */
  scan?(at: DataLocation): DatasetScan;
  load(o: LoadOptions): RawData;
  /** `deep-svdd data fetch NAME`: the published files with their MD5s (absent: there is nothing to download) */
  fetch?: {
    /** the name `data fetch` takes (default: the dataset's); datasets that share their files share it (odds) */
    as?: string;
    formats?: readonly string[];
    source(urls?: readonly string[], format?: string): FetchSource;
  };
  /** the dataset's rule on --normal / --outlier, as a one-line fix (e.g. GTSRB's fixed pair), or undefined */
  checkClasses?(normal: number[], outlier: number[]): string | undefined;
}
