/**
 * The paper's Table 1 (Ruff et al., Deep One-Class Classification, ICML 2018): test AUC in %, mean ± std over 10
 * seeds, one normal class against the other nine, for the columns deep-svdd can reproduce: the shallow baselines
 * (OC-SVM, KDE, Isolation Forest), the deep convolutional autoencoder (DCAE, reconstruction error), soft-boundary
 * and one-class Deep SVDD (AnoGAN is not built); and the GTSRB stop-sign experiment's values (§4.3), one row.
 * How sure each column is (checked against a copy of the paper or not) is `PAPER_CONFIDENCE`; report.ts prints it
 * beside every comparison.
 */
import { type RunMethod } from '../config/methods.js';

/** Table 1's columns in the paper's order, named as the methods (src/config/methods.ts). */
export const PAPER_COLUMNS = ['ocsvm', 'kde', 'if', 'dcae', 'soft-boundary', 'one-class'] as const satisfies readonly RunMethod[];
export type PaperColumn = (typeof PAPER_COLUMNS)[number];
export interface PaperCell { mean: number; std: number }

const cells = (pairs: Array<[number, number]>): PaperCell[] => pairs.map(([mean, std]) => ({ mean, std }));

export const PAPER_TABLE1: Record<string, Partial<Record<PaperColumn, PaperCell[]>>> = {
  mnist: {
    ocsvm: cells([[98.6, 0.0], [99.5, 0.0], [82.5, 0.1], [88.1, 0.0], [94.9, 0.0], [77.1, 0.0], [96.5, 0.0], [93.7, 0.0], [88.9, 0.0], [93.1, 0.0]]),
    kde: cells([[97.1, 0.0], [98.9, 0.0], [79.0, 0.0], [86.2, 0.0], [87.9, 0.0], [73.8, 0.0], [87.6, 0.0], [91.4, 0.0], [79.2, 0.0], [88.2, 0.0]]),
    if: cells([[98.0, 0.3], [97.3, 0.4], [88.6, 0.5], [89.9, 0.4], [92.7, 0.6], [85.5, 1.0], [95.6, 0.3], [92.0, 0.4], [89.9, 0.4], [93.5, 0.3]]),
    'one-class': cells([[98.0, 0.7], [99.7, 0.1], [91.7, 0.8], [91.9, 1.5], [94.9, 0.8], [88.5, 0.9], [98.3, 0.5], [94.6, 0.9], [93.9, 1.6], [96.5, 0.3]]),
    'soft-boundary': cells([[97.8, 0.7], [99.6, 0.1], [89.5, 1.2], [90.3, 2.1], [93.8, 1.5], [85.8, 2.5], [98.0, 0.4], [92.7, 1.4], [92.9, 1.4], [94.9, 0.6]]),
    dcae: cells([[97.6, 0.7], [98.3, 0.6], [85.4, 2.4], [86.7, 0.9], [86.5, 2.0], [78.2, 2.7], [94.6, 0.5], [92.3, 1.0], [86.5, 1.6], [90.4, 1.8]]),
  },
  // classes: airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck
  cifar10: {
    ocsvm: cells([[61.6, 0.9], [63.8, 0.6], [50.0, 0.5], [55.9, 1.3], [66.0, 0.7], [62.4, 0.8], [74.7, 0.3], [62.6, 0.6], [74.9, 0.4], [75.9, 0.3]]),
    kde: cells([[61.2, 0.0], [64.0, 0.0], [50.1, 0.0], [56.4, 0.0], [66.2, 0.0], [62.4, 0.0], [74.9, 0.0], [62.6, 0.0], [75.1, 0.0], [76.0, 0.0]]),
    if: cells([[60.1, 0.7], [50.8, 0.6], [49.2, 0.4], [55.1, 0.4], [49.8, 0.4], [58.5, 0.4], [42.9, 0.6], [55.1, 0.7], [74.2, 0.6], [58.9, 0.7]]),
    'one-class': cells([[61.7, 4.1], [65.9, 2.1], [50.8, 0.8], [59.1, 1.4], [60.9, 1.1], [65.7, 2.5], [67.7, 2.6], [67.3, 0.9], [75.9, 1.2], [73.1, 1.2]]),
    'soft-boundary': cells([[61.7, 4.2], [64.8, 1.4], [49.5, 1.4], [56.0, 1.1], [59.1, 1.1], [62.1, 2.4], [67.8, 2.4], [65.2, 1.0], [75.6, 1.7], [71.0, 1.1]]),
    dcae: cells([[59.1, 5.1], [57.4, 2.9], [48.9, 2.4], [58.4, 1.2], [54.0, 1.3], [62.2, 1.8], [51.2, 5.2], [58.6, 2.9], [76.8, 1.4], [67.3, 3.0]]),
  },
  // the paper's §4.3: stop signs (class 0 here) against the adversarial stop signs of Images_150.npy
  gtsrb: {
    ocsvm: cells([[67.5, 1.2]]),
    kde: cells([[60.5, 1.7]]),
    if: cells([[73.8, 0.7]]),
    dcae: cells([[79.1, 3.0]]),
    'soft-boundary': cells([[67.8, 4.0]]),
    'one-class': cells([[80.3, 5.6]]),
  },
  // Not Table 1: the Deep SAD paper (Ruff et al., ICLR 2020), classic AD benchmarks, unsupervised Deep SVDD (γ_l = 0),
  // mean ± std over 10 seeds, normal class 0 of each ODDS table (see ODDS_NOTE)
  arrhythmia: { 'one-class': cells([[74.6, 9.0]]) },
  cardio: { 'one-class': cells([[84.8, 3.6]]) },
  satellite: { 'one-class': cells([[79.8, 4.1]]) },
  'satimage-2': { 'one-class': cells([[98.3, 1.4]]) },
  shuttle: { 'one-class': cells([[86.3, 7.5]]) },
  thyroid: { 'one-class': cells([[72.0, 9.7]]) },
};

const ODDS_NOTE = 'the Deep SAD paper (ICLR 2020), classic AD benchmarks, Deep SVDD at γ_l = 0, as quoted in this project\'s '
  + 'issue tracker; not checked against a copy of the paper';

const GTSRB_NOTE = 'from recall, not confirmed against a copy of the paper; the paper tested against the adversarial '
  + 'stop signs (Images_150.npy), so runs with the other-classes fallback are not comparable';

/** How sure each column is (only the one-class columns were checked against independent sources). */
export const PAPER_CONFIDENCE: Record<string, Partial<Record<PaperColumn, string>>> = {
  mnist: {
    ocsvm: 'from recall, not confirmed against a copy of the paper',
    kde: 'from recall, not confirmed against a copy of the paper',
    if: 'from recall, not confirmed against a copy of the paper',
    'one-class': 'confirmed by two independent sources',
    'soft-boundary': 'from recall, not confirmed against a copy of the paper',
    dcae: 'from recall, not confirmed against a copy of the paper',
  },
  cifar10: {
    ocsvm: 'from recall, not confirmed against a copy of the paper',
    kde: 'from recall, not confirmed against a copy of the paper',
    if: 'from recall, not confirmed against a copy of the paper',
    'one-class': 'means confirmed, stds from recall',
    'soft-boundary': 'from recall, not confirmed against a copy of the paper',
    dcae: 'from recall, not confirmed against a copy of the paper',
  },
  gtsrb: { ocsvm: GTSRB_NOTE, kde: GTSRB_NOTE, if: GTSRB_NOTE, 'one-class': GTSRB_NOTE, 'soft-boundary': GTSRB_NOTE, dcae: GTSRB_NOTE },
  ...Object.fromEntries(['arrhythmia', 'cardio', 'satellite', 'satimage-2', 'shuttle', 'thyroid'].map((d) => [d, { 'one-class': ODDS_NOTE }])),
};

export const PAPER_COLUMN_TITLE: Record<PaperColumn, string> = {
  ocsvm: 'OC-SVM',
  kde: 'KDE',
  if: 'Isolation Forest',
  'one-class': 'one-class Deep SVDD',
  'soft-boundary': 'soft-boundary Deep SVDD',
  dcae: 'DCAE',
};

/** The paper column of a run's method (results.json "method", or methodOf for older files); null for a method the table lacks. */
export function paperColumn(method: RunMethod | null): PaperColumn | null {
  return (PAPER_COLUMNS as readonly string[]).includes(method ?? '') ? method as PaperColumn : null;
}

/** The paper's value for one normal class (against all others), or null where the table has none. */
export function paperValue(dataset: string, column: PaperColumn | null, normalClass: number): PaperCell | null {
  if (!column) return null;
  return PAPER_TABLE1[dataset]?.[column]?.[normalClass] ?? null;
}

/** One Deep SAD value: the test AUC in % (mean ± std) at a ratio of labelled anomalies γ_l. */
export interface DeepSadPaperCell extends PaperCell { ratioKnownOutlier: number }

const deepSad = (rows: Array<[number, number, number]>): DeepSadPaperCell[] => rows.map(([ratioKnownOutlier, mean, std]) => ({ ratioKnownOutlier, mean, std }));

/**
 * Deep SAD's means in the Deep SAD paper's first image experiment (Ruff et al., "Deep Semi-Supervised Anomaly
 * Detection", ICLR 2020: one known anomaly class, no pollution, γ_l = 0 … 0.2), averaged over the normal classes; as a
 * later paper copies that table and this project's issue quotes it (not checked against a copy of the Deep SAD paper).
 * experiments/deep_sad_images.sh runs the MNIST and Fashion-MNIST part.
 */
export const PAPER_DEEP_SAD: Record<string, DeepSadPaperCell[]> = {
  mnist: deepSad([[0, 92.8, 4.9], [0.01, 96.4, 2.7], [0.05, 96.7, 2.3], [0.1, 96.9, 2.3], [0.2, 96.9, 2.4]]),
  fmnist: deepSad([[0, 89.2, 6.2], [0.01, 90.0, 6.4], [0.05, 90.5, 6.5], [0.1, 91.3, 6.0], [0.2, 91.0, 5.5]]),
  cifar10: deepSad([[0, 60.9, 9.4], [0.01, 72.6, 7.4], [0.05, 77.9, 7.2], [0.1, 79.8, 7.1], [0.2, 81.9, 7.0]]),
};

export const PAPER_DEEP_SAD_SOURCE = 'Ruff et al., ICLR 2020 (Deep SAD), first image experiment, mean ± std over the normal classes; '
  + 'quoted from a later paper that copies the table, not checked against a copy of the Deep SAD paper';

/** The paper's Deep SAD mean at γ_l (results.json semi_supervised.ratio_known_outlier), or null where it has none. */
export function paperDeepSad(dataset: string, ratioKnownOutlier: number): DeepSadPaperCell | null {
  return PAPER_DEEP_SAD[dataset]?.find((c) => Math.abs(c.ratioKnownOutlier - ratioKnownOutlier) < 1e-9) ?? null;
}
