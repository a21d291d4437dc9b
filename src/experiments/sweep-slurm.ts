/**
 * `deep-svdd sweep --emit slurm`: the sweep as a Slurm job array instead of local child processes. Task i of
 * DIR/sweep.sbatch trains run i of planRuns(plan) in its own folder, skips it if its results.json says finished and
 * resumes it from its checkpoint if it has one, so that resubmitting the script reruns only the unfinished runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensureDir, writeFileAtomic } from '../io/atomic.js';
import { checkOutputPath } from '../io/output-path.js';
import { CHECKPOINT_FILE } from '../io/checkpoint.js';
import { classArg, CLI_PATH, planRuns, previousRun, shellQuote, type SweepPlan } from './sweep-state.js';

// ------------------------------------------------------------------------------------------------ Slurm

/** A Slurm job-array script: task i runs run i of planRuns(plan), skipping it if its results.json says finished. */
export function slurmScript(plan: SweepPlan, throttle?: number): string {
  const runs = planRuns(plan);
  const q = shellQuote;
  const baseline = plan.command === 'baseline';
  const train = [baseline ? 'baseline' : 'train', ...plan.trainArgs].map(q).join(' ');
  const skip = plan.force ? ['# --force 1: finished runs are rerun too'] : [
    `if ${q(process.execPath)} -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).status === "finished" ? 0 : 1)' "$xp/results.json" 2>/dev/null; then`,
    '  echo "deep-svdd: $xp is finished: skipped"',
    '  exit 0',
    'fi',
  ];
  return [
    '#!/bin/bash',
    '# deep-svdd sweep as a Slurm job array: task i trains run i (normal class, seed) in its own folder.',
    `# Written by: ${['deep-svdd', ...plan.argv].map(q).join(' ')}`,
    `# Submit:     sbatch ${q(path.join(plan.xpDir, 'sweep.sbatch'))}   (add #SBATCH lines for --partition, --time, --mem as your cluster needs)`,
    `# Summary:    deep-svdd report ${q(plan.xpDir)}   (when the tasks are done; resubmitting reruns only unfinished runs)`,
    '#SBATCH --job-name=deep-svdd-sweep',
    `#SBATCH --array=0-${runs.length - 1}${throttle ? `%${throttle}` : ''}`,
    '#SBATCH --ntasks=1',
    // --threads 0 (auto) uses what Slurm allocates; ask for one CPU then
    `#SBATCH --cpus-per-task=${Math.max(1, plan.threads)}`,
    `#SBATCH --output=${path.join(plan.xpDir, 'slurm', '%A_%a.out')}`,
    'set -euo pipefail',
    `classes=(${runs.map((r) => q(classArg(plan, r.class))).join(' ')})`,
    `seeds=(${runs.map((r) => r.seed).join(' ')})`,
    `dirs=(${runs.map((r) => q(r.dir)).join(' ')})`,
    'i=${SLURM_ARRAY_TASK_ID:?submit this script with sbatch, or set SLURM_ARRAY_TASK_ID to a task index to run one task}',
    `if ! [[ "$i" =~ ^[0-9]+$ ]] || [ "$i" -ge ${runs.length} ]; then echo "deep-svdd: task $i is outside 0..${runs.length - 1}" >&2; exit 2; fi`,
    `xp=${q(plan.xpDir)}/"\${dirs[$i]}"`,
    ...skip,
    `cd ${q(process.cwd())}`,
    ...(baseline ? ['mode="--force 1"  # baseline runs have no checkpoint'] : [`mode="--force 1"; if [ -f "$xp/${CHECKPOINT_FILE}" ]; then mode="--resume 1"; fi  # an interrupted run continues from its checkpoint`]),
    `exec ${q(process.execPath)} ${q(CLI_PATH)} ${train} --normal "\${classes[$i]}" --seed "\${seeds[$i]}"${baseline ? '' : ` --threads ${plan.threads}`} --xp-dir "$xp" $mode`,
    '',
  ].join('\n');
}

/** Writes DIR/sweep.sbatch (and DIR/slurm/ for the task logs); returns what to tell the user. */
export function emitSlurm(plan: SweepPlan, throttle?: number): string {
  ensureDir(path.join(plan.xpDir, 'slurm'));
  const file = path.join(plan.xpDir, 'sweep.sbatch');
  // the sweep's own script is rewritten each time, but never through a link or over a FIFO (src/io/output-path.ts)
  checkOutputPath(file, { option: '--xp-dir', force: true });
  writeFileAtomic(file, slurmScript(plan, throttle));
  fs.chmodSync(file, 0o755);
  const runs = planRuns(plan);
  const done = plan.force ? 0 : runs.filter((r) => previousRun(plan.xpDir, r)).length;
  return [
    `wrote ${file}: a Slurm job array of ${runs.length} task(s) (classes ${plan.classes.join(',')} × seeds ${plan.seeds.join(',')})`
      + `${done ? `; ${done} already finished (their tasks exit at once)` : ''}`,
    `submit it with:  sbatch ${shellQuote(file)}`,
    `watch it with:   squeue --me   (task logs in ${path.join(plan.xpDir, 'slurm')}/)`,
    `then summarise:  deep-svdd report ${shellQuote(plan.xpDir)}`,
    '',
  ].join('\n');
}
