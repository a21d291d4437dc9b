/**
 * The progress protocol between a `train` run and the `sweep` that started it (src/experiments/README.md): JSON
 * lines on the file descriptor named by DEEP_SVDD_PROGRESS_FD (the sweep opens an extra pipe as fd 3), so that no
 * console line is ever parsed and the console's wording can change freely. Without the variable nothing is sent.
 */
import fs from 'node:fs';
import { type RunStatus } from '../io/results.js';
import { type Phase } from '../train/loop.js';

export const PROGRESS_FD_ENV = 'DEEP_SVDD_PROGRESS_FD';
export const PROGRESS_VERSION = 1;

export type ProgressEvent =
  /** a stage starts: n_epochs epochs of `phase` are to run */
  | { v: typeof PROGRESS_VERSION; event: 'phase'; phase: Phase; n_epochs: number }
  /** `epoch` epochs of `phase` are done (1-based), with the epoch's mean loss */
  | { v: typeof PROGRESS_VERSION; event: 'epoch'; phase: Phase; epoch: number; n_epochs: number; loss: number }
  /** the run ends with this status (results.json holds the rest) */
  | { v: typeof PROGRESS_VERSION; event: 'end'; status: RunStatus };

type EventBody = ProgressEvent extends infer E ? E extends ProgressEvent ? Omit<E, 'v'> : never : never;

/** A sender of progress events on the descriptor named in `env`, or a no-op without one. */
export function progressSender(env: NodeJS.ProcessEnv = process.env): (e: EventBody) => void {
  const raw = env[PROGRESS_FD_ENV];
  let fd = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : null;
  return (e) => {
    if (fd === null) return;
    try {
      fs.writeSync(fd, `${JSON.stringify({ v: PROGRESS_VERSION, ...e })}\n`);
    } catch {
      fd = null; // the reader is gone: progress is best effort, the run goes on
    }
  };
}

/** One line of the channel as an event, or null for anything else (an unknown version or event is ignored). */
export function parseProgressLine(line: string): ProgressEvent | null {
  let e: unknown;
  try { e = JSON.parse(line); } catch { return null; }
  if (e === null || typeof e !== 'object') return null;
  const o = e as Record<string, unknown>;
  if (o.v !== PROGRESS_VERSION) return null;
  const phase = o.phase === 'pretrain' || o.phase === 'train';
  const int = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (o.event === 'phase' && phase && int(o.n_epochs)) return o as ProgressEvent;
  if (o.event === 'epoch' && phase && int(o.epoch) && int(o.n_epochs)) return o as ProgressEvent;
  if (o.event === 'end' && typeof o.status === 'string') return o as ProgressEvent;
  return null;
}
