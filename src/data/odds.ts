/**
 * The six ODDS tables of the Deep SAD paper (Ruff et al., ICLR 2020, "classic AD benchmarks"; Outlier Detection
 * DataSets, odds.cs.stonybrook.edu): MATLAB level-5 files with X (rows × features) and y (1 = outlier), read from
 * --data-dir (default data/odds/). Class 0 is normal, 1 the outliers. Networks and training as the Deep SAD code's
 * (src/networks/main.py: <name>_mlp; tables.ts: the protocol and the defaults).
 * `deep-svdd data fetch odds` downloads them from the Deep SAD code's links to the ODDS files; the MD5s are those of
 * the copies kept in the PyOD repository (notebooks/data/), which the tests of this project were checked against.
 */
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { isFile, notAFile } from '../util/files.js';
import { type DatasetSpec } from './dataset-spec.js';
import { toUrl, type FetchSource } from './fetch.js';
import { rawTable, readTableOnce, tableDefaults, tableInfo, tableScan } from './tables.js';

interface OddsTable { name: string; title: string; rows: number; features: number; hidden: number[]; repDim: number; url: string; md5: string; size: number }

/** Sizes and widths as the Deep SAD code has them; URLs of its ODDSDataset.urls; file sizes in bytes of the published .mat files (those with these MD5s). */
export const ODDS_TABLES: readonly OddsTable[] = [
  { name: 'arrhythmia', title: 'ODDS arrhythmia', rows: 452, features: 274, hidden: [128, 64], repDim: 32, url: 'https://www.dropbox.com/s/lmlwuspn1sey48r/arrhythmia.mat?dl=1', md5: '893af2390d459d18ad06b6fafc2a9b6b', size: 105540 },
  { name: 'cardio', title: 'ODDS cardio', rows: 1831, features: 21, hidden: [32, 16], repDim: 8, url: 'https://www.dropbox.com/s/galg3ihvxklf0qi/cardio.mat?dl=1', md5: '2f45c74255842964308e985baa539ca3', size: 68318 },
  { name: 'satellite', title: 'ODDS satellite', rows: 6435, features: 36, hidden: [32, 16], repDim: 8, url: 'https://www.dropbox.com/s/dpzxp8jyr9h93k5/satellite.mat?dl=1', md5: 'c23d8c622e5b75cc8365a3a455af7c1e', size: 144833 },
  { name: 'satimage-2', title: 'ODDS satimage-2', rows: 5803, features: 36, hidden: [32, 16], repDim: 8, url: 'https://www.dropbox.com/s/hckgvu9m6fs441p/satimage-2.mat?dl=1', md5: '998bdcebad144cd4e06fa9c1ab4595d5', size: 181220 },
  { name: 'shuttle', title: 'ODDS shuttle', rows: 49097, features: 9, hidden: [32, 16], repDim: 8, url: 'https://www.dropbox.com/s/mk8ozgisimfn3dw/shuttle.mat?dl=1', md5: '575e93d1a794023cc3dedc7ac7461ec2', size: 345184 },
  { name: 'thyroid', title: 'ODDS thyroid', rows: 3772, features: 6, hidden: [32, 16], repDim: 4, url: 'https://www.dropbox.com/s/bih0e15a0fukftb/thyroid.mat?dl=1', md5: '49774fb6d5b68768c8e05851a37cc711', size: 39704 },
];

export const ODDS_DIR = path.join('data', 'odds');

/** The .mat file of an ODDS table in `dir`, or a one-line error with the fix. */
function oddsFile(t: OddsTable, dir: string | undefined): string {
  const d = dir?.trim() || ODDS_DIR;
  const file = path.join(d, `${t.name}.mat`);
  const kind = notAFile(file);
  if (kind) throw new UserError(`${file} is ${kind}, not a file: the ODDS file ${t.name}.mat is expected there; remove or rename it`);
  if (!isFile(file)) throw new UserError(`${file} not found: run 'deep-svdd data fetch odds --dir ${d}' (or put ${t.name}.mat there, or pass --data-dir with the folder that holds it)`);
  return file;
}

/** All six files, for `data fetch odds` (each URL of `urls` is a folder the file names are appended to, or one file's URL). */
export function oddsSource(urls?: readonly string[]): FetchSource {
  const files = ODDS_TABLES.map((t) => {
    const name = `${t.name}.mat`;
    const list = urls && urls.length > 0
      ? urls.flatMap((u) => { const last = decodeURIComponent(toUrl(u).pathname.split('/').pop() ?? ''); return last === name ? [toUrl(u).href] : /\.mat$/.test(last) ? [] : [new URL(name, toUrl(u.endsWith('/') ? u : `${u}/`)).href]; })
      : [t.url];
    return { name, md5: t.md5, size: t.size, urls: list };
  });
  return { title: 'ODDS', files };
}

function oddsEntry(t: OddsTable): DatasetSpec {
  const defaults = tableDefaults(t.features, { hidden: t.hidden, repDim: t.repDim });
  const at = (dir: string | undefined) => ({ dataFile: oddsFile(t, dir) });
  return {
    name: t.name, title: t.title, kind: 'table', defaultDir: ODDS_DIR, classNames: ['0', '1'], net: 'mlp', defaults,
    help: `${t.name} (ODDS, ${t.rows} rows × ${t.features} features, ${t.name}.mat in --data-dir, default ${ODDS_DIR}; deep-svdd data fetch odds)`,
    scan: (loc) => tableScan(readTableOnce(at(loc.dataDir)), defaults),
    load: (o) => {
      const table = readTableOnce(at(o.explicit ? o.dataDir : undefined));
      if (table.d !== t.features) throw new UserError(`${table.source} has ${table.d} features, ODDS ${t.name} has ${t.features}: the file is another table; fetch it again with 'deep-svdd data fetch odds --force'`);
      return rawTable(table, tableInfo(t.name, t.title, table));
    },
    fetch: { as: 'odds', source: (urls) => oddsSource(urls) },
  };
}

/** The registry's ODDS entries, one per table. */
export const ODDS_DATASETS: readonly DatasetSpec[] = ODDS_TABLES.map(oddsEntry);
