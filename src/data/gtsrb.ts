/**
 * GTSRB stop signs (the paper's adversarial-examples experiment), in the layout of the original code:
 *
 *   <root>/Final_Training/Images/00014/GT-00014.csv   ';'-separated, a header row: Filename;Width;Height;Roi.X1;
 *                                                     Roi.Y1;Roi.X2;Roi.Y2;ClassId
 *   <root>/Final_Training/Images/00014/*.ppm          the images (binary PPM)
 *   <root>/Images_150.npy, <root>/Labels_150.npy      adversarial test images (M, 3, 32, 32), 0..255, and labels (M,);
 *                                                     those with label 1 are the outliers (optional, see below)
 *
 * <root> is --data-dir itself, or its data_gtsrb/ or GTSRB/ subfolder (default: data/data_gtsrb, data/GTSRB, data).
 * Each image is cropped to its region of interest — rows Roi.Y1..Roi.Y2, columns Roi.X1..Roi.X2, end exclusive as
 * in the original's slices (the original indexed rows by X and columns by Y, swapping the axes) — and resized to
 * 32×32 by bilinear interpolation (src/data/resize.ts, OpenCV's INTER_LINEAR convention).
 *
 * Split, after the original: a seeded permutation of the stop signs; the first 100 (100 of 780 in the real data; with
 * fewer images the same share, round(n·100/780), at least 1) are the normal test images, the rest train.
 * Outliers (label 1): the adversarial images with label 1 when both .npy files are present; otherwise, so the
 * experiment still runs, as many images of the OTHER GTSRB classes found under Final_Training/Images as there are
 * normal test images, drawn with the seed from all of them (a "stop sign vs other traffic signs" test, not the
 * paper's adversarial one; the log and results.json say which).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { UserError } from '../util/errors.js';
import { readFailure, readRegular, readWholeFile } from '../util/files.js';
import { permutation, subRng } from '../util/rng.js';
import { parseNpy, readNpy } from './npy.js';
import { decodePpm } from './ppm.js';
import { resizeBilinearU8 } from './resize.js';
import { type DatasetSpec } from './dataset-spec.js';

export const GTSRB_STOP_CLASS = 14;
export const GTSRB_CLASS_NAMES = ['stop_sign', 'outlier'];
export const GTSRB_SIDE = 32;
/** the original's normal test images, out of the 780 stop signs of GTSRB's training set */
export const GTSRB_TEST_NORMAL = 100;
export const GTSRB_TRAIN_TOTAL = 780;

const CLASS_DIR = (c: number) => String(c).padStart(5, '0');
const IMAGES = path.join('Final_Training', 'Images');

export interface GtsrbRow { file: string; width: number; height: number; x1: number; y1: number; x2: number; y2: number; classId: number }

export interface GtsrbData {
  source: string;
  /** 'adversarial' (Images_150.npy) or 'other-classes' (the fallback) */
  outliers: 'adversarial' | 'other-classes';
  train: { images: Uint8Array; labels: Uint8Array; n: number };
  test: { images: Uint8Array; labels: Uint8Array; n: number };
}

/** The folder holding Final_Training/ (and the .npy files). */
export function locateGtsrb(dataDir: string, explicit: boolean): string {
  const roots = explicit ? [dataDir, path.join(dataDir, 'data_gtsrb'), path.join(dataDir, 'GTSRB')]
    : [path.join(dataDir, 'data_gtsrb'), path.join(dataDir, 'GTSRB'), dataDir];
  const csv = (r: string) => path.join(r, IMAGES, CLASS_DIR(GTSRB_STOP_CLASS), `GT-${CLASS_DIR(GTSRB_STOP_CLASS)}.csv`);
  const found = roots.find((r) => fs.existsSync(csv(r)));
  if (found) return found;
  const withFolder = roots.find((r) => fs.existsSync(path.join(r, IMAGES, CLASS_DIR(GTSRB_STOP_CLASS))));
  if (withFolder) throw new UserError(`GTSRB: ${csv(withFolder)} not found: the class folder needs its annotation file GT-00014.csv (from GTSRB_Final_Training_Images.zip)`);
  throw new UserError(`GTSRB: no ${path.join(IMAGES, '00014', 'GT-00014.csv')} under ${roots.join(', ')}: unpack GTSRB_Final_Training_Images.zip there (or pass --data-dir)`);
}

/** Parses a GT-xxxxx.csv annotation file. */
export function parseGtCsv(text: string, name: string): GtsrbRow[] {
  let records: string[][];
  try {
    // ';'-separated, cells trimmed, blank lines skipped, \n or \r\n
    records = parse(text, { delimiter: ';', trim: true, skip_empty_lines: true, relax_column_count: true, record_delimiter: ['\r\n', '\n'] });
  } catch (e) {
    throw new UserError(`${name}: not a ';'-separated annotation file (${(e as Error).message.split('\n')[0]})`);
  }
  if (records.length === 0) throw new UserError(`${name}: empty annotation file`);
  const head = records[0];
  const col = (c: string) => {
    const i = head.indexOf(c);
    if (i < 0) throw new UserError(`${name}: no column ${c} in the header (${head.join(';')}): expected Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId`);
    return i;
  };
  const idx = { file: col('Filename'), width: col('Width'), height: col('Height'), x1: col('Roi.X1'), y1: col('Roi.Y1'), x2: col('Roi.X2'), y2: col('Roi.Y2'), classId: col('ClassId') };
  return records.slice(1).map((f, k) => {
    const num = (key: keyof typeof idx) => {
      const v = Number(f[idx[key]]);
      if (f[idx[key]] === undefined || f[idx[key]] === '' || !Number.isInteger(v) || v < 0) throw new UserError(`${name}, line ${k + 2}: ${key} is not a whole number ≥ 0 (${JSON.stringify(f[idx[key]] ?? '')})`);
      return v;
    };
    const file = f[idx.file];
    if (!file || file.includes('/') || file.includes('\\') || file.startsWith('.')) throw new UserError(`${name}, line ${k + 2}: invalid file name ${JSON.stringify(file ?? '')}`);
    return { file, width: num('width'), height: num('height'), x1: num('x1'), y1: num('y1'), x2: num('x2'), y2: num('y2'), classId: num('classId') };
  });
}

/** Crops one decoded image to its region of interest (rows y1..y2, columns x1..x2, end exclusive) and resizes it. */
export function cropAndResize(img: { pixels: Uint8Array; height: number; width: number; channels: number }, row: GtsrbRow, name: string, side = GTSRB_SIDE): Uint8Array {
  const x2 = Math.min(row.x2, img.width);
  const y2 = Math.min(row.y2, img.height);
  if (row.x1 >= x2 || row.y1 >= y2) throw new UserError(`${name}: empty region of interest (${row.x1},${row.y1})–(${row.x2},${row.y2}) in a ${img.width}×${img.height} image`);
  const h = y2 - row.y1;
  const w = x2 - row.x1;
  const c = img.channels;
  const crop = new Uint8Array(h * w * c);
  for (let y = 0; y < h; y++) {
    const s = ((row.y1 + y) * img.width + row.x1) * c;
    crop.set(img.pixels.subarray(s, s + w * c), y * w * c);
  }
  return resizeBilinearU8(crop, { height: h, width: w, channels: c }, side, side);
}

function readClass(root: string, classId: number): { dir: string; rows: GtsrbRow[] } {
  const dir = path.join(root, IMAGES, CLASS_DIR(classId));
  const csv = path.join(dir, `GT-${CLASS_DIR(classId)}.csv`);
  if (!fs.existsSync(csv)) throw new UserError(`GTSRB: ${csv} not found: the class folder needs its annotation file`);
  return { dir, rows: parseGtCsv(Buffer.from(readWholeFile(csv, 'the GTSRB annotation file')).toString('utf8'), csv) };
}

function loadImages(dir: string, rows: GtsrbRow[]): Uint8Array {
  const d = GTSRB_SIDE * GTSRB_SIDE * 3;
  const out = new Uint8Array(rows.length * d);
  rows.forEach((r, i) => {
    const file = path.join(dir, r.file);
    let buf: Buffer;
    try { buf = readRegular(file); } catch (e) { throw new UserError(`GTSRB: ${file} (listed in the annotation file) cannot be read (${readFailure(e)}); restore it or remove its line`); }
    const img = decodePpm(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), file);
    if (img.channels !== 3) throw new UserError(`${file}: a gray image; GTSRB images are RGB (P6)`);
    out.set(cropAndResize(img, r, file), i * d);
  });
  return out;
}

/** Number of normal test images for n stop signs: 100 of 780 as in the original, the same share of fewer. */
export function nTestNormal(n: number): number {
  if (n < 2) throw new UserError(`GTSRB: ${n} stop-sign image(s): at least 2 are needed (training and test)`);
  return Math.min(n - 1, Math.max(1, Math.min(GTSRB_TEST_NORMAL, Math.round((n * GTSRB_TEST_NORMAL) / GTSRB_TRAIN_TOTAL))));
}

/** Adversarial images with label 1 from Images_150.npy / Labels_150.npy, channels last, rounded to 0..255. */
export function readAdversarial(imagesFile: string, labelsFile: string): Uint8Array {
  const imgs = readNpy(imagesFile, { dtypes: ['u1', 'f4', 'f8'], shape: [-1, 3, GTSRB_SIDE, GTSRB_SIDE], what: 'adversarial images (M, 3, 32, 32), values 0..255' });
  const labels = readNpy(labelsFile, { dtypes: ['u1', 'i1', 'i2', 'i4', 'i8', 'u2', 'u4', 'u8', 'f4', 'f8', 'b1'], shape: [-1], what: 'labels (M,), 1 = adversarial' });
  return adversarialFromArrays(imgs, labels, imagesFile, labelsFile);
}

export function adversarialFromArrays(imgs: ReturnType<typeof parseNpy>, labels: ReturnType<typeof parseNpy>, imagesFile: string, labelsFile: string): Uint8Array {
  const m = imgs.shape[0];
  if (labels.shape[0] !== m) throw new UserError(`${labelsFile}: ${labels.shape[0]} labels for the ${m} images of ${imagesFile}: they must match`);
  const keep: number[] = [];
  for (let i = 0; i < m; i++) if (labels.data[i] === 1) keep.push(i);
  if (keep.length === 0) throw new UserError(`${labelsFile}: no label is 1, so there are no adversarial images to test on`);
  const plane = GTSRB_SIDE * GTSRB_SIDE;
  const out = new Uint8Array(keep.length * plane * 3);
  keep.forEach((src, k) => {
    for (let p = 0; p < plane; p++) {
      for (let ch = 0; ch < 3; ch++) {
        const v = imgs.data[src * 3 * plane + ch * plane + p];
        if (!Number.isFinite(v)) throw new UserError(`${imagesFile}: image ${src} has a non-finite value`);
        out[(k * plane + p) * 3 + ch] = Math.min(255, Math.max(0, Math.round(v)));
      }
    }
  });
  return out;
}

export function loadGtsrb(dataDir: string, explicit: boolean, seed: number): GtsrbData {
  const root = locateGtsrb(dataDir, explicit);
  const stop = readClass(root, GTSRB_STOP_CLASS);
  const n = stop.rows.length;
  const nTest = nTestNormal(n);
  const perm = permutation(n, subRng(seed, 'gtsrb-split'));
  const testRows = Array.from(perm.subarray(0, nTest)).sort((a, b) => a - b).map((i) => stop.rows[i]);
  const trainRows = Array.from(perm.subarray(nTest)).sort((a, b) => a - b).map((i) => stop.rows[i]);
  const d = GTSRB_SIDE * GTSRB_SIDE * 3;
  const train = loadImages(stop.dir, trainRows);
  const testNormal = loadImages(stop.dir, testRows);

  const imagesFile = path.join(root, 'Images_150.npy');
  const labelsFile = path.join(root, 'Labels_150.npy');
  const hasImages = fs.existsSync(imagesFile);
  const hasLabels = fs.existsSync(labelsFile);
  if (hasImages !== hasLabels) {
    throw new UserError(`GTSRB: ${hasImages ? imagesFile : labelsFile} is there but ${hasImages ? labelsFile : imagesFile} is not: the adversarial set needs both (or neither, for the other-classes outliers)`);
  }
  let outliers: Uint8Array;
  let kind: GtsrbData['outliers'];
  if (hasImages) {
    outliers = readAdversarial(imagesFile, labelsFile);
    kind = 'adversarial';
  } else {
    outliers = otherClassOutliers(root, nTest, seed);
    kind = 'other-classes';
  }
  const nOut = outliers.length / d;
  const test = new Uint8Array((nTest + nOut) * d);
  test.set(testNormal); test.set(outliers, nTest * d);
  const labels = new Uint8Array(nTest + nOut);
  labels.fill(1, nTest);
  return {
    source: `GTSRB ${root} (class 14: ${n} stop signs, ${n - nTest} train / ${nTest} test; ${nOut} ${kind === 'adversarial' ? 'adversarial images from Images_150.npy' : 'images of other classes as outliers (no Images_150.npy)'})`,
    outliers: kind,
    train: { images: train, labels: new Uint8Array(n - nTest), n: n - nTest },
    test: { images: test, labels, n: nTest + nOut },
  };
}

/** The fallback outliers: k images drawn with the seed from every other class folder that has an annotation file. */
function otherClassOutliers(root: string, k: number, seed: number): Uint8Array {
  const imagesDir = path.join(root, IMAGES);
  const classes = fs.readdirSync(imagesDir).filter((e) => /^\d{5}$/.test(e) && Number(e) !== GTSRB_STOP_CLASS)
    .filter((e) => fs.existsSync(path.join(imagesDir, e, `GT-${e}.csv`))).sort();
  const pool: Array<{ dir: string; row: GtsrbRow }> = [];
  for (const c of classes) {
    const { dir, rows } = readClass(root, Number(c));
    for (const row of rows) pool.push({ dir, row });
  }
  if (pool.length === 0) {
    throw new UserError(`GTSRB: no outliers: neither Images_150.npy + Labels_150.npy nor another class folder (with its GT-xxxxx.csv) in ${root}: add one of them`);
  }
  const pick = Array.from(permutation(pool.length, subRng(seed, 'gtsrb-outliers')).subarray(0, Math.min(k, pool.length))).sort((a, b) => a - b);
  const d = GTSRB_SIDE * GTSRB_SIDE * 3;
  const out = new Uint8Array(pick.length * d);
  pick.forEach((p, i) => out.set(loadImages(pool[p].dir, [pool[p].row]), i * d));
  return out;
}

/** The dataset registry's GTSRB entry: stop signs (normal) against adversarial stop signs (README, GTSRB). */
export const GTSRB_DATASET: DatasetSpec = {
  name: 'gtsrb', title: 'GTSRB stop signs', kind: 'image', defaultDir: 'data',
  help: 'gtsrb (stop signs against adversarial images; README, GTSRB)',
  classNames: GTSRB_CLASS_NAMES, net: 'gtsrb_LeNet',
  // the split of the stop signs into training and test images depends on the seed
  load: (o) => { const g = loadGtsrb(o.dataDir, o.explicit, o.seed); return { kind: 'image', source: g.source, train: g.train, test: g.test }; },
  checkClasses: (normal, outlier) => (normal.join() !== '0' || !['-1', '1'].includes(outlier.join())
    ? '--dataset gtsrb has one normal class, the stop signs (0), and one outlier class (1): drop --normal and --outlier' : undefined),
};
