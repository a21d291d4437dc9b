/**
 * The exported page's program (DIR/deep-svdd-page.js; src/web/page.ts writes this function's source after the
 * sources of the functions it calls, so the page runs the very code `score` runs): it loads the TF.js model from
 * DIR/model-data.js (the same model.json and weights, as a script, so that the page also works from file://), then
 * scores images (PNG decoded as pngjs decodes them, JPEG by the browser) or table rows (CSV) exactly as
 * src/experiments/score.ts does, and lists each input's score and decision in a table:
 *   <tr data-id="…" data-score="…" data-anomaly="1|0"> (data-error="…" for an input that could not be scored).
 * window.deepSvdd = { ready, scoreFiles(files), scoreCsv(text, name) } drives it from a script (the browser test).
 *
 * No imports reach the page: the names below are the page's globals (tf from tf.min.js, csv_parse_sync from
 * csv-parse's browser build, the functions page.ts writes), imported here only for their types.
 */
import type * as TF from '@tensorflow/tfjs';
import { fromRgba, MAX_PNG_PIXELS, type NativeImage } from '../data/inputs.js';
import { applyMinMaxInPlace, gcnInPlace, toUnitScale } from '../data/preprocess.js';
import { toModelInput } from '../data/resize.js';
import { applyTableScaler } from '../data/table-prep.js';
import { csvRows } from '../data/table-rows.js';
import { applyZca } from '../data/zca.js';
import { reconstructionLoss } from '../eval/infer.js';
import type { WebModelMeta } from './meta.js';
import { decodePngRgba } from './png-decode.js';

declare const tf: typeof TF;
declare const csv_parse_sync: { parse(input: string, options: Record<string, unknown>): string[][] };

/** model-data.js: the files of the export as one script. */
export interface ExportData {
  meta: WebModelMeta;
  modelTopology: object;
  weightSpecs: TF.io.WeightsManifestEntry[];
  /** base64 of the weights .bin */
  weights: string;
  /** base64 of zca.bin (image models trained with --zca-whitening 1) */
  zca?: string;
}

export interface PageResult { id: string; score?: number; anomaly?: boolean; error?: string }

/** A dropped or picked file, or anything with its name and bytes (a script's input: the browser test's). */
export type InputFile = Pick<File, 'name' | 'arrayBuffer'> & { webkitRelativePath?: string };

export function pageApp(data: ExportData): void {
  const meta = data.meta;
  const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const status = $<HTMLParagraphElement>('status');
  const tbody = $<HTMLTableElement>('results').tBodies[0];
  const say = (text: string, error = false) => { status.textContent = text; status.className = error ? 'error' : ''; };
  const bytesOf = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  const floats = (b64: string): Float32Array => { const b = bytesOf(b64); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
  const { height, width, channels } = meta.input;
  const d = height * width * channels;
  const table = meta.preprocessing.table;
  const zcaValues = data.zca ? floats(data.zca) : undefined;
  const zca = zcaValues && meta.preprocessing.zca ? { d: meta.preprocessing.zca.d, mean: zcaValues.slice(0, meta.preprocessing.zca.d), W: zcaValues.slice(meta.preprocessing.zca.d) } : undefined;
  const R2 = meta.R2 ?? (meta.R ?? 0) ** 2;

  const ready = (async () => {
    await tf.setBackend('cpu');
    await tf.ready();
    const weightData = bytesOf(data.weights);
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: data.modelTopology, weightSpecs: data.weightSpecs, weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer }));
    say(`Ready: ${table ? 'paste or drop table rows (CSV)' : 'drop or pick images (PNG, JPEG)'} to score them.`);
    return model;
  })();
  ready.catch((e: unknown) => say(`The model did not load: ${e instanceof Error ? e.message : String(e)}`, true));

  /** Scores of preprocessed inputs (n × d values), as score.ts's computeScores: d − R² in float32, or the reconstruction error. */
  async function scores(x: Float32Array, n: number): Promise<Float32Array> {
    const model = await ready;
    const out = new Float32Array(n);
    const batch = 256;
    for (let s = 0; s < n; s += batch) {
      const e = Math.min(n, s + batch);
      const r = tf.tidy(() => {
        const xb = tf.tensor4d(x.subarray(s * d, e * d), [e - s, height, width, channels]);
        const y = model.predict(xb) as TF.Tensor;
        if (meta.loss === 'autoencoder') return reconstructionLoss(y, xb, meta.aeLoss ?? 'l2');
        return tf.sum(tf.squaredDifference(y, tf.tensor1d(meta.c!)), 1);
      });
      const v = await r.data();
      r.dispose();
      for (let i = 0; i < e - s; i++) out[s + i] = meta.loss === 'autoencoder' ? v[i] : v[i] - R2;
    }
    return out;
  }

  function show(results: PageResult[]): void {
    for (const r of results) {
      const tr = tbody.insertRow();
      tr.dataset.id = r.id;
      const cells = [r.id, r.error ?? (r.score!.toPrecision(6)), r.error ? '—' : r.anomaly ? 'yes: anomalous' : 'no: normal'];
      for (const text of cells) tr.insertCell().textContent = text;
      if (r.error !== undefined) { tr.dataset.error = r.error; tr.className = 'error'; } else {
        tr.dataset.score = String(r.score);
        tr.dataset.anomaly = r.anomaly ? '1' : '0';
        tr.className = r.anomaly ? 'anomaly' : 'normal';
      }
    }
    const scored = results.filter((r) => r.error === undefined);
    const flagged = scored.filter((r) => r.anomaly).length;
    const failed = results.length - scored.length;
    say(`Scored ${scored.length} input${scored.length === 1 ? '' : 's'}: ${flagged} anomalous (score > ${meta.threshold}).${failed ? ` ${failed} could not be read.` : ''}`, failed > 0 && scored.length === 0);
  }

  function decide(ids: string[], s: Float32Array): PageResult[] {
    return ids.map((id, i) => (Number.isFinite(s[i]) ? { id, score: s[i], anomaly: s[i] > meta.threshold } : { id, error: `the model gives a non-finite score (${s[i]})` }));
  }

  /** One image file at the model's input size, channels last (PNG as pngjs decodes it; other formats by the browser). */
  async function readImage(file: InputFile): Promise<Uint8Array> {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let img: NativeImage;
    if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
      const rgba = await decodePngRgba(bytes, MAX_PNG_PIXELS);
      img = fromRgba(rgba.width, rgba.height, rgba.data, rgba.color);
    } else {
      let bmp: ImageBitmap;
      try {
        bmp = await createImageBitmap(new Blob([bytes]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
      } catch {
        throw new Error('not an image this page reads (PNG or JPEG)');
      }
      if (bmp.width * bmp.height > MAX_PNG_PIXELS) throw new Error(`${bmp.width}×${bmp.height} pixels, more than the ${MAX_PNG_PIXELS} an image may have here`);
      const canvas = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bmp, 0, 0);
      img = fromRgba(bmp.width, bmp.height, ctx.getImageData(0, 0, bmp.width, bmp.height).data, true);
    }
    return toModelInput(img.pixels, img, meta.input);
  }

  async function scoreImages(files: InputFile[]): Promise<PageResult[]> {
    const ids: string[] = [];
    const pixels: Uint8Array[] = [];
    const failed: PageResult[] = [];
    for (const f of files) {
      const id = f.webkitRelativePath || f.name;
      try {
        pixels.push(await readImage(f));
        ids.push(id);
      } catch (e) {
        failed.push({ id, error: e instanceof Error ? e.message : String(e) });
      }
    }
    const u8 = new Uint8Array(ids.length * d);
    pixels.forEach((p, i) => u8.set(p, i * d));
    // exactly score's preprocessing, with the model's constants
    const x = toUnitScale(u8);
    const gcn = meta.preprocessing.gcn ?? 'l1';
    if (gcn !== 'none' && ids.length) gcnInPlace(x, d, gcn);
    if (zca && ids.length) applyZca(x, zca);
    applyMinMaxInPlace(x, meta.preprocessing.min, meta.preprocessing.max);
    return [...decide(ids, await scores(x, ids.length)), ...failed];
  }

  async function scoreCsv(text: string, name = 'pasted rows'): Promise<PageResult[]> {
    if (!table) throw new Error('this model scores images, not table rows');
    const fail = (problem: string, fix: string) => new Error(`${name}: ${problem}; ${fix}`);
    let records: string[][];
    try {
      records = csv_parse_sync.parse(text, { delimiter: /\.tsv$/i.test(name) ? '\t' : ',', bom: true, trim: true, skip_empty_lines: true });
    } catch (e) {
      throw fail(e instanceof Error ? e.message.replace(/\s+/g, ' ') : String(e), 'fix the CSV syntax');
    }
    const rows = csvRows(records, table.features, fail);
    const x = applyTableScaler(rows.x, rows.n, table.features.length, table);
    return decide(rows.ids, await scores(x, rows.n));
  }

  /** Scores dropped or picked files (images, or CSV files for a table model) and lists them. */
  async function scoreFiles(files: InputFile[]): Promise<PageResult[]> {
    say(`Scoring ${files.length} file${files.length === 1 ? '' : 's'}…`);
    try {
      let results: PageResult[] = [];
      if (table) {
        for (const f of files) {
          try { results.push(...await scoreCsv(new TextDecoder().decode(await f.arrayBuffer()), f.name)); } catch (e) { results.push({ id: f.name, error: e instanceof Error ? e.message : String(e) }); }
        }
      } else {
        results = await scoreImages(files);
      }
      show(results);
      return results;
    } catch (e) {
      say(e instanceof Error ? e.message : String(e), true);
      return [];
    }
  }

  async function scorePasted(text: string, name?: string): Promise<PageResult[]> {
    try {
      const results = await scoreCsv(text, name);
      show(results);
      return results;
    } catch (e) {
      say(e instanceof Error ? e.message : String(e), true);
      return [];
    }
  }

  const picker = $<HTMLInputElement>('pick');
  picker.addEventListener('change', () => { void scoreFiles([...(picker.files ?? [])]); picker.value = ''; });
  const drop = $<HTMLDivElement>('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    void scoreFiles([...(e.dataTransfer?.files ?? [])]);
  });
  const paste = $<HTMLTextAreaElement>('paste');
  $<HTMLButtonElement>('score-paste').addEventListener('click', () => { void scorePasted(paste.value); });
  $<HTMLButtonElement>('clear').addEventListener('click', () => { tbody.replaceChildren(); say('Cleared.'); });
  (window as unknown as { deepSvdd: object }).deepSvdd = { ready: ready.then(() => true, () => false), scoreFiles, scoreCsv: scorePasted };
}
