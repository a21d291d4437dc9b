/**
 * The exported page's files: index.html, deep-svdd-page.js (the program) and model-data.js (the model as a script).
 * The program is made of the SOURCE TEXT of the functions `score` itself runs (channel conversion and resizing,
 * GCN, ZCA, min–max, the table scaling, the CSV rows, the reconstruction error; Function.prototype.toString of the
 * compiled modules), the PNG decoder (png-decode.ts) and pageApp (page-app.ts): one definition of each, and no
 * build step. No network: tf.min.js and csv-parse's browser build are copied next to it.
 */
import { fromRgba, MAX_PNG_PIXELS } from '../data/inputs.js';
import { applyMinMaxInPlace, gcnInPlace, toUnitScale } from '../data/preprocess.js';
import { convertChannels, luma601, resizeBilinear, resizeBilinearU8, sampleAxis, toModelInput } from '../data/resize.js';
import { MAX_TABLE_CELLS } from '../data/table-file.js';
import { applyTableScaler } from '../data/table-prep.js';
import { csvRows, DECIMAL } from '../data/table-rows.js';
import { applyZca } from '../data/zca.js';
import { reconstructionLoss } from '../eval/infer.js';
import { check, UserError } from '../util/errors.js';
import type { ExportData } from './page-app.js';
import { pageApp } from './page-app.js';
import { decodePngRgba } from './png-decode.js';

/** The scripts the page loads, in order (the first two copied from node_modules, see export.ts). */
export const PAGE_SCRIPTS = ['tf.min.js', 'csv-parse-sync.js', 'model-data.js', 'deep-svdd-page.js'] as const;

/** Functions whose source the page runs; their module-level constants follow in PAGE_CONSTANTS. */
const PAGE_FUNCTIONS: ReadonlyArray<(...args: never[]) => unknown> = [
  check, luma601, convertChannels, sampleAxis, resizeBilinear, resizeBilinearU8, toModelInput,
  toUnitScale, gcnInPlace, applyMinMaxInPlace, applyZca, applyTableScaler, fromRgba, csvRows, reconstructionLoss,
  decodePngRgba, pageApp,
];

const PAGE_CONSTANTS: Record<string, unknown> = { MAX_PNG_PIXELS, MAX_TABLE_CELLS };

/** deep-svdd-page.js: the functions' sources, then the call of pageApp on model-data.js's data. */
export function pageScript(): string {
  const fns = PAGE_FUNCTIONS.map((f) => {
    const src = f.toString();
    if (!src.startsWith('function ') && !src.startsWith('async function ')) throw new Error(`${f.name} is not a plain function declaration`);
    return src;
  });
  return [
    '// deep-svdd export: the scoring code of `deep-svdd score` (its sources, src/data, src/eval, src/web), for this page',
    '"use strict";',
    '(function () {',
    UserError.toString(),
    ...Object.entries(PAGE_CONSTANTS).map(([k, v]) => `const ${k} = ${JSON.stringify(v)};`),
    `const DECIMAL = ${DECIMAL.toString()};`,
    ...fns,
    'pageApp(window.DEEP_SVDD_EXPORT);',
    '})();',
    '',
  ].join('\n');
}

/** model-data.js: the export's model and constants as a script (a page opened from file:// cannot fetch files). */
export function dataScript(data: ExportData): string {
  return `// deep-svdd export: model.json, its weights and deep-svdd.json, for index.html\nwindow.DEEP_SVDD_EXPORT = ${JSON.stringify(data)};\n`;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** index.html: the model in one line, the inputs (drop zone, file picker, CSV box for table models) and the results table. */
export function indexHtml(data: ExportData): string {
  const m = data.meta;
  const isTable = m.preprocessing.table !== undefined;
  const scoreRule = m.loss === 'svdd' ? `score = ‖φ(x) − c‖² − R² (R² = ${m.R2 ?? (m.R ?? 0) ** 2})` : `score = reconstruction error (${m.aeLoss ?? 'l2'})`;
  const normal = m.classes.names ? m.classes.normal.map((c) => m.classes.names?.[c] ?? String(c)) : m.classes.normal.map(String);
  const what = isTable
    ? `table rows with the columns ${m.preprocessing.table!.features.join(', ')}`
    : `${m.input.width}×${m.input.height} ${m.input.channels === 1 ? 'gray' : 'colour'} images (other sizes are resized, colour converted)`;
  const accept = isTable ? '.csv,.tsv,text/csv' : 'image/png,image/jpeg';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>deep-svdd: ${escapeHtml(m.dataset)} model</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 56rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
.model { color: #555; margin-top: 0; }
#drop { border: 2px dashed #999; border-radius: 8px; padding: 1.5rem; text-align: center; margin: 1rem 0; }
#drop.over { border-color: #0a6; background: #efe; }
textarea { width: 100%; min-height: 6rem; font: 13px monospace; box-sizing: border-box; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; }
td:nth-child(2) { font-variant-numeric: tabular-nums; }
tr.anomaly td:nth-child(3) { color: #b00; font-weight: 600; }
tr.normal td:nth-child(3) { color: #070; }
tr.error td { color: #b00; }
#status.error { color: #b00; font-weight: 600; }
</style>
</head>
<body>
<h1>deep-svdd: ${escapeHtml(m.dataset)} model (normal: ${escapeHtml(normal.join(', '))})</h1>
<p class="model">${escapeHtml(m.network.kind)} ${escapeHtml(m.network.role)}, ${escapeHtml(m.loss === 'svdd' ? `${m.objective ?? 'one-class'} Deep SVDD` : 'autoencoder')}. It takes ${escapeHtml(what)}.
${escapeHtml(scoreRule)}; an input is <b>anomalous when its score &gt; ${m.threshold}</b>. Everything runs in this page; nothing is sent anywhere.</p>
<div id="drop">Drop ${isTable ? 'CSV files' : 'PNG or JPEG images'} here, or <input type="file" id="pick" multiple accept="${accept}"></div>
<div${isTable ? '' : ' hidden'}>
<textarea id="paste" placeholder="or paste CSV rows here: a header row with the model's columns, then one row per input (an id column names them)"></textarea>
<button id="score-paste" type="button">Score the pasted rows</button>
</div>
<p id="status" role="status">Loading the model…</p>
<table id="results"><thead><tr><th>input</th><th>score</th><th>anomalous?</th></tr></thead><tbody></tbody></table>
<p><button id="clear" type="button">Clear the results</button></p>
${PAGE_SCRIPTS.map((s) => `<script src="${s}"></script>`).join('\n')}
</body>
</html>
`;
}
