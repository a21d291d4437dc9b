/** Runs benchmark jobs in fresh child processes (worker.js), one at a time or several started together. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { READY_LINE, RESULT_PREFIX, type Job, type WorkerResult } from './types.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

interface Running {
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<WorkerResult>;
}

function start(job: Job, timeoutS: number): Running {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(job)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  let out = '';
  let err = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => { onReady = resolve; });
  let buffered = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    out += d;
    buffered += d;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim() === READY_LINE) onReady();
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => { err = (err + d).slice(-4000); });
  child.stdin!.on('error', () => {}); // the child may exit before reading stdin
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutS * 1000);
  const done = new Promise<WorkerResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      onReady(); // never leave a waiter hanging
      const line = out.split('\n').reverse().find((l) => l.startsWith(RESULT_PREFIX));
      if (line) {
        resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as WorkerResult);
        return;
      }
      const why = timedOut ? `killed after ${timeoutS} s` : `exited with ${signal ?? `code ${code}`} and no result`;
      resolve({ kind: 'error', job, error: why, detail: err.trim().split('\n').slice(-8).join('\n') || undefined });
    });
  });
  return { child, ready, done };
}

/** Runs one job in a fresh process; a crash, a hang past timeoutS or a thrown error comes back as an ErrorResult. */
export function runJob(job: Job, timeoutS: number): Promise<WorkerResult> {
  const r = start(job, timeoutS);
  r.child.stdin!.end();
  return r.done;
}

/**
 * Runs jobs (step jobs with sync: true) in parallel processes: each sets up, says it is ready, and all are told
 * to start their warm-up at the same moment, so the timed steps overlap.
 */
export async function runTogether(jobs: Job[], timeoutS: number): Promise<WorkerResult[]> {
  const rs = jobs.map((j) => start(j, timeoutS));
  await Promise.all(rs.map((r) => r.ready));
  for (const r of rs) r.child.stdin!.end('go\n');
  return Promise.all(rs.map((r) => r.done));
}
