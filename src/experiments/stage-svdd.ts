/**
 * The Deep SVDD stage of a run: centre c (or the checkpoint's), the epochs, the final radius, the test scores
 * d − R², the model folder and the pictures.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describeObjective, objectiveOf, radiusMode } from '../config/build.js';
import { meanRepresentation, squaredDistances } from '../eval/infer.js';
import { type ImageSet } from '../data/batches.js';
import { collapseDiagnostics } from '../eval/collapse.js';
import { fiveNumber } from '../eval/metrics.js';
import { restoreRunCheckpoint } from '../io/checkpoint-state.js';
import { writeLineChart } from '../io/charts.js';
import { insideFolder } from '../io/run-folder.js';
import { type Network } from '../nn/networks.js';
import { runEpochs } from '../train/loop.js';
import { centerEpsFix, oneClassRadius, softBoundaryRadius } from '../train/radius.js';
import { makeSolver } from '../train/solvers.js';
import { fusedSvddBlocker, fusedSvddProblem } from '../train/fused-mlp-problem.js';
import { SvddState, svddProblem, type SvddSettings } from '../train/svdd.js';
import { OBJECTIVES } from '../train/objectives.js';
import { chooseThreshold, type ChosenThreshold } from './threshold-choice.js';
import { chooseStep } from './step-path.js';
import { evaluationFields, fmtAuc, interrupted, mean, modelBase, safeAuc, saveModel, stageLoop, writePictures, type Ctx } from './run-context.js';

export async function trainSvdd(ctx: Ctx, net: Network): Promise<void> {
  const { cfg, data, log } = ctx;
  const mode = radiusMode(cfg);
  const objectiveName = objectiveOf(cfg) ?? 'one-class';
  const solver = makeSolver(cfg.solver, { momentum: cfg.momentum });
  let state: SvddState;
  let initialMeanDistance: number | undefined;
  if (ctx.resume?.header.position.phase === 'train') {
    const c = restoreRunCheckpoint(ctx.resume, net, solver, ctx.xp)!;
    state = new SvddState(c, ctx.resume.header.r2 ?? 0, { c: !cfg.centerFixed, r: mode === 'solver' });
  } else {
    const c = cfg.cMeanInit
      ? centerEpsFix(meanRepresentation(net, data.train, cfg.evalBatchSize, cfg.cMeanInitNBatches, 'tfjs'))
      : new Float32Array(cfg.repDim).fill(0.5);
    const cT = tf.tensor1d(c);
    // training's own passes keep TF.js ops (infer.ts): a seeded run trains as it did before the fused inference pass
    const d0 = squaredDistances(net, data.train, cT, cfg.evalBatchSize, 'tfjs');
    cT.dispose();
    initialMeanDistance = mean(d0);
    const r0 = mode === 'one-class' ? oneClassRadius(d0, cfg.nu) : mode === 'batch-quantile' ? 0 : softBoundaryRadius(d0, cfg.nu);
    state = new SvddState(c, r0 * r0, { c: !cfg.centerFixed, r: mode === 'solver' });
    log.info(`Centre c initialised (${cfg.cMeanInit ? 'mean of the initial outputs, |c_j| < 0.1 pushed to ±0.1' : 'c = 0.5·1'}); ‖c‖ = ${norm(c).toPrecision(5)}; initial R = ${r0.toPrecision(5)}`);
  }
  if (!cfg.centerFixed) log.warn('--center-fixed 0: c is trained by gradient; the network can collapse all images onto c (a constant function)');
  const modelMeta = () => ({
    ...modelBase(ctx), loss: 'svdd' as const, objective: objectiveName,
    nu: cfg.nu, c: Array.from(state.center()), R: state.radius, R2: state.radiusSquared, threshold: chosen?.threshold ?? 0,
    ...(chosen ? { thresholdChoice: chosen.model } : {}),
  });
  let chosen: ChosenThreshold | undefined;
  log.info(`Training ${describeObjective(cfg)}: ${cfg.solver}, lr ${cfg.lr}${cfg.lrDrop ? ` (÷${cfg.lrDropFactor} at epoch ${cfg.lrDropInEpoch})` : ''}, ${cfg.nEpochs} epochs, batch ${cfg.batchSize}${cfg.weightDecay ? `, weight decay C ${cfg.C}` : ''}`);
  const settings: SvddSettings = {
    mode, objective: OBJECTIVES[objectiveName], semiLabels: data.semiLabels, eta: cfg.eta, nu: cfg.nu, weightDecayC: cfg.weightDecay ? cfg.C : undefined, centerFixed: cfg.centerFixed,
    warmUpNEpochs: cfg.warmUpNEpochs, kUpdateEpochs: cfg.kUpdateEpochs, evalBatchSize: cfg.evalBatchSize,
  };
  const t = performance.now();
  const done = await runEpochs({
    phase: 'train', set: data.train, batchSize: Math.min(cfg.batchSize, data.train.n), dropLast: cfg.dropLast, nEpochs: cfg.nEpochs,
    schedule: { lr: cfg.lr, drop: cfg.lrDrop, dropInEpoch: cfg.lrDropInEpoch, dropFactor: cfg.lrDropFactor, decay: cfg.lrDecay, decayAfterEpoch: cfg.lrDecayAfterEpoch },
    problem: chooseStep(ctx, 'train', net, fusedSvddBlocker(net, solver, settings),
      () => fusedSvddProblem(net, data.train, state, settings, solver), () => svddProblem(net, data.train, state, settings, solver)),
    weights: [...net.params.map((p) => p.variable), state.c, state.rSquared],
    ...stageLoop(ctx, {
      phase: 'train', nEpochs: cfg.nEpochs, net, solver, state,
      score: (set) => squaredDistances(net, set, state.c, cfg.evalBatchSize),
      // only with --save-at: a stage with afterDiagnostics writes the fused step's weights back after every epoch
      afterDiagnostics: cfg.saveAt > 0 && cfg.saveAt < cfg.nEpochs ? (epoch) => {
        if (epoch + 1 === cfg.saveAt) {
          const dir = path.join(ctx.xp, `${cfg.outName}_epoch${cfg.saveAt}`);
          saveModel(dir, net, modelMeta(), data.zca);
          log.info(`Model after epoch ${cfg.saveAt} saved in ${dir}`);
        }
      } : undefined,
    }),
  });
  solver.dispose();
  if (done < cfg.nEpochs) throw interrupted('train', done);
  // final radius: one-class, the (1−ν)-quantile on the training set; soft-boundary, as trained
  const dTrain = squaredDistances(net, data.train, state.c, cfg.evalBatchSize);
  if (mode === 'one-class') state.radius = oneClassRadius(dTrain, cfg.nu);
  ctx.timings.train_s = (ctx.timings.train_s ?? 0) + (performance.now() - t) / 1000;
  const R = state.radius;
  const R2 = state.radiusSquared;
  await writeLineChart(path.join(ctx.xp, 'loss_train.png'), [{ values: ctx.csv.rows.filter((r) => r.phase === 'train').map((r) => r.loss) }], { title: 'Deep SVDD training loss', xLabel: 'epoch', yLabel: 'loss (log scale)', color: '#c83c1e' });

  const t2 = performance.now();
  const dTest = squaredDistances(net, data.test, state.c, cfg.evalBatchSize);
  const scores = Float32Array.from(dTest, (d) => d - R2);
  ctx.timings.test_s = (performance.now() - t2) / 1000;
  const auc = safeAuc(data.testLabels, scores);
  // the decision threshold: score > 0 (R from the ν-quantile, or the soft-boundary R) unless --threshold fpr / f1 chose
  const valScores = (set: ImageSet | undefined) => (set?.n ? Float32Array.from(squaredDistances(net, set, state.c, cfg.evalBatchSize), (d) => d - R2) : new Float32Array(0));
  chosen = chooseThreshold(cfg, 0, valScores(data.val), valScores(data.valOutliers));
  (chosen.warn ? log.warn : log.info).call(log, chosen.line);
  const diagnostics = collapseDiagnostics({ trainDistances: dTrain, testScores: scores, c: state.center(), initialMeanDistance });
  if (diagnostics.collapsed) log.warn(`the hypersphere seems to have collapsed (a constant network, see README "Collapse diagnostics"): ${diagnostics.reasons.join('; ')}`);
  log.info(`Test AUC: ${fmtAuc(auc)}   R = ${R.toPrecision(5)}   (training ${ctx.timings.train_s.toFixed(1)} s, test ${ctx.timings.test_s.toFixed(2)} s)`);
  Object.assign(ctx.results, evaluationFields(data, scores, auc, chosen.threshold), {
    threshold: chosen.threshold, threshold_choice: chosen.results, diagnostics,
    R, R2, c: Array.from(state.center()), train_score_summary: fiveNumber(Array.from(dTrain, (d) => d - R2)),
    train_time_s: ctx.timings.train_s, test_time_s: ctx.timings.test_s,
  });
  if (data.val.n) ctx.results.val_loss = mean(squaredDistances(net, data.val, state.c, cfg.evalBatchSize));
  saveModel(insideFolder(ctx.xp, cfg.outName, '--out-name'), net, modelMeta(), data.zca);
  await writePictures(ctx.xp, data, scores, chosen.threshold);
  state.dispose();
}

function norm(v: Float32Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}
