/**
 * The semi-supervised training set of Deep SAD (Ruff et al., ICLR 2020), built from the training split as the
 * authors' code does it (lukasruff/Deep-SAD-PyTorch, src/datasets/preprocessing.py create_semisupervised_setting):
 *
 *   n normal training samples (after --n-train and --val-frac) are split into labelled (ỹ = +1) and unlabelled
 *   (ỹ = 0) normals; unlabelled anomalies (pollution, ỹ = 0) are drawn from the outlier classes and labelled
 *   anomalies (ỹ = −1) from the known outlier classes, in the numbers that solve
 *       n_ln + n_un = n,   n_ln = r_n·N,   n_lo = r_l·N,   n_uo = r_p·(n_un + n_uo),   N = n_ln + n_un + n_uo + n_lo
 *   (r_l = --ratio-known-outlier = γ_l, r_n = --ratio-known-normal, r_p = --ratio-pollution = γ_p), each count
 *   truncated to an integer as the authors' int() does (so n_ln + n_un can be n − 1, and one normal is left out).
 *
 * Differences from the authors' code (README, "Deep SAD"): the counts come from the closed-form solution rather
 * than numpy.linalg.solve, truncated after adding 1e-9 relative (a count that solves to 58.9999999999 is 59, where
 * LAPACK's rounding could give 58 or 59); the pollution is drawn from the outlier samples that are not labelled
 * anomalies (the authors draw both independently, so a sample can be drawn twice and then appears twice, labelled);
 * asking for more labelled anomalies or pollution than exist is an error (the authors silently take fewer).
 *
 * Users' own labels (--labelled-outlier-class, --labelled-normal-class, a table's --semi-label-column) give each
 * training sample its label directly; they are not combined with the ratios.
 */
import { check, UserError } from '../util/errors.js';
import { permutation, subRng } from '../util/rng.js';
import { normalSelection, trainingSelection, type ClassSelection } from './select.js';

/** The counts of the four groups of the training set. */
export interface SemiSupervisedCounts {
  labelled_normal: number;
  labelled_outlier: number;
  unlabelled_normal: number;
  unlabelled_outlier: number;
}

/** What config.json and results.json record as "semi_supervised". */
export interface SemiSupervisedRecord {
  ratio_known_outlier: number;
  ratio_known_normal: number;
  ratio_pollution: number;
  known_outlier_classes: number[];
  n_known_outlier_classes: number;
  /** where the labels came from: the authors' ratios, or the user's own (classes or a table column) */
  labels_from: 'ratios' | 'labelled classes' | 'semi-label column';
  counts: SemiSupervisedCounts;
}

/** A count of the authors' solution, truncated as int() does, robust to rounding just below an integer. */
function truncate(x: number): number {
  return Math.max(0, Math.floor(x + 1e-9 * Math.max(1, Math.abs(x))));
}

/**
 * The numbers of labelled normals, unlabelled normals, unlabelled anomalies and labelled anomalies for n normal
 * samples (module header; the closed form of the authors' 4×4 system, each count truncated).
 */
export function semiSupervisedCounts(n: number, ratioKnownNormal: number, ratioKnownOutlier: number, ratioPollution: number): SemiSupervisedCounts {
  for (const [name, r] of [['ratioKnownNormal', ratioKnownNormal], ['ratioKnownOutlier', ratioKnownOutlier], ['ratioPollution', ratioPollution]] as const) {
    if (!(r >= 0 && r < 1)) throw new RangeError(`semiSupervisedCounts: ${name} must lie in [0, 1), got ${r}`);
  }
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`semiSupervisedCounts: n must be a whole number ≥ 0, got ${n}`);
  const total = n / ((1 - ratioKnownOutlier) * (1 - ratioPollution) + ratioPollution * ratioKnownNormal);
  const ln = ratioKnownNormal * total;
  const un = n - ln;
  const uo = (ratioPollution / (1 - ratioPollution)) * un;
  const lo = ratioKnownOutlier * total;
  return { labelled_normal: truncate(ln), unlabelled_normal: truncate(un), unlabelled_outlier: truncate(uo), labelled_outlier: truncate(lo) };
}

/** The authors' setting as options give it. */
export interface RatioSetting {
  ratioKnownOutlier: number;
  ratioKnownNormal: number;
  ratioPollution: number;
}

export interface SemiSupervisedTraining {
  /** training samples: the normals used (ascending), then the pollution (drawn order), then the labelled anomalies */
  trainIdx: Int32Array;
  /** ỹ of each training sample, aligned with trainIdx */
  semi: Int8Array;
  counts: SemiSupervisedCounts;
}

/**
 * The authors' setting (module header) on sample indices: `normal` the normal samples (ascending), `outlierPool` the
 * samples of the outlier classes, `knownPool` those of the known outlier classes (a subset of the pool). Seeded.
 * `what` names the samples in errors ('training images', 'training rows').
 */
export function ratioSelection(normal: Int32Array, outlierPool: Int32Array, knownPool: Int32Array, r: RatioSetting, seed: number, what: string): SemiSupervisedTraining {
  const counts = semiSupervisedCounts(normal.length, r.ratioKnownNormal, r.ratioKnownOutlier, r.ratioPollution);
  if (counts.labelled_outlier > knownPool.length) {
    throw new UserError(`--ratio-known-outlier ${r.ratioKnownOutlier} asks for ${counts.labelled_outlier} labelled anomalies but the known outlier class(es) have only ${knownPool.length} ${what}: use a smaller --ratio-known-outlier (or more known outlier classes)`);
  }
  const knownPerm = permutation(knownPool.length, subRng(seed, 'semi-known-outlier'));
  const labelledOutlier = Int32Array.from(knownPerm.subarray(0, counts.labelled_outlier), (k) => knownPool[k]);
  const taken = new Set(labelledOutlier);
  const rest = outlierPool.filter((i) => !taken.has(i));
  if (counts.unlabelled_outlier > rest.length) {
    throw new UserError(`--ratio-pollution ${r.ratioPollution} asks for ${counts.unlabelled_outlier} unlabelled anomalies but only ${rest.length} outlier-class ${what} are left besides the labelled ones: use a smaller --ratio-pollution`);
  }
  const pollutionPerm = permutation(rest.length, subRng(seed, 'semi-pollution'));
  const pollution = Int32Array.from(pollutionPerm.subarray(0, counts.unlabelled_outlier), (k) => rest[k]);
  // labelled and unlabelled normals: a seeded draw, kept in ascending order (the training order is the loader's)
  const normalPerm = permutation(normal.length, subRng(seed, 'semi-known-normal'));
  const label = new Int8Array(normal.length).fill(2); // 2 = left out
  for (let k = 0; k < counts.labelled_normal; k++) label[normalPerm[k]] = 1;
  for (let k = counts.labelled_normal; k < counts.labelled_normal + counts.unlabelled_normal; k++) label[normalPerm[k]] = 0;
  const keep: number[] = [];
  const semi: number[] = [];
  for (let k = 0; k < normal.length; k++) {
    if (label[k] === 2) continue;
    keep.push(normal[k]);
    semi.push(label[k]);
  }
  for (const i of pollution) { keep.push(i); semi.push(0); }
  for (const i of labelledOutlier) { keep.push(i); semi.push(-1); }
  return { trainIdx: Int32Array.from(keep), semi: Int8Array.from(semi), counts };
}

/**
 * Users' own labels: `normal` the normal samples used (ascending) and `userLabel(i)` the label of sample i (+1, 0,
 * −1). The training set is the normals with their labels, then every other sample labelled −1 or +1 (`others`,
 * ascending) with its label.
 */
export function userLabelSelection(normal: Int32Array, others: Int32Array, userLabel: (i: number) => number): SemiSupervisedTraining {
  const isNormal = new Set(normal);
  const extra = others.filter((i) => !isNormal.has(i) && userLabel(i) !== 0);
  const trainIdx = Int32Array.from([...normal, ...extra]);
  const semi = Int8Array.from(trainIdx, (i) => userLabel(i));
  const counts = { labelled_normal: 0, labelled_outlier: 0, unlabelled_normal: 0, unlabelled_outlier: 0 };
  trainIdx.forEach((i, k) => {
    const n = isNormal.has(i);
    if (semi[k] === 1) counts.labelled_normal++;
    else if (semi[k] === -1) counts.labelled_outlier++;
    else if (n) counts.unlabelled_normal++;
    else counts.unlabelled_outlier++;
  });
  return { trainIdx, semi, counts };
}

/**
 * The known outlier classes as the authors choose them: none for n = 0, the given classes, or a seeded draw of n
 * of the outlier classes (their random.sample). `given` undefined: not given; [-1]: every outlier class.
 */
export function knownOutlierClasses(outlier: number[], given: number[] | undefined, n: number | undefined, seed: number): number[] {
  if (given !== undefined) {
    const classes = given.length === 1 && given[0] === -1 ? outlier : given;
    const bad = classes.filter((c) => !outlier.includes(c));
    check(bad.length === 0, `--known-outlier-class ${bad.join(',')} is not an outlier class (the outlier classes are ${outlier.join(',')}): name outlier classes`);
    check(n === undefined || n === classes.length, `--n-known-outlier-classes ${n} differs from the ${classes.length} class(es) --known-outlier-class names: give one of them, or make them agree`);
    return [...classes].sort((a, b) => a - b);
  }
  if (!n) return [];
  check(n <= outlier.length, `--n-known-outlier-classes ${n} is more than the ${outlier.length} outlier classes: use at most ${outlier.length}`);
  const p = permutation(outlier.length, subRng(seed, 'semi-known-classes'));
  return Array.from(p.subarray(0, n), (k) => outlier[k]).sort((a, b) => a - b);
}

/**
 * Splits a column of semi-supervised labels off a table: returns the features without it and the labels. Every
 * value must be −1, 0 or +1. `column` is a feature name (a .csv header name; xJ for a .npy's J-th non-label column).
 */
export function splitSemiLabelColumn(
  t: { x: Float64Array; n: number; d: number; featureNames: string[]; source: string }, column: string,
): { x: Float64Array; d: number; featureNames: string[]; semi: Int8Array } {
  const at = t.featureNames.indexOf(column);
  if (at < 0) {
    const shown = t.featureNames.slice(0, 12).join(', ') + (t.featureNames.length > 12 ? ', …' : '');
    throw new UserError(`--semi-label-column ${column}: ${t.source} has no such feature column (its columns: ${shown}); name the column of +1 / 0 / -1 labels`);
  }
  const d = t.d - 1;
  check(d >= 1, `--semi-label-column ${column}: it is the only feature column of ${t.source}; a table needs features besides its labels`);
  const x = new Float64Array(t.n * d);
  const semi = new Int8Array(t.n);
  for (let i = 0; i < t.n; i++) {
    const v = t.x[i * t.d + at];
    if (v !== 1 && v !== 0 && v !== -1) {
      throw new UserError(`--semi-label-column ${column}: row ${i + 1} of ${t.source} holds ${v}; the column must hold only +1 (labelled normal), 0 (unlabelled) or -1 (labelled anomaly)`);
    }
    semi[i] = v;
    for (let j = 0, k = 0; j < t.d; j++) if (j !== at) x[i * d + k++] = t.x[i * t.d + j];
  }
  return { x, d, featureNames: t.featureNames.filter((_, j) => j !== at), semi };
}

/** The semi-supervised options of a run (TrainConfig keys; all optional). */
export interface SemiSupervisedOptions {
  seed: number;
  nTrain?: number;
  valFrac?: number;
  outFrac?: number;
  /** --loss: 'deep-sad' records the setting even without labels */
  loss?: string;
  ratioKnownOutlier?: number;
  ratioKnownNormal?: number;
  ratioPollution?: number;
  knownOutlierClass?: number[];
  nKnownOutlierClasses?: number;
  labelledOutlierClass?: number[];
  labelledNormalClass?: number[];
}

/** Whether a run asks for the users' own labels by class (--labelled-outlier-class / --labelled-normal-class). */
function labelledClassesGiven(o: SemiSupervisedOptions): boolean {
  return (o.labelledOutlierClass?.length ?? 0) > 0 || (o.labelledNormalClass?.length ?? 0) > 0;
}

/** Whether a run's training set is a semi-supervised one (Deep SAD, or any of the setting's options given). */
export function semiSupervisedActive(o: SemiSupervisedOptions, semiColumn?: Int8Array): boolean {
  return o.loss === 'deep-sad' || Boolean(o.ratioKnownOutlier || o.ratioKnownNormal || o.ratioPollution) || semiColumn !== undefined
    || labelledClassesGiven(o) || o.knownOutlierClass !== undefined || Boolean(o.nKnownOutlierClasses);
}

/**
 * The training set of a run, for images and tables alike: the one-class selection (trainingSelection) unless the run
 * is semi-supervised, then the authors' ratios (ratioSelection) or the users' own labels (userLabelSelection: the
 * classes of --labelled-outlier-class / --labelled-normal-class, or a table's label column `semiColumn`, per sample).
 * `classOf(i)` is sample i's class; `what` names the samples in errors.
 */
export function runTrainingSelection(
  normal: Int32Array, outlierPool: Int32Array, classes: ClassSelection, classOf: (i: number) => number,
  o: SemiSupervisedOptions, what: string, semiColumn?: Int8Array,
): { trainIdx: Int32Array; valIdx: Int32Array; nOut: number; semi?: Int8Array; record?: SemiSupervisedRecord; valOutIdx: Int32Array } {
  // valOutIdx: the validation split's anomalies (--val-contamination), drawn only without semi-supervision (below: none)
  if (!semiSupervisedActive(o, semiColumn)) return trainingSelection(normal, outlierPool, o, `outlier-class ${what}`);
  check(!o.outFrac, `--out-frac ${o.outFrac} mixes unlabelled anomalies into a semi-supervised training set: use --ratio-pollution instead`);
  const { keptNormal, valIdx } = normalSelection(normal, o);
  const ratios = { ratioKnownOutlier: o.ratioKnownOutlier ?? 0, ratioKnownNormal: o.ratioKnownNormal ?? 0, ratioPollution: o.ratioPollution ?? 0 };
  const own = semiColumn !== undefined || labelledClassesGiven(o);
  let sel: SemiSupervisedTraining;
  let known: number[] = [];
  if (own) {
    const ratioGiven = ratios.ratioKnownOutlier || ratios.ratioKnownNormal || ratios.ratioPollution || o.knownOutlierClass !== undefined || o.nKnownOutlierClasses;
    check(!ratioGiven, 'your own labels (--labelled-outlier-class, --labelled-normal-class, --semi-label-column) and the drawn setting (--ratio-known-outlier, --ratio-known-normal, --ratio-pollution, --known-outlier-class) cannot be combined: use one of them');
    check(!(semiColumn && labelledClassesGiven(o)), '--semi-label-column and --labelled-outlier-class / --labelled-normal-class both label the rows: use one of them');
    const all = (given: number[] | undefined, side: number[]) => new Set(given?.length === 1 && given[0] === -1 ? side : given ?? []);
    const lo = all(o.labelledOutlierClass, classes.outlier);
    const ln = all(o.labelledNormalClass, classes.normal);
    for (const c of lo) check(classes.outlier.includes(c), `--labelled-outlier-class ${c} is not an outlier class (the outlier classes are ${classes.outlier.join(',')}): label outlier classes, or add it to --outlier`);
    for (const c of ln) check(classes.normal.includes(c), `--labelled-normal-class ${c} is not a normal class (the normal classes are ${classes.normal.join(',')}): label normal classes, or add it to --normal`);
    const label = semiColumn ? (i: number) => semiColumn[i] : (i: number) => (lo.has(classOf(i)) ? -1 : ln.has(classOf(i)) ? 1 : 0);
    sel = userLabelSelection(keptNormal, outlierPool, label);
  } else {
    known = knownOutlierClasses(classes.outlier, o.knownOutlierClass, o.nKnownOutlierClasses, o.seed);
    if (ratios.ratioKnownOutlier > 0 && known.length === 0) {
      if (classes.outlier.length === 1) known = [...classes.outlier];
      else throw new UserError(`--ratio-known-outlier ${ratios.ratioKnownOutlier} draws labelled anomalies from known outlier classes: name them with --known-outlier-class C, or draw N of them with --n-known-outlier-classes N`);
    }
    const isKnown = new Set(known);
    const knownPool = outlierPool.filter((i) => isKnown.has(classOf(i)));
    sel = ratioSelection(keptNormal, outlierPool, knownPool, ratios, o.seed, what);
  }
  const c = sel.counts;
  const record: SemiSupervisedRecord = {
    ratio_known_outlier: ratios.ratioKnownOutlier, ratio_known_normal: ratios.ratioKnownNormal, ratio_pollution: ratios.ratioPollution,
    known_outlier_classes: known, n_known_outlier_classes: known.length,
    labels_from: semiColumn ? 'semi-label column' : own ? 'labelled classes' : 'ratios', counts: c,
  };
  if (own) {
    // the users' labels in the authors' terms: γ_l = m/(n+m) and the share of labelled normals
    const total = sel.trainIdx.length;
    record.ratio_known_outlier = total ? c.labelled_outlier / total : 0;
    record.ratio_known_normal = total ? c.labelled_normal / total : 0;
    const unlabelled = c.unlabelled_normal + c.unlabelled_outlier;
    record.ratio_pollution = unlabelled ? c.unlabelled_outlier / unlabelled : 0;
  }
  return { trainIdx: sel.trainIdx, valIdx, nOut: c.labelled_outlier + c.unlabelled_outlier, semi: sel.semi, record, valOutIdx: new Int32Array(0) };
}
