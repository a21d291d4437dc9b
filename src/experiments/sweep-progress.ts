/**
 * The sweep's progress text: durations, a run's share of its epochs, the ETA from this invocation's rate of work, the
 * periodic status line and the line for each run that ends, shown either as plain lines (logs, CI) or as cli-progress
 * bars (a terminal), both behind the Progress interface that the running sweep reports to.
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { SweepRun, SweepState } from './sweep-state.js';

// ------------------------------------------------------------------------------------------------ progress text

export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  s = Math.round(s);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  if (m < 60) return `${m}m`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The fraction of a running run's epochs that are done. */
export function runFraction(run: SweepRun, epochs: { pretrain: number; train: number }): number {
  const total = epochs.pretrain + epochs.train;
  if (!total || !run.phase || run.epoch === undefined) return 0;
  const done = run.phase === 'pretrain' ? run.epoch : epochs.pretrain + run.epoch;
  return Math.min(1, done / total);
}

/**
 * Seconds left, from this invocation's rate of work: a finished run counts 1, a running one the fraction of its epochs
 * done; runs finished before and failed runs are left out. Null until there is something to go on.
 */
export function estimateEta(runs: SweepRun[], epochs: { pretrain: number; train: number }, elapsedS: number): number | null {
  let done = 0;
  let todo = 0;
  for (const r of runs) {
    if (r.skipped || r.status === 'failed') continue;
    todo += 1;
    if (r.status === 'finished') done += 1;
    else if (r.status === 'running') done += runFraction(r, epochs);
  }
  if (done < 1e-3 || elapsedS < 1) return null;
  return ((todo - done) * elapsedS) / done;
}

export function runLabel(run: SweepRun): string {
  return `${run.dir.split('/')[0]} seed ${run.seed}`;
}

function runActivity(run: SweepRun): string {
  return run.phase ? `${run.phase} epoch ${run.epoch ?? 0}/${run.n_epochs ?? '?'}` : 'starting';
}

export function statusLine(state: SweepState, elapsedS: number): string {
  const c = state.counts();
  const eta = estimateEta(state.runs, state.plan.epochs, elapsedS);
  const running = state.runs.filter((r) => r.status === 'running');
  const shown = running.slice(0, 3).map((r) => `${runLabel(r)}: ${runActivity(r)}`);
  if (running.length > 3) shown.push(`+${running.length - 3} more`);
  const parts = [`[sweep] ${c.finished}/${c.total} done, ${c.running} running, ${c.failed} failed`];
  if (shown.length) parts.push(shown.join('; '));
  parts.push(`ETA ${eta === null ? '?' : formatDuration(eta)}`);
  return parts.join(' — ');
}

function pct(v: number | null | undefined): string {
  return typeof v === 'number' ? `${(100 * v).toFixed(2)}%` : 'n/a';
}

export function endLine(state: SweepState, run: SweepRun): string {
  const where = path.join(state.plan.xpDir, run.dir);
  const took = run.seconds !== undefined ? ` in ${formatDuration(run.seconds)}` : '';
  if (run.status === 'finished') {
    return `[sweep] finished ${runLabel(run)}: test AUC ${pct(run.test_auc)}${run.ae_test_auc != null ? ` (autoencoder ${pct(run.ae_test_auc)})` : ''}${took}`;
  }
  if (run.status === 'interrupted') return `[sweep] interrupted ${runLabel(run)}${took}: files kept in ${where}; rerun the sweep to redo it`;
  return `[sweep] FAILED ${runLabel(run)}${took}: ${run.error ?? 'unknown error'} (see ${path.join(where, 'log.txt')})`;
}

export interface Progress {
  started(run: SweepRun): void;
  progressed(run: SweepRun): void;
  ended(run: SweepRun): void;
  note(line: string): void;
  stop(): void;
}

/** Plain lines for logs and CI: a status line at most every `everyMs`, one line per finished run. */
export class PlainProgress implements Progress {
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly state: SweepState, private readonly t0: number, everyMs = 10_000) {
    this.timer = setInterval(() => {
      if (this.state.counts().running) this.note(statusLine(this.state, (Date.now() - this.t0) / 1000));
    }, everyMs);
    this.timer.unref();
  }
  started(): void { /* the periodic line shows it */ }
  progressed(): void { /* the periodic line shows it */ }
  ended(run: SweepRun): void { this.note(endLine(this.state, run)); }
  note(line: string): void { process.stderr.write(`${line}\n`); }
  stop(): void { clearInterval(this.timer); }
}

/** cli-progress bars on a terminal: the sweep overall, and one bar per running job. */
export class BarProgress implements Progress {
  private readonly multi: cliProgress.MultiBar;
  private readonly overall: cliProgress.SingleBar;
  private readonly bars = new Map<SweepRun, cliProgress.SingleBar>();
  private readonly timer: NodeJS.Timeout;
  private readonly width: number;

  constructor(private readonly state: SweepState, private readonly t0: number) {
    this.multi = new cliProgress.MultiBar({
      stream: process.stderr, hideCursor: true, clearOnComplete: false, autopadding: true, barsize: 30, fps: 5,
      format: (options, params, payload: Record<string, string>) => {
        const size = options.barsize ?? 30;
        const filled = Math.round(Math.max(0, Math.min(1, params.progress)) * size);
        const bar = '█'.repeat(filled) + '░'.repeat(size - filled);
        return payload.kind === 'overall'
          ? `${'sweep'.padEnd(this.width)} ${bar} ${params.value}/${params.total} done | ${payload.running} running | ${payload.failed} failed | ETA ${payload.etaText}`
          : `${payload.name.padEnd(this.width)} ${bar} ${payload.activity}`;
      },
    }, cliProgress.Presets.shades_classic);
    this.width = Math.max(5, ...state.runs.map((r) => runLabel(r).length));
    const c = state.counts();
    this.overall = this.multi.create(c.total, c.finished, this.overallPayload());
    this.timer = setInterval(() => this.refresh(), 1000);
    this.timer.unref();
  }

  private overallPayload(): Record<string, string> {
    const c = this.state.counts();
    const eta = estimateEta(this.state.runs, this.state.plan.epochs, (Date.now() - this.t0) / 1000);
    return { kind: 'overall', running: String(c.running), failed: String(c.failed), etaText: eta === null ? '?' : formatDuration(eta) };
  }

  private refresh(): void { this.overall.update(this.state.counts().finished, this.overallPayload()); }

  started(run: SweepRun): void {
    const e = this.state.plan.epochs;
    this.bars.set(run, this.multi.create(Math.max(1, e.pretrain + e.train), 0, { kind: 'run', name: runLabel(run), activity: runActivity(run) }));
    this.refresh();
  }

  progressed(run: SweepRun): void {
    const e = this.state.plan.epochs;
    this.bars.get(run)?.update(Math.round(runFraction(run, e) * Math.max(1, e.pretrain + e.train)), { kind: 'run', name: runLabel(run), activity: runActivity(run) });
  }

  ended(run: SweepRun): void {
    const bar = this.bars.get(run);
    if (bar) { this.multi.remove(bar); this.bars.delete(run); }
    this.note(endLine(this.state, run));
    this.refresh();
  }

  note(line: string): void { this.multi.log(`${line}\n`); }

  stop(): void {
    clearInterval(this.timer);
    this.refresh();
    this.multi.stop();
  }
}
