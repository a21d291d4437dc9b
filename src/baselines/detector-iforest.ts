/**
 * The Isolation Forest detector (iforest.ts): score s(x) = 2^(−E[h(x)] / c(ψ)), fixed hyperparameters as the original,
 * the threshold the (1 − contamination) quantile of the training scores.
 */
import { quantile } from '../eval/metrics.js';
import { subRng } from '../util/rng.js';
import { defineDetector, seconds } from './detector.js';
import { UserError } from '../util/errors.js';
import { fitIsolationForest, isolationScores, MAX_FOREST_SAMPLES, type IsolationForest } from './iforest.js';

export const isolationForest = defineDetector<'if', IsolationForest>({
  name: 'if',
  title: 'Isolation Forest',
  options: ['nEstimators', 'maxSamples', 'contamination'],
  describe: (cfg) => `Isolation Forest (${cfg.nEstimators} trees, ${cfg.maxSamples} samples per tree)`,
  checkConfig(cfg) {
    // the forest's memory is bounded before anything is loaded (hardening H)
    if (cfg.nEstimators * cfg.maxSamples > MAX_FOREST_SAMPLES) {
      throw new UserError(`--n-estimators ${cfg.nEstimators} × --max-samples ${cfg.maxSamples} is ${cfg.nEstimators * cfg.maxSamples} samples in trees, more than the ${MAX_FOREST_SAMPLES} a forest may hold (about 230 MB): use fewer trees or samples per tree`);
    }
  },
  checkInputs() {},
  async fit(train, { cfg, log, timings }) {
    const t = performance.now();
    const forest = fitIsolationForest(train, { nEstimators: cfg.nEstimators, maxSamples: cfg.maxSamples }, subRng(cfg.seed, 'isolation-forest'));
    timings.fit_s = seconds(t);
    log(`Isolation Forest: ${cfg.nEstimators} trees of ${forest.maxSamples} samples (${timings.fit_s.toFixed(1)} s)`);
    return {
      model: forest,
      hyperparameters: { n_estimators: cfg.nEstimators, max_samples: forest.maxSamples, contamination: cfg.contamination },
      selection: { protocol: 'none (fixed, as the original)', uses_test_labels: false },
    };
  },
  score: isolationScores,
  threshold: (forest, train, cfg) => quantile(isolationScores(forest, train), 1 - cfg.contamination),
});
