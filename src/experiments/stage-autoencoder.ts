/**
 * The autoencoder stage of a run: pretraining for Deep SVDD (its encoder then starts the Deep SVDD network), or the
 * DCAE baseline (`--loss autoencoder`), which ends the run with the autoencoder's own scores.
 */
import path from 'node:path';
import { type ImageSet } from '../data/batches.js';
import { reconstructionErrors } from '../eval/infer.js';
import { quantile } from '../eval/metrics.js';
import { writeLineChart } from '../io/charts.js';
import { restoreRunCheckpoint } from '../io/checkpoint-state.js';
import { insideFolder } from '../io/run-folder.js';
import { type Network } from '../nn/networks.js';
import { autoencoderProblem, type AeObjective } from '../train/autoencoder.js';
import { fusedAutoencoderBlocker, fusedAutoencoderProblem } from '../train/fused-mlp-problem.js';
import { runEpochs } from '../train/loop.js';
import { makeSolver } from '../train/solvers.js';
import { chooseStep } from './step-path.js';
import { chooseThreshold } from './threshold-choice.js';
import { evaluationFields, fmtAuc, interrupted, modelBase, safeAuc, saveModel, stageLoop, writePictures, type Ctx } from './run-context.js';

export async function pretrain(ctx: Ctx, ae: Network): Promise<void> {
  const { cfg, data, log } = ctx;
  // the DCAE baseline (--loss autoencoder) trains the autoencoder with the main solver, lr, epochs and batch size
  const baseline = cfg.loss === 'autoencoder';
  const nEpochs = baseline ? cfg.nEpochs : cfg.aeNEpochs;
  const solverName = baseline ? cfg.solver : cfg.aeSolver;
  const lr = baseline ? cfg.lr : cfg.aeLr;
  const batch = baseline ? cfg.batchSize : cfg.aeBatchSize;
  const solver = makeSolver(solverName, { momentum: cfg.momentum });
  if (ctx.resume?.header.position.phase === 'pretrain') restoreRunCheckpoint(ctx.resume, ae, solver, ctx.xp);
  log.info(`${baseline ? 'Training' : 'Pretraining'} the autoencoder: ${solverName}, lr ${lr}, ${nEpochs} epochs, batch ${batch}${cfg.aeWeightDecay ? `, weight decay C ${cfg.aeC}` : ''}`);
  const objective: AeObjective = { loss: cfg.aeLoss, weightDecayC: cfg.aeWeightDecay ? cfg.aeC : undefined };
  const t = performance.now();
  const done = await runEpochs({
    phase: 'pretrain', set: data.train, batchSize: Math.min(batch, data.train.n), dropLast: cfg.dropLast, nEpochs,
    schedule: { lr, drop: cfg.aeLrDrop, dropInEpoch: cfg.aeLrDropInEpoch, dropFactor: cfg.aeLrDropFactor },
    problem: chooseStep(ctx, 'pretrain', ae, fusedAutoencoderBlocker(ae, solver, objective),
      () => fusedAutoencoderProblem(ae, objective, solver), () => autoencoderProblem(ae, objective, solver)),
    weights: ae.params.map((p) => p.variable),
    ...stageLoop(ctx, { phase: 'pretrain', nEpochs, net: ae, solver, score: (set) => reconstructionErrors(ae, set, cfg.evalBatchSize, cfg.aeLoss) }),
  });
  solver.dispose();
  ctx.timings.pretrain_s = (ctx.timings.pretrain_s ?? 0) + (performance.now() - t) / 1000;
  if (done < nEpochs) throw interrupted('pretrain', done);
  await writeLineChart(path.join(ctx.xp, 'loss_pretrain.png'), [{ values: ctx.csv.rows.filter((r) => r.phase === 'pretrain').map((r) => r.loss) }], { title: 'autoencoder pretraining loss', xLabel: 'epoch', yLabel: 'loss (log scale)', color: '#1e5ac8' });
  const t2 = performance.now();
  const scores = reconstructionErrors(ae, data.test, cfg.evalBatchSize, cfg.aeLoss);
  ctx.timings.ae_test_s = (performance.now() - t2) / 1000;
  ctx.results.ae_test_auc = safeAuc(data.testLabels, scores);
  log.info(`Autoencoder test AUC (reconstruction error): ${fmtAuc(ctx.results.ae_test_auc)}  (${ctx.timings.pretrain_s.toFixed(1)} s)`);
  ctx.writeResults();
}

/** The DCAE baseline's evaluation: reconstruction errors as scores, the (1 − ν)-quantile of the training ones as threshold (or --threshold fpr / f1's). */
export async function finishAutoencoder(ctx: Ctx, ae: Network): Promise<void> {
  const { cfg, data, log } = ctx;
  const scores = reconstructionErrors(ae, data.test, cfg.evalBatchSize, cfg.aeLoss);
  const quantileCut = quantile(reconstructionErrors(ae, data.train, cfg.evalBatchSize, cfg.aeLoss), 1 - cfg.nu);
  const errors = (set: ImageSet | undefined) => (set?.n ? reconstructionErrors(ae, set, cfg.evalBatchSize, cfg.aeLoss) : new Float32Array(0));
  const chosen = chooseThreshold(cfg, quantileCut, errors(data.val), errors(data.valOutliers));
  const threshold = chosen.threshold;
  (chosen.warn ? log.warn : log.info).call(log, chosen.line);
  Object.assign(ctx.results, evaluationFields(data, scores, ctx.results.ae_test_auc ?? null, threshold), {
    train_time_s: ctx.timings.pretrain_s, test_time_s: ctx.timings.ae_test_s, threshold, threshold_choice: chosen.results,
  });
  log.info(`Test AUC: ${fmtAuc(ctx.results.test_auc)} (autoencoder baseline)`);
  saveModel(insideFolder(ctx.xp, cfg.outName, '--out-name'), ae, {
    ...modelBase(ctx), loss: 'autoencoder', aeLoss: cfg.aeLoss, nu: cfg.nu, threshold, thresholdChoice: chosen.model,
  }, data.zca);
  await writePictures(ctx.xp, data, scores, threshold);
}
