/**
 * The KDE detector (kde.ts: Gaussian kernel density): score −log p(x), the bandwidth chosen by k-fold
 * cross-validation of the log-likelihood on the training set (or given), the threshold the (1 − contamination)
 * quantile of the training scores (cross-validated where the bandwidth was).
 */
import { quantile } from '../eval/metrics.js';
import { UserError } from '../util/errors.js';
import { permutation, subRng } from '../util/rng.js';
import { defineDetector, negate, seconds } from './detector.js';
import { type Rows } from './distances.js';
import { bandwidthRange, foldAssignment, KDE_BANDWIDTHS, kdeCrossValidate, kdeLogDensity } from './kde.js';

/** A KDE is its training set and bandwidth; `trainScores`: the training images' cross-validated scores, when chosen so. */
export interface KdeModel { train: Rows; h: number; trainScores?: Float64Array }

export const kde = defineDetector<'kde', KdeModel>({
  name: 'kde',
  title: 'Gaussian kernel density',
  options: ['bandwidth', 'kdeFolds', 'contamination'],
  describe: () => 'KDE (Gaussian kernel)',
  checkConfig() {},
  checkInputs(cfg, { nTrain, d }) {
    if (cfg.bandwidth === undefined) {
      if (cfg.kdeFolds > nTrain) throw new UserError(`--kde-folds ${cfg.kdeFolds} is more than the ${nTrain} training images: use at most ${nTrain} folds, or give --bandwidth`);
      return;
    }
    const range = bandwidthRange(d);
    if (!(cfg.bandwidth >= range.min && cfg.bandwidth <= range.max)) {
      throw new UserError(`--bandwidth ${cfg.bandwidth} is outside what double precision can evaluate for images of ${d} values (the Gaussian kernel's 1/(2h²) overflows or vanishes): use a bandwidth from ${range.min} to ${range.max}`);
    }
  },
  async fit(train, { cfg, log, timings }) {
    if (cfg.bandwidth !== undefined) {
      timings.fit_s = 0; // a KDE is its training set
      return { model: { train, h: cfg.bandwidth }, hyperparameters: { bandwidth: cfg.bandwidth, kernel: 'gaussian' }, selection: { protocol: 'none (given)', uses_test_labels: false } };
    }
    const t = performance.now();
    const fold = foldAssignment(train.n, cfg.kdeFolds, permutation(train.n, subRng(cfg.seed, 'kde-folds')));
    const cv = kdeCrossValidate(train, KDE_BANDWIDTHS, fold, cfg.kdeFolds);
    timings.selection_s = seconds(t);
    cv.bandwidths.forEach((b, i) => log(`  bandwidth ${b.toPrecision(4)}: mean held-out log-likelihood per fold ${cv.meanScores[i].toPrecision(8)}`));
    log(`KDE: bandwidth ${cv.best.toPrecision(6)} chosen by ${cfg.kdeFolds}-fold cross-validation on the training set (${timings.selection_s.toFixed(1)} s)`);
    timings.fit_s = 0;
    return {
      model: { train, h: cv.best, trainScores: negate(cv.outOfFold) },
      hyperparameters: { bandwidth: cv.best, kernel: 'gaussian' },
      selection: {
        protocol: `${cfg.kdeFolds}-fold cross-validation of the log-likelihood on the training set`, uses_test_labels: false,
        grid: cv.bandwidths.map((b, i) => ({ bandwidth: b, mean_fold_log_likelihood: cv.meanScores[i] })),
      },
    };
  },
  score: (m, rows) => negate(kdeLogDensity(m.train, rows, m.h)),
  threshold: (m, train, cfg) => quantile(m.trainScores ?? negate(kdeLogDensity(m.train, train, m.h)), 1 - cfg.contamination),
});
