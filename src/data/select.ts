/**
 * Normal/outlier class selection with the semantics of the original Deep SVDD code:
 *  - training set: the training samples of the normal class(es) only;
 *  - test set: the test samples of the normal (label 0) and outlier (label 1) classes, in original test order;
 *  - -1 on one side means "every class not on the other side".
 */
import { check, UserError } from '../util/errors.js';
import { permutation, subRng, type Rng } from '../util/rng.js';

export interface ClassSelection {
  normal: number[];
  outlier: number[];
}

export interface Split {
  /** indices into the training set (ascending) */
  trainIdx: Int32Array;
  /** indices into the test set (ascending = original test order) */
  testIdx: Int32Array;
  /** 0 = normal, 1 = outlier, aligned with testIdx */
  testLabels: Uint8Array;
}

/**
 * Parses a class option value: "0", "0,1,2" or "-1" (all classes not on the other side, returned as [-1]).
 * With `classNames` (CIFAR-10, folder datasets), an item may also be a class name, matched exactly ("cat",
 * "zero,7"); an item equal to a class name means that class even when it looks like a number (a folder dataset
 * with folders 1, 2, 10: "10" is the folder "10"), any other number is an index.
 * Returns the classes sorted ascending without duplicates.
 */
export function parseClassList(value: string, nClasses: number, optionName: string, classNames?: readonly string[]): number[] {
  const usage = classNames
    ? `use a class name (${listNames(classNames)}), an index 0..${nClasses - 1}, a comma-separated list, or -1 for all others`
    : `use a class index 0..${nClasses - 1}, a comma-separated list, or -1 for all others`;
  const text = String(value).trim();
  check(text.length > 0, `${optionName} is empty: ${usage}`);
  const parts = text.split(',').map((s) => s.trim());
  const out = new Set<number>();
  for (const p of parts) {
    if (p === '-1') {
      check(parts.length === 1, `${optionName} ${text}: -1 (all others) cannot be combined with other classes: ${usage}`);
      return [-1];
    }
    const named = classNames && p !== '' ? classNames.indexOf(p) : -1;
    if (named >= 0) {
      out.add(named);
      continue;
    }
    if (classNames && !/^[+-]?\d+$/.test(p)) {
      throw new UserError(`${optionName} ${JSON.stringify(p === '' ? text : p)} is not a class name or index: the classes are ${listNames(classNames)}; use one of them, an index 0..${nClasses - 1}, a comma-separated list, or -1 for all others`);
    }
    check(/^[+-]?\d+$/.test(p), `${optionName} ${JSON.stringify(p === '' ? text : p)} is not a class index: ${usage}`);
    const c = Number(p);
    if (c === -1) {
      check(parts.length === 1, `${optionName} ${text}: -1 (all others) cannot be combined with other classes: ${usage}`);
      return [-1];
    }
    check(c >= 0 && c < nClasses, `${optionName} ${p} is out of range: ${usage}`);
    out.add(c);
  }
  return [...out].sort((a, b) => a - b);
}

/** Class names for messages: all of them up to 20, else the first 20 and the count. */
function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 20).join(', ');
  return names.length > 20 ? `${shown}, … (${names.length} in all)` : shown;
}

/**
 * Expands -1 ("all classes not on the other side") and checks the two sides are disjoint and non-empty.
 * Option names --normal / --outlier are used in error messages.
 */
export function resolveClasses(normal: number[], outlier: number[], nClasses: number): ClassSelection {
  const isAll = (a: number[]) => a.length === 1 && a[0] === -1;
  check(
    !(isAll(normal) && isAll(outlier)),
    '--normal and --outlier cannot both be -1: name the normal class(es) with --normal (e.g. --normal 0) and leave --outlier at -1 for all others',
  );
  for (const [name, list] of [['--normal', normal], ['--outlier', outlier]] as const) {
    if (isAll(list)) continue;
    for (const c of list) {
      check(
        Number.isInteger(c) && c >= 0 && c < nClasses,
        `${name} ${c} is out of range: use a class index 0..${nClasses - 1}, a comma-separated list, or -1 for all others`,
      );
    }
  }
  const all = Array.from({ length: nClasses }, (_, i) => i);
  const uniq = (a: number[]) => [...new Set(a)].sort((x, y) => x - y);
  const n = isAll(normal) ? all.filter((c) => !outlier.includes(c)) : uniq(normal);
  const o = isAll(outlier) ? all.filter((c) => !normal.includes(c)) : uniq(outlier);
  const both = n.filter((c) => o.includes(c));
  check(
    both.length === 0,
    `class${both.length > 1 ? 'es' : ''} ${both.join(',')} ${both.length > 1 ? 'are' : 'is'} in both --normal and --outlier: a class can be normal or outlier, not both; remove it from one of them`,
  );
  check(n.length > 0, `--normal selects no class: --outlier ${o.join(',')} already lists all ${nClasses} classes; give fewer outlier classes`);
  check(o.length > 0, `--outlier selects no class: --normal ${n.join(',')} already lists all ${nClasses} classes; give fewer normal classes`);
  return { normal: n, outlier: o };
}

function classMask(classes: number[]): Uint8Array {
  const mask = new Uint8Array(256);
  for (const c of classes) if (c >= 0 && c < 256) mask[c] = 1;
  return mask;
}

/** Indices (ascending) of the samples whose label is in `classes`. */
export function selectIndices(labels: Uint8Array, classes: number[]): Int32Array {
  const mask = classMask(classes);
  let count = 0;
  for (let i = 0; i < labels.length; i++) count += mask[labels[i]];
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < labels.length; i++) if (mask[labels[i]]) out[k++] = i;
  return out;
}

/**
 * Training set = training samples of the normal classes. Test set = test samples of the normal (label 0) and
 * outlier (label 1) classes, in original test order, with their original test index.
 */
export function buildSplit(trainLabels: Uint8Array, testLabels: Uint8Array, classes: ClassSelection): Split {
  const trainIdx = selectIndices(trainLabels, classes.normal);
  check(trainIdx.length > 0, `no training samples of the normal class(es) ${classes.normal.join(',')}; choose other classes with --normal`);
  const normalMask = classMask(classes.normal);
  const outlierMask = classMask(classes.outlier);
  let count = 0;
  for (let i = 0; i < testLabels.length; i++) count += normalMask[testLabels[i]] | outlierMask[testLabels[i]];
  const testIdx = new Int32Array(count);
  const y = new Uint8Array(count);
  let k = 0;
  for (let i = 0; i < testLabels.length; i++) {
    const l = testLabels[i];
    if (normalMask[l]) {
      testIdx[k] = i;
      y[k++] = 0;
    } else if (outlierMask[l]) {
      testIdx[k] = i;
      y[k++] = 1;
    }
  }
  return { trainIdx, testIdx, testLabels: y };
}

/**
 * A seeded random subset of k of the indices, returned sorted ascending; all of them if k is undefined or not
 * smaller than their number. `optionName` names the option in the error for k <= 0.
 */
export function seededSubset(idx: Int32Array, k: number | undefined, rng: Rng, optionName = 'subset size'): Int32Array {
  if (k === undefined) return idx;
  check(Number.isInteger(k) && k > 0, `${optionName} ${k} is invalid: use a positive whole number of samples, or leave it out to use all`);
  if (k >= idx.length) return idx;
  const p = permutation(idx.length, rng);
  const out = new Int32Array(k);
  for (let i = 0; i < k; i++) out[i] = idx[p[i]];
  return out.sort();
}

/** Copies the images at `idx` (each of `d` bytes) into a new contiguous array. */
export function gatherImages(images: Uint8Array, d: number, idx: Int32Array): Uint8Array {
  const n = images.length / d;
  const out = new Uint8Array(idx.length * d);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    if (!(i >= 0 && i < n)) throw new RangeError(`gatherImages: index ${i} out of range 0..${n - 1}`);
    out.set(images.subarray(i * d, (i + 1) * d), k * d);
  }
  return out;
}

/** --n-train's seeded subset of the normal candidates and --val-frac's disjoint seeded validation subset of it. */
export function normalSelection(normal: Int32Array, o: { seed: number; nTrain?: number; valFrac?: number }): { keptNormal: Int32Array; valIdx: Int32Array } {
  const normalIdx = seededSubset(normal, o.nTrain, subRng(o.seed, 'train-subset'), '--n-train');
  const nVal = Math.floor((o.valFrac ?? 0) * normalIdx.length);
  const valPerm = permutation(normalIdx.length, subRng(o.seed, 'validation'));
  const valIdx = Int32Array.from(valPerm.subarray(0, nVal), (k) => normalIdx[k]).sort();
  const keptNormal = Int32Array.from(valPerm.subarray(nVal), (k) => normalIdx[k]).sort();
  return { keptNormal, valIdx };
}

/**
 * The training set of a run, from its normal training candidates and the outlier pool, for images and tables alike:
 * --n-train's seeded subset of the normal ones, --val-frac's disjoint seeded validation subset of those, and
 * --out-frac's ceil(f·n/(1−f)) seeded outliers joining the rest (the original's rule). `outliersAre` names the pool
 * in the error when it is too small. With a validation split, `valOutIdx` holds ceil(v·n_val/(1−v)) further seeded
 * outliers of the pool (v = --val-contamination; as many as are left), disjoint from the training set's: the
 * validation split's anomalies, which choose a threshold (src/experiments/threshold-choice.ts) and train nothing.
 */
export function trainingSelection(
  normal: Int32Array, outlierPool: Int32Array, o: { seed: number; nTrain?: number; valFrac?: number; outFrac?: number; valContamination?: number }, outliersAre: string,
): { trainIdx: Int32Array; valIdx: Int32Array; nOut: number; valOutIdx: Int32Array } {
  const { keptNormal, valIdx } = normalSelection(normal, o);
  const nVal = valIdx.length;
  const outFrac = o.outFrac ?? 0;
  const nOut = outFrac > 0 ? Math.ceil((outFrac * keptNormal.length) / (1 - outFrac)) : 0;
  if (nOut > outlierPool.length) {
    throw new UserError(`--out-frac ${outFrac} needs ${nOut} ${outliersAre} but only ${outlierPool.length} exist: use a smaller --out-frac`);
  }
  const outPerm = permutation(outlierPool.length, subRng(o.seed, 'contamination'));
  const outIdx = Int32Array.from(outPerm.subarray(0, nOut), (k) => outlierPool[k]);
  const v = o.valContamination ?? 0;
  const nValOut = v > 0 && nVal > 0 ? Math.min(Math.ceil((v * nVal) / (1 - v)), outlierPool.length - nOut) : 0;
  const valOutIdx = Int32Array.from(outPerm.subarray(nOut, nOut + nValOut), (k) => outlierPool[k]).sort();
  return { trainIdx: Int32Array.from([...keptNormal, ...outIdx]), valIdx, nOut, valOutIdx };
}
