/**
 * One shallow-baseline run (the OC-SVM, KDE and Isolation Forest columns of the paper's Table 1), writing the run
 * folder as `train` does: config.json, log.txt, results.json (AUC, AUPRC, test scores, the chosen hyperparameters
 * and how they were chosen, timings) and the most normal / most anomalous test images. Data, preprocessing, metrics
 * and pictures are train's own; the methods are in src/baselines/.
 */
import path from 'node:path';
import { fitIsolationForest, isolationScores } from '../baselines/iforest.js';
import { foldAssignment, KDE_BANDWIDTHS, kdeCrossValidate, kdeLogDensity } from '../baselines/kde.js';
import { useTfDotEngine } from '../baselines/dot-tf.js';
import { fitOcsvm, ocsvmDecision, PRECOMPUTED_MAX, trainDistances, type OcsvmModel, type PrecomputedDistances } from '../baselines/ocsvm.js';
import { describeBackend, selectBackend } from '../backend/select.js';
import { fitPca, pcaTransform } from '../baselines/pca.js';
import { bestOf, GAMMA_GRID, splitHoldout, splitTestSlice, type GridPoint } from '../baselines/selection.js';
import { takeRows, type Rows } from '../baselines/distances.js';
import { describeBaseline, type BaselineConfig } from '../config/baseline-options.js';
import { loadRaw, prepareData, type PreparedData } from '../data/datasets.js';
import { preprocess } from '../data/preprocess.js';
import { gatherImages, selectIndices } from '../data/select.js';
import { quantile, rocAuc } from '../eval/metrics.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { RESULTS_FILE, RESULTS_VERSION, type RunResults } from '../io/results.js';
import { openRunFolder } from '../io/run-folder.js';
import { openRunLog, type RunLog } from '../io/runlog.js';
import { UserError } from '../util/errors.js';
import { permutation, subRng } from '../util/rng.js';
import { PACKAGE_VERSION, sourceCommit } from '../util/version.js';
import { evaluationFields, writePictures } from './run-context.js';
import { type RunOutcome } from './train-run.js';

interface Ctx {
  cfg: BaselineConfig;
  log: RunLog;
  data: PreparedData;
  train: Rows;
  test: Rows;
  /** maps flattened images to the method's features (PCA or identity) */
  features: (m: Rows) => Rows;
  results: Record<string, unknown>;
  timings: Record<string, number>;
}

/** What a method returns: scores of the test images reported (higher = more anomalous), on `data`'s test set. */
interface MethodOutcome { data: PreparedData; scores: Float64Array; threshold: number }

export async function runBaseline(cfg: BaselineConfig, opts: { quiet?: boolean } = {}): Promise<RunOutcome> {
  // the run-folder rules of train (src/io/run-folder.ts): one writer, nothing replaced without --force, and nothing
  // in the folder changed before the data files are read and checked
  const folder = openRunFolder({ xpDir: cfg.xpDir, outName: 'model', resume: false, force: cfg.force });
  try {
    let input: BaselineInput;
    try {
      const t = performance.now();
      const raw = loadRaw(cfg.dataset, cfg.dataDir, cfg.dataDir !== undefined, cfg, cfg.seed);
      const data = prepareData({ ...cfg, contrast: cfg.gcn ? 'l1' : 'none' }, raw);
      input = { raw, data, dataSeconds: seconds(t) };
    } catch (e) {
      folder.abandon();
      throw e;
    }
    folder.commit();
    return await runBaselineInFolder(cfg, input, opts);
  } finally {
    folder.release();
  }
}

/** The data of a baseline run, read and checked before its folder is touched. */
interface BaselineInput { raw: ReturnType<typeof loadRaw>; data: PreparedData; dataSeconds: number }

async function runBaselineInFolder(cfg: BaselineConfig, input: BaselineInput, opts: { quiet?: boolean }): Promise<RunOutcome> {
  const xp = cfg.xpDir;
  const resultsFile = path.join(xp, RESULTS_FILE);
  const log = openRunLog(path.join(xp, 'log.txt'), opts.quiet);
  const started = Date.now();
  const timings: Record<string, number> = {};
  const results: Record<string, unknown> = {
    results_version: RESULTS_VERSION, status: 'running', started_at: new Date(started).toISOString(), deep_svdd_version: PACKAGE_VERSION, code_commit: sourceCommit(), seed: cfg.seed,
    dataset: cfg.dataset, objective: describeBaseline(cfg), method: cfg.method,
  };
  const writeResults = () => writeJsonAtomic(resultsFile, { ...results, timings_s: timings });
  try {
    log.info(`deep-svdd ${PACKAGE_VERSION}: ${describeBaseline(cfg)} on ${cfg.dataset}, seed ${cfg.seed}`);
    log.info(`Options:\n${Object.entries(cfg).map(([k, v]) => `  ${k.padEnd(20)}: ${JSON.stringify(v)}`).join('\n')}`);
    writeJsonAtomic(path.join(xp, 'config.json'), cfg);
    let t = performance.now();
    const { raw, data } = input;
    timings.data_s = input.dataSeconds;
  const d = data.info.height * data.info.width * data.info.channels;
    const trainRows: Rows = { x: data.train.x, n: data.train.n, d };
    describeData(cfg, data, log, results);
    // distances (KDE, the RBF kernel) as matrix products on the TF.js backend
    const backend = await selectBackend({ backend: 'auto', device: 'cpu', threads: 1 });
    useTfDotEngine();
    log.info(`Distances on ${describeBackend(backend)}`);
    results.backend = backend;
    writeResults();

    t = performance.now();
    let features = (m: Rows) => m;
    if (cfg.pca) {
      const model = fitPca(trainRows, cfg.pcaVariance);
      features = (m: Rows) => pcaTransform(model, m);
      const kept = model.explained.slice(0, model.k).reduce((a, v) => a + v, 0);
      results.pca = { components: model.k, of: d, variance_kept: kept, variance_target: cfg.pcaVariance };
      timings.pca_s = seconds(t);
      log.info(`PCA: ${model.k} of ${d} components keep ${(100 * kept).toFixed(2)} % of the training variance (${timings.pca_s.toFixed(1)} s)`);
    }
    const ctx: Ctx = {
      cfg, log, data, train: features(trainRows), test: features({ x: data.test.x, n: data.test.n, d }), features, results, timings,
    };
    const outcome = cfg.method === 'ocsvm' ? await runOcsvm(ctx, raw.kind === 'image' ? raw.train : undefined)
      : cfg.method === 'kde' ? runKde(ctx) : runIsolationForest(ctx);

    // float64 as computed: an OC-SVM's decision values at large γ differ from −ρ only below float32's resolution
    // (digit 5, γ = 2^-1: in the ninth digit), so rounding them to float32 would tie most test images
    const scores = outcome.scores;
    const auc = rocAuc(outcome.data.testLabels, scores);
    Object.assign(results, evaluationFields(outcome.data, scores, auc, outcome.threshold), {
      threshold: outcome.threshold, n_test_reported: outcome.data.test.n, train_time_s: timings.fit_s, test_time_s: timings.test_s,
    });
    log.info(`Test AUC: ${(100 * auc).toFixed(2)}% on ${outcome.data.test.n} test images (fit ${timings.fit_s.toFixed(1)} s, test ${timings.test_s.toFixed(1)} s)`);
    await writePictures(xp, outcome.data, scores, outcome.threshold);
    results.status = 'finished';
    results.finished_at = new Date().toISOString();
    timings.total_s = (Date.now() - started) / 1000;
    results.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
    writeResults();
    log.info(`Results in ${resultsFile} (total ${timings.total_s.toFixed(1)} s, peak RSS ${String(results.peak_rss_mb)} MB)`);
    log.close();
    return { results: results as unknown as RunResults, xpDir: xp };
  } catch (e) {
    results.status = 'failed';
    results.error = (e as Error).message;
    results.finished_at = new Date().toISOString();
    try { writeResults(); } catch { /* keep the original error */ }
    log.record(`ERROR ${(e as Error).message}`);
    log.close();
    throw e;
  }
}

function describeData(cfg: BaselineConfig, data: PreparedData, log: RunLog, results: Record<string, unknown>): void {
  const names = data.info.classNames;
  const nOut = data.testLabels.reduce((a, v) => a + v, 0);
  log.info(`Data: ${data.source}`);
  log.info(`  normal class(es) ${data.normal.map((c) => names[c]).join(', ')}; outlier class(es) ${data.outlier.map((c) => names[c]).join(', ')}`);
  log.info(`  ${data.train.n} training images, ${data.test.n} test images (${nOut} outliers)`);
  log.info(`  preprocessing: /255, ${cfg.gcn ? 'GCN l1, ' : ''}min–max with training min ${data.constants.min.toPrecision(8)}, max ${data.constants.max.toPrecision(8)}${cfg.pca ? `, PCA to ${100 * cfg.pcaVariance} % variance` : ''}`);
  Object.assign(results, {
    data_source: data.source, n_train: data.train.n, n_test: data.test.n, n_val: 0, n_train_outliers: 0,
    normal_classes: data.normal, outlier_classes: data.outlier,
    normal_class_names: data.normal.map((c) => names[c]), outlier_class_names: data.outlier.map((c) => names[c]),
    preprocessing: { ...data.constants, pca: cfg.pca ? cfg.pcaVariance : null },
  });
}

// ------------------------------------------------------------------------------------------------ OC-SVM

async function runOcsvm(ctx: Ctx, rawTrain: { images: Uint8Array; labels: Uint8Array } | undefined): Promise<MethodOutcome> {
  const { cfg, log, data, results, timings } = ctx;
  const grid = cfg.nu.flatMap((nu) => (cfg.gamma !== undefined ? [cfg.gamma] : GAMMA_GRID).map((gamma) => ({ gamma, nu })));
  // the squared distances between the training images, once for the whole grid (libsvm gets precomputed kernels)
  let pre: PrecomputedDistances | undefined;
  if (ctx.train.n <= PRECOMPUTED_MAX) {
    const t = performance.now();
    pre = { dist: trainDistances(ctx.train), n: ctx.train.n };
    timings.kernel_s = seconds(t);
    log.info(`OC-SVM: squared distances between the ${ctx.train.n} training images for precomputed kernels (${timings.kernel_s.toFixed(1)} s)`);
  }
  const fit = async (train: Rows, p: { gamma: number; nu: number }, idx?: Int32Array) => fitOcsvm(train, p, pre && { ...pre, idx });
  if (grid.length === 1) {
    const t = performance.now();
    const model = await fit(ctx.train, grid[0]);
    timings.fit_s = seconds(t);
    results.hyperparameters = { gamma: model.gamma, nu: model.nu, n_support_vectors: model.coef.length };
    results.hyperparameter_selection = { protocol: 'none (given)', uses_test_labels: false };
    return testOcsvm(ctx, model, data, ctx.test);
  }
  const points: Array<GridPoint<{ gamma: number; nu: number }>> = [];
  const tSel = performance.now();
  if (cfg.gammaSelection === 'test-slice') {
    // the paper's protocol: choose on a random slice of the test set, report on the rest
    const { holdout, rest } = splitTestSlice(data.testLabels, cfg.selectionFrac, subRng(cfg.seed, 'ocsvm-test-slice'));
    const val = takeRows(ctx.test, holdout);
    const valLabels = Uint8Array.from(holdout, (i) => data.testLabels[i]);
    log.info(`OC-SVM: choosing ${cfg.nu.length > 1 ? 'γ and ν' : 'γ'} on ${holdout.length} test images (${cfg.selectionFrac * 100} % of the test set, the paper's protocol; uses test labels), reporting on the other ${rest.length}`);
    let best: { model: OcsvmModel; value: number; fitSeconds: number } | undefined;
    for (const p of grid) {
      const t = performance.now();
      const model = await fit(ctx.train, p);
      const fitSeconds = seconds(t);
      const auc = rocAuc(valLabels, negate(ocsvmDecision(model, val)));
      points.push({ params: p, value: auc });
      log.info(`  γ = 2^${Math.log2(p.gamma).toFixed(2).replace(/\.00$/, '')}, ν = ${p.nu}: hold-out AUC ${(100 * auc).toFixed(2)}%, ${model.coef.length} support vectors (${seconds(t).toFixed(1)} s)`);
      if (!best || auc > best.value) best = { model, value: auc, fitSeconds };
    }
    timings.selection_s = seconds(tSel);
    timings.fit_s = best!.fitSeconds; // the chosen model, fitted during the search on the whole training set
    results.hyperparameters = { gamma: best!.model.gamma, nu: best!.model.nu, n_support_vectors: best!.model.coef.length };
    results.hyperparameter_selection = {
      protocol: 'test-slice', uses_test_labels: true,
      note: 'the paper\'s protocol: γ chosen by the AUC on a random slice of the test set; the reported AUC is on the remaining test images only',
      n_holdout: holdout.length, n_holdout_outliers: valLabels.reduce((a, v) => a + v, 0), holdout_test_indices: Array.from(holdout, (i) => data.testIndex[i]),
      grid: points.map((q) => ({ ...q.params, holdout_auc: q.value })),
    };
    return testOcsvm(ctx, best!.model, restrictTest(data, rest), takeRows(ctx.test, rest));
  }
  // leakage-free: hold out training images of the normal class and of the outlier classes
  if (!rawTrain) throw new UserError('--gamma-selection train-holdout needs image datasets: for tables use --gamma-selection test-slice or give --gamma');
  const normalSplit = splitHoldout(ctx.train.n, cfg.selectionFrac, subRng(cfg.seed, 'ocsvm-holdout'));
  const outPool = selectIndices(rawTrain.labels, data.outlier);
  if (!outPool.length) throw new UserError('--gamma-selection train-holdout needs training images of the outlier classes: there are none; use --gamma-selection test-slice or give --gamma');
  const nOut = Math.max(1, Math.round(cfg.selectionFrac * outPool.length));
  const outIdx = Int32Array.from(permutation(outPool.length, subRng(cfg.seed, 'ocsvm-holdout-outliers')).subarray(0, nOut), (k) => outPool[k]).sort();
  const d = data.info.height * data.info.width * data.info.channels;
  const outX = preprocess(gatherImages(rawTrain.images, d, outIdx), [], d, { minMax: data.constants, gcn: cfg.gcn ? 'l1' : 'none' }).train;
  const outRows = ctx.features({ x: outX, n: outIdx.length, d });
  const fitPart = takeRows(ctx.train, normalSplit.rest);
  const val = concatRows(takeRows(ctx.train, normalSplit.holdout), outRows);
  const valLabels = new Uint8Array(val.n).fill(1, normalSplit.holdout.length);
  log.info(`OC-SVM: choosing ${cfg.nu.length > 1 ? 'γ and ν' : 'γ'} on held-out training images (${normalSplit.holdout.length} of the normal class, ${nOut} of the outlier classes; no test data), fitting on the other ${fitPart.n}`);
  for (const p of grid) {
    const t = performance.now();
    const model = await fit(fitPart, p, normalSplit.rest);
    const auc = rocAuc(valLabels, negate(ocsvmDecision(model, val)));
    points.push({ params: p, value: auc });
    log.info(`  γ = 2^${Math.log2(p.gamma).toFixed(2).replace(/\.00$/, '')}, ν = ${p.nu}: hold-out AUC ${(100 * auc).toFixed(2)}%, ${model.coef.length} support vectors (${seconds(t).toFixed(1)} s)`);
  }
  timings.selection_s = seconds(tSel);
  const best = bestOf(points);
  const t = performance.now();
  const model = await fit(ctx.train, best.params);
  timings.fit_s = seconds(t);
  log.info(`OC-SVM: refitted on all ${ctx.train.n} training images with γ = ${best.params.gamma}, ν = ${best.params.nu}`);
  results.hyperparameters = { gamma: model.gamma, nu: model.nu, n_support_vectors: model.coef.length };
  results.hyperparameter_selection = {
    protocol: 'train-holdout', uses_test_labels: false,
    note: 'γ chosen by the AUC on held-out training images (normal and outlier classes), then refitted on the whole training set; tested on the whole test set',
    n_holdout: val.n, n_holdout_outliers: nOut, grid: points.map((q) => ({ ...q.params, holdout_auc: q.value })),
  };
  return testOcsvm(ctx, model, data, ctx.test);
}

function testOcsvm(ctx: Ctx, model: OcsvmModel, data: PreparedData, test: Rows): MethodOutcome {
  const t = performance.now();
  const scores = negate(ocsvmDecision(model, test));
  ctx.timings.test_s = seconds(t);
  return { data, scores, threshold: 0 };
}

// ------------------------------------------------------------------------------------------------ KDE

function runKde(ctx: Ctx): MethodOutcome {
  const { cfg, log, results, timings } = ctx;
  let h = cfg.bandwidth;
  let oofScores: Float64Array | undefined;
  if (h === undefined) {
    const t = performance.now();
    const fold = foldAssignment(ctx.train.n, cfg.kdeFolds, permutation(ctx.train.n, subRng(cfg.seed, 'kde-folds')));
    const cv = kdeCrossValidate(ctx.train, KDE_BANDWIDTHS, fold, cfg.kdeFolds);
    timings.selection_s = seconds(t);
    cv.bandwidths.forEach((b, i) => log.info(`  bandwidth ${b.toPrecision(4)}: mean held-out log-likelihood per fold ${cv.meanScores[i].toPrecision(8)}`));
    h = cv.best;
    oofScores = negate(cv.outOfFold);
    log.info(`KDE: bandwidth ${h.toPrecision(6)} chosen by ${cfg.kdeFolds}-fold cross-validation on the training set (${timings.selection_s.toFixed(1)} s)`);
    results.hyperparameter_selection = {
      protocol: `${cfg.kdeFolds}-fold cross-validation of the log-likelihood on the training set`, uses_test_labels: false,
      grid: cv.bandwidths.map((b, i) => ({ bandwidth: b, mean_fold_log_likelihood: cv.meanScores[i] })),
    };
  } else {
    results.hyperparameter_selection = { protocol: 'none (given)', uses_test_labels: false };
  }
  timings.fit_s = 0; // a KDE is its training set
  results.hyperparameters = { bandwidth: h, kernel: 'gaussian' };
  const t = performance.now();
  const scores = negate(kdeLogDensity(ctx.train, ctx.test, h));
  timings.test_s = seconds(t);
  // threshold: the (1 − contamination) quantile of the training scores, cross-validated where available
  const trainScores = oofScores ?? negate(kdeLogDensity(ctx.train, ctx.train, h));
  return { data: ctx.data, scores, threshold: quantile(trainScores, 1 - cfg.contamination) };
}

// ------------------------------------------------------------------------------------------------ Isolation Forest

function runIsolationForest(ctx: Ctx): MethodOutcome {
  const { cfg, log, results, timings } = ctx;
  let t = performance.now();
  const forest = fitIsolationForest(ctx.train, { nEstimators: cfg.nEstimators, maxSamples: cfg.maxSamples }, subRng(cfg.seed, 'isolation-forest'));
  const threshold = quantile(isolationScores(forest, ctx.train), 1 - cfg.contamination);
  timings.fit_s = seconds(t);
  log.info(`Isolation Forest: ${cfg.nEstimators} trees of ${forest.maxSamples} samples (${timings.fit_s.toFixed(1)} s)`);
  results.hyperparameters = { n_estimators: cfg.nEstimators, max_samples: forest.maxSamples, contamination: cfg.contamination };
  results.hyperparameter_selection = { protocol: 'none (fixed, as the original)', uses_test_labels: false };
  t = performance.now();
  const scores = isolationScores(forest, ctx.test);
  timings.test_s = seconds(t);
  return { data: ctx.data, scores, threshold };
}

// ------------------------------------------------------------------------------------------------ helpers

/** The prepared data with its test set restricted to the positions `idx` (ascending). */
function restrictTest(data: PreparedData, idx: Int32Array): PreparedData {
  const d = data.info.height * data.info.width * data.info.channels;
  const x = new Float32Array(idx.length * d);
  idx.forEach((i, k) => x.set(data.test.x.subarray(i * d, (i + 1) * d), k * d));
  return {
    ...data,
    test: { ...data.test, x, n: idx.length },
    testLabels: Uint8Array.from(idx, (i) => data.testLabels[i]),
    testIndex: Int32Array.from(idx, (i) => data.testIndex[i]),
    testClasses: Uint8Array.from(idx, (i) => data.testClasses[i]),
    testPixels: gatherImages(data.testPixels, d, idx),
  };
}

function concatRows(a: Rows, b: Rows): Rows {
  const x = new Float32Array((a.n + b.n) * a.d);
  x.set(a.x, 0);
  x.set(b.x, a.n * a.d);
  return { x, n: a.n + b.n, d: a.d };
}

function negate(v: Float64Array): Float64Array {
  return v.map((x) => -x);
}

function seconds(t: number): number {
  return (performance.now() - t) / 1000;
}
