/**
 * One shallow-baseline run (the OC-SVM, KDE and Isolation Forest columns of the paper's Table 1), writing the run
 * folder as `train` does: config.json, log.txt, results.json (AUC, AUPRC, test scores, the chosen hyperparameters
 * and how they were chosen, timings) and the most normal / most anomalous test images. Data, preprocessing, metrics
 * and pictures are train's own, the run folder's life is run-lifecycle.ts (as train's), and the methods are the
 * detectors of src/baselines/detectors.ts.
 */
import { describeBackend, selectBackend } from '../backend/select.js';
import { seconds } from '../baselines/detector.js';
import { detectorFor } from '../baselines/detectors.js';
import { takeRows, type Rows } from '../baselines/distances.js';
import { useTfDotEngine } from '../baselines/dot-tf.js';
import { fitPca, pcaTransform } from '../baselines/pca.js';
import { describeBaseline, type BaselineConfig } from '../config/baseline-options.js';
import { loadRaw, prepareData, type PreparedData } from '../data/datasets.js';
import { preprocess } from '../data/preprocess.js';
import { gatherImages, selectIndices } from '../data/select.js';
import { UserError } from '../util/errors.js';
import { PACKAGE_VERSION } from '../util/version.js';
import { dataFields, evaluationFields, fmtAuc, safeAuc, writePictures } from './run-context.js';
import { runInFolder, type Run, type RunOutcome } from './run-lifecycle.js';

/** The data of a baseline run, read and checked before its folder is touched. */
interface BaselineInput {
  raw: ReturnType<typeof loadRaw>;
  data: PreparedData;
  dataSeconds: number;
  /** the training images of the outlier classes (indices in the raw training split) */
  outlierPool: Int32Array;
}

export async function runBaseline(cfg: BaselineConfig, opts: { quiet?: boolean } = {}): Promise<RunOutcome> {
  return runInFolder<BaselineInput>({
    folder: { xpDir: cfg.xpDir, outName: 'model', resume: false, force: cfg.force },
    validate: async () => readInputs(cfg),
    start: (input) => ({
      identity: { seed: cfg.seed, dataset: cfg.dataset, objective: describeBaseline(cfg), method: cfg.method },
      config: cfg, dataSeconds: input.dataSeconds,
    }),
    body: (run, input) => fitAndTest(cfg, input, run),
    quiet: opts.quiet,
  });
}

/** Reads the data files and checks them, and that the detector can fit and select on them (before the run folder changes). */
function readInputs(cfg: BaselineConfig): BaselineInput {
  const t = performance.now();
  const raw = loadRaw(cfg.dataset, cfg.dataDir, cfg.dataDir !== undefined, cfg, cfg.seed);
  const data = prepareData({ ...cfg, contrast: cfg.gcn ? 'l1' : 'none' }, raw);
  // the outlier classes' training images (the OC-SVM's train-holdout selection); tables have none outside their split
  const input = { raw, data, dataSeconds: seconds(t), outlierPool: raw.kind === 'image' ? selectIndices(raw.train.labels, data.outlier) : new Int32Array(0) };
  if (data.train.n < 2) throw new UserError(`the training set has ${data.train.n} image(s), a baseline needs at least 2: choose other --normal classes or a larger --n-train`);
  const d = data.info.height * data.info.width * data.info.channels;
  detectorFor(cfg.method).checkInputs(cfg, { nTrain: data.train.n, d, testLabels: data.testLabels, nOutlierPool: input.outlierPool.length });
  return input;
}

/** The detector fitted on the training images (features: flattened, or PCA), then tested. */
async function fitAndTest(cfg: BaselineConfig, input: BaselineInput, run: Run): Promise<void> {
  const { log, results, timings } = run;
  const { raw, data } = input;
  log.info(`deep-svdd ${PACKAGE_VERSION}: ${describeBaseline(cfg)} on ${cfg.dataset}, seed ${cfg.seed}`);
  const d = data.info.height * data.info.width * data.info.channels;
  const trainRows: Rows = { x: data.train.x, n: data.train.n, d };
  describeData(cfg, data, run);
  // distances (KDE, the RBF kernel) as matrix products on the TF.js backend
  const backend = await selectBackend({ backend: 'auto', device: 'cpu', threads: 1 });
  useTfDotEngine();
  log.info(`Distances on ${describeBackend(backend)}`);
  results.backend = backend;
  run.write();

  let t = performance.now();
  let features = (m: Rows) => m;
  if (cfg.pca) {
    const model = fitPca(trainRows, cfg.pcaVariance);
    features = (m: Rows) => pcaTransform(model, m);
    const kept = model.explained.slice(0, model.k).reduce((a, v) => a + v, 0);
    results.pca = { components: model.k, of: d, variance_kept: kept, variance_target: cfg.pcaVariance };
    timings.pca_s = seconds(t);
    log.info(`PCA: ${model.k} of ${d} components keep ${(100 * kept).toFixed(2)} % of the training variance (${timings.pca_s.toFixed(1)} s)`);
  }
  const train = features(trainRows);
  const test = features({ x: data.test.x, n: data.test.n, d });
  const detector = detectorFor(cfg.method);
  const fitted = await detector.fit(train, {
    cfg, test, testLabels: data.testLabels, testIndex: data.testIndex, outlierPool: input.outlierPool, timings, log: (l) => log.info(l),
    outlierRows: (idx) => {
      if (raw.kind !== 'image') throw new UserError('--gamma-selection train-holdout needs image datasets: for tables use --gamma-selection test-slice or give --gamma');
      return features({ x: preprocess(gatherImages(raw.train.images, d, idx), [], d, { minMax: data.constants, gcn: cfg.gcn ? 'l1' : 'none' }).train, n: idx.length, d });
    },
  });
  results.hyperparameters = fitted.hyperparameters;
  results.hyperparameter_selection = fitted.selection;
  // the test images reported: all, or those the hyperparameters were not chosen on
  const reported = fitted.reported ? restrictTest(data, fitted.reported) : data;
  const reportedRows = fitted.reported ? takeRows(test, fitted.reported) : test;
  t = performance.now();
  const scores = detector.score(fitted.model, reportedRows);
  timings.test_s = seconds(t);
  const threshold = detector.threshold(fitted.model, train, cfg);
  // float64 as computed: an OC-SVM's decision values at large γ differ from −ρ only below float32's resolution
  // (digit 5, γ = 2^-1: in the ninth digit), so rounding them to float32 would tie most test images
  const auc = safeAuc(reported.testLabels, scores); // null with one class only among the test images reported
  Object.assign(results, evaluationFields(reported, scores, auc, threshold), {
    threshold, n_test_reported: reported.test.n, train_time_s: timings.fit_s, test_time_s: timings.test_s,
  });
  log.info(`Test AUC: ${fmtAuc(auc)} on ${reported.test.n} test images (fit ${timings.fit_s.toFixed(1)} s, test ${timings.test_s.toFixed(1)} s)`);
  await writePictures(run.xp, reported, scores, threshold);
}

function describeData(cfg: BaselineConfig, data: PreparedData, run: Run): void {
  const { log, results } = run;
  const names = data.info.classNames;
  const nOut = data.testLabels.reduce((a, v) => a + v, 0);
  log.info(`Data: ${data.source}`);
  log.info(`  normal class(es) ${data.normal.map((c) => names[c]).join(', ')}; outlier class(es) ${data.outlier.map((c) => names[c]).join(', ')}`);
  log.info(`  ${data.train.n} training images, ${data.test.n} test images (${nOut} outliers)`);
  log.info(`  preprocessing: /255, ${cfg.gcn ? 'GCN l1, ' : ''}min–max with training min ${data.constants.min.toPrecision(8)}, max ${data.constants.max.toPrecision(8)}${cfg.pca ? `, PCA to ${100 * cfg.pcaVariance} % variance` : ''}`);
  Object.assign(results, dataFields(data));
  results.preprocessing = { ...data.constants, pca: cfg.pca ? cfg.pcaVariance : null };
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
    // tables keep no pixels to draw
    testPixels: data.testPixels.length ? gatherImages(data.testPixels, d, idx) : data.testPixels,
  };
}
