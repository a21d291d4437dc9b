/** Which training step a phase runs (the fused MLP step or TF.js ops): chosen here, logged, and kept in results.json. */
import { fusedMlpKernels } from '../nn/mlp-fused-simd.js';
import { type Network } from '../nn/networks.js';
import { FUSED_MLP_ENV } from '../nn/mlp-fused-net.js';
import { type StepPath } from '../train/fused-mlp-problem.js';
import { type Phase, type Problem } from '../train/loop.js';
import { type Ctx } from './run-context.js';

/**
 * The fused problem when nothing blocks it (`blocker` undefined), else the TF.js one; records the choice in
 * results.json's training_step and, for MLP networks, in the log.
 */
export function chooseStep(ctx: Ctx, phase: Phase, net: Network, blocker: string | undefined, fused: () => Problem, tfjs: () => Problem): Problem {
  const path: StepPath = blocker === undefined ? 'fused-mlp' : 'tfjs';
  ctx.results.training_step = { ...ctx.results.training_step, [phase]: path };
  if (net.kind === 'mlp') {
    ctx.log.info(blocker === undefined
      ? `Training step: the fused MLP step (${fusedMlpKernels()}; ${FUSED_MLP_ENV}=0 runs TF.js ops instead)`
      : `Training step: TF.js ops (the fused MLP step does not apply: ${blocker})`);
  }
  return blocker === undefined ? fused() : tfjs();
}
