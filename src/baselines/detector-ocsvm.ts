/**
 * The OC-SVM detector (ocsvm.ts: libsvm's one-class SVM, RBF kernel): score −f(x), threshold 0 (the boundary). γ (and
 * ν, given as a list) are chosen on the original's grid, by the AUC on a hold-out set: a slice of the test set (the
 * paper's protocol; the rest is reported) or held-out training images of the normal and the outlier classes (then
 * refitted on the whole training set).
 */
import { UserError } from '../util/errors.js';
import { permutation, subRng } from '../util/rng.js';
import { type BaselineConfig } from '../config/baseline-options.js';
import { rocAuc } from '../eval/metrics.js';
import { defineDetector, negate, seconds, type FitContext, type Fitted } from './detector.js';
import { concatRows, takeRows, type Rows } from './distances.js';
import { fitOcsvm, ocsvmDecision, PRECOMPUTED_MAX, trainDistances, type OcsvmModel, type PrecomputedDistances } from './ocsvm.js';
import { bestOf, GAMMA_GRID, splitHoldout, splitTestSlice, testSliceSize, type GridPoint } from './selection.js';

type Params = { gamma: number; nu: number };
type Fit = (train: Rows, p: Params, idx?: Int32Array) => Promise<OcsvmModel>;

export const ocsvm = defineDetector<'ocsvm', OcsvmModel>({
  name: 'ocsvm',
  title: 'one-class SVM (RBF kernel)',
  options: ['nu', 'gamma', 'gammaSelection', 'selectionFrac'],
  describe: (cfg) => `OC-SVM (RBF kernel${cfg.nu.length === 1 ? `, ν = ${cfg.nu[0]}` : ''})`,
  checkConfig(cfg) {
    // every α_i at its bound 1: libsvm has no free support vector to place the boundary and writes ρ = inf
    if (cfg.nu.includes(1)) throw new UserError('--nu 1 leaves the OC-SVM no boundary (every training image is a bounded support vector and the offset ρ is undefined): use a ν below 1');
  },
  checkInputs(cfg, { testLabels, nOutlierPool }) {
    if (gridOf(cfg).length === 1) return; // nothing to choose
    if (cfg.gammaSelection === 'train-holdout') {
      if (!nOutlierPool) throw new UserError('--gamma-selection train-holdout needs training images of the outlier classes: there are none; use --gamma-selection test-slice or give --gamma');
      return;
    }
    const n = testLabels.length;
    const nHold = testSliceSize(n, cfg.selectionFrac);
    const n1 = testLabels.reduce((a, v) => a + v, 0);
    if (nHold < 2 || n - nHold < 2 || n1 < 2 || n - n1 < 2) {
      throw new UserError(`--gamma-selection test-slice chooses γ on ${nHold} of the ${n} test images and reports on the other ${n - nHold}, and both parts need normal and outlier images (the test set has ${n - n1} normal, ${n1} outlier): use more test images (--n-test), give --gamma, or use --gamma-selection train-holdout`);
    }
  },
  async fit(train, ctx) {
    const { cfg, log, timings } = ctx;
    const grid = gridOf(cfg);
    // the squared distances between the training images, once for the whole grid (libsvm gets precomputed kernels)
    let pre: PrecomputedDistances | undefined;
    if (train.n <= PRECOMPUTED_MAX) {
      const t = performance.now();
      pre = { dist: trainDistances(train), n: train.n };
      timings.kernel_s = seconds(t);
      log(`OC-SVM: squared distances between the ${train.n} training images for precomputed kernels (${timings.kernel_s.toFixed(1)} s)`);
    }
    const fit: Fit = async (rows, p, idx) => fitOcsvm(rows, p, pre && { ...pre, idx });
    if (grid.length === 1) {
      const t = performance.now();
      const model = await fit(train, grid[0]);
      timings.fit_s = seconds(t);
      return fitted(model, { protocol: 'none (given)', uses_test_labels: false });
    }
    return cfg.gammaSelection === 'test-slice' ? selectOnTestSlice(train, ctx, grid, fit) : selectOnTrainHoldout(train, ctx, grid, fit);
  },
  score: (model, rows) => negate(ocsvmDecision(model, rows)),
  threshold: () => 0,
});

/** The (γ, ν) pairs to choose from: the given ν values, each with the given γ or the original's γ grid. */
function gridOf(cfg: BaselineConfig): Params[] {
  return cfg.nu.flatMap((nu) => (cfg.gamma !== undefined ? [cfg.gamma] : GAMMA_GRID).map((gamma) => ({ gamma, nu })));
}

function fitted(model: OcsvmModel, selection: Fitted<OcsvmModel>['selection'], reported?: Int32Array): Fitted<OcsvmModel> {
  return { model, hyperparameters: { gamma: model.gamma, nu: model.nu, n_support_vectors: model.coef.length }, selection, reported };
}

const gridLine = (p: Params, auc: number, model: OcsvmModel, t: number) =>
  `  γ = 2^${Math.log2(p.gamma).toFixed(2).replace(/\.00$/, '')}, ν = ${p.nu}: hold-out AUC ${(100 * auc).toFixed(2)}%, ${model.coef.length} support vectors (${seconds(t).toFixed(1)} s)`;

/** The paper's protocol: choose on a random slice of the test set, report on the rest. */
async function selectOnTestSlice(train: Rows, ctx: FitContext, grid: Params[], fit: Fit): Promise<Fitted<OcsvmModel>> {
  const { cfg, log, timings } = ctx;
  const tSel = performance.now();
  const { holdout, rest } = splitTestSlice(ctx.testLabels, cfg.selectionFrac, subRng(cfg.seed, 'ocsvm-test-slice'));
  const val = takeRows(ctx.test, holdout);
  const valLabels = Uint8Array.from(holdout, (i) => ctx.testLabels[i]);
  log(`OC-SVM: choosing ${cfg.nu.length > 1 ? 'γ and ν' : 'γ'} on ${holdout.length} test images (${cfg.selectionFrac * 100} % of the test set, the paper's protocol; uses test labels), reporting on the other ${rest.length}`);
  const points: Array<GridPoint<Params>> = [];
  let best: { model: OcsvmModel; value: number; fitSeconds: number } | undefined;
  for (const p of grid) {
    const t = performance.now();
    const model = await fit(train, p);
    const fitSeconds = seconds(t);
    const auc = rocAuc(valLabels, negate(ocsvmDecision(model, val)));
    points.push({ params: p, value: auc });
    log(gridLine(p, auc, model, t));
    if (!best || auc > best.value) best = { model, value: auc, fitSeconds };
  }
  timings.selection_s = seconds(tSel);
  timings.fit_s = best!.fitSeconds; // the chosen model, fitted during the search on the whole training set
  return fitted(best!.model, {
    protocol: 'test-slice', uses_test_labels: true,
    note: 'the paper\'s protocol: γ chosen by the AUC on a random slice of the test set; the reported AUC is on the remaining test images only',
    n_holdout: holdout.length, n_holdout_outliers: valLabels.reduce((a, v) => a + v, 0), holdout_test_indices: Array.from(holdout, (i) => ctx.testIndex[i]),
    grid: points.map((q) => ({ ...q.params, holdout_auc: q.value })),
  }, rest);
}

/** Leakage-free: hold out training images of the normal class and of the outlier classes, then refit on all. */
async function selectOnTrainHoldout(train: Rows, ctx: FitContext, grid: Params[], fit: Fit): Promise<Fitted<OcsvmModel>> {
  const { cfg, log, timings } = ctx;
  const tSel = performance.now();
  const normalSplit = splitHoldout(train.n, cfg.selectionFrac, subRng(cfg.seed, 'ocsvm-holdout'));
  const pool = ctx.outlierPool;
  const nOut = Math.max(1, Math.round(cfg.selectionFrac * pool.length));
  const outIdx = Int32Array.from(permutation(pool.length, subRng(cfg.seed, 'ocsvm-holdout-outliers')).subarray(0, nOut), (k) => pool[k]).sort();
  const fitPart = takeRows(train, normalSplit.rest);
  const val = concatRows(takeRows(train, normalSplit.holdout), ctx.outlierRows(outIdx));
  const valLabels = new Uint8Array(val.n).fill(1, normalSplit.holdout.length);
  log(`OC-SVM: choosing ${cfg.nu.length > 1 ? 'γ and ν' : 'γ'} on held-out training images (${normalSplit.holdout.length} of the normal class, ${nOut} of the outlier classes; no test data), fitting on the other ${fitPart.n}`);
  const points: Array<GridPoint<Params>> = [];
  for (const p of grid) {
    const t = performance.now();
    const model = await fit(fitPart, p, normalSplit.rest);
    const auc = rocAuc(valLabels, negate(ocsvmDecision(model, val)));
    points.push({ params: p, value: auc });
    log(gridLine(p, auc, model, t));
  }
  timings.selection_s = seconds(tSel);
  const best = bestOf(points);
  const t = performance.now();
  const model = await fit(train, best.params);
  timings.fit_s = seconds(t);
  log(`OC-SVM: refitted on all ${train.n} training images with γ = ${best.params.gamma}, ν = ${best.params.nu}`);
  return fitted(model, {
    protocol: 'train-holdout', uses_test_labels: false,
    note: 'γ chosen by the AUC on held-out training images (normal and outlier classes), then refitted on the whole training set; tested on the whole test set',
    n_holdout: val.n, n_holdout_outliers: nOut, grid: points.map((q) => ({ ...q.params, holdout_auc: q.value })),
  });
}

