/**
 * The report's scan: every run folder of a sweep (DIR/<class>vs<...>/seed_<s>/results.json), or of the sweeps in a
 * folder of sweeps (DIR/<sweep>/<class>vs<...>/seed_<s>/), read into one flat record per run. A corrupted
 * results.json is a one-line error (readResultsChecked); a missing one is a run with status "missing".
 */
import fs from 'node:fs';
import path from 'node:path';
import { methodOf, readResultsChecked, RESULTS_FILE, type RunResults } from '../io/results.js';

export interface ReportRun {
  cls: number;
  seed: number;
  /** absolute run folder */
  dir: string;
  /** folder relative to the report folder */
  rel: string;
  /** the class folder relative to the report folder (`3vsall`, or `<sweep>/3vsall` in a folder of sweeps) */
  group: string;
  /** the sweep folder's name in a folder of sweeps ('' for a single sweep) */
  sweep: string;
  /** the class folder's name (`3vsall`) */
  classKey: string;
  status: string;
  testAuc: number | null;
  aeTestAuc: number | null;
  objective: string | null;
  /** results.json "method", or methodOf's for a file written before it existed (a string: methods newer than this code read too) */
  method: string | null;
  /** Deep SAD's γ_l: results.json semi_supervised.ratio_known_outlier, null where the file has none */
  gammaL: number | null;
  /** results.json diagnostics.collapsed === true */
  collapsed: boolean;
  dataset: string | null;
  className: string | null;
  seconds: number | null;
  error: string | null;
}

export const CORRUPTED = 'remove that run folder or run it again (deep-svdd sweep with the same options resumes it), then run report again';
const CLASS_DIR = /^(\d+)vs[\w+.-]+$/;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const field = (v: unknown, key: string): unknown => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined);

/** γ_l of a Deep SAD run (semi_supervised.ratio_known_outlier), read defensively: null unless a number in 0..1. */
export function gammaLOf(r: Partial<RunResults> | Record<string, unknown>): number | null {
  const v = num(field((r as Record<string, unknown>).semi_supervised, 'ratio_known_outlier'));
  return v !== null && v >= 0 && v <= 1 ? v : null;
}

/** Whether a run's results say its scores collapsed (diagnostics.collapsed === true; absent in older files: false). */
export function collapsedOf(r: Partial<RunResults> | Record<string, unknown>): boolean {
  return field((r as Record<string, unknown>).diagnostics, 'collapsed') === true;
}

/** Every run folder of a sweep, or of the sweeps in a folder of sweeps, sorted by class, folder and seed. */
export function collectRuns(sweepDir: string): ReportRun[] {
  // a sweep folder may be a symbolic link (e.g. an ablation's reference, linked from another table)
  const isDir = (e: fs.Dirent) => e.isDirectory() || (e.isSymbolicLink() && fs.statSync(path.join(sweepDir, e.name), { throwIfNoEntry: false })?.isDirectory() === true);
  const entries = fs.readdirSync(sweepDir, { withFileTypes: true }).filter(isDir);
  const runs = entries.some((e) => CLASS_DIR.test(e.name)) ? collectSweep(sweepDir, '')
    : entries.flatMap((e) => collectSweep(path.join(sweepDir, e.name), e.name));
  return runs.sort((a, b) => a.cls - b.cls || a.rel.localeCompare(b.rel) || a.seed - b.seed);
}

function collectSweep(sweepDir: string, sweep: string): ReportRun[] {
  const runs: ReportRun[] = [];
  for (const cdir of fs.readdirSync(sweepDir, { withFileTypes: true })) {
    const cm = CLASS_DIR.exec(cdir.name);
    if (!cm || !cdir.isDirectory()) continue;
    const group = sweep ? `${sweep}/${cdir.name}` : cdir.name;
    const inClass: ReportRun[] = [];
    for (const sdir of fs.readdirSync(path.join(sweepDir, cdir.name), { withFileTypes: true })) {
      const sm = /^seed_(\d+)$/.exec(sdir.name);
      if (!sm || !sdir.isDirectory()) continue;
      const dir = path.join(sweepDir, cdir.name, sdir.name);
      const r = readResultsChecked(path.join(dir, RESULTS_FILE), CORRUPTED);
      inClass.push({
        cls: Number(cm[1]), seed: Number(sm[1]), dir, rel: `${group}/${sdir.name}`, group, sweep, classKey: cdir.name,
        status: r ? r.status ?? 'unknown' : 'missing',
        testAuc: num(r?.test_auc), aeTestAuc: num(r?.ae_test_auc), objective: r?.objective ?? null, method: r ? methodOf(r) : null,
        gammaL: r ? gammaLOf(r) : null, collapsed: r ? collapsedOf(r) : false,
        dataset: r?.dataset ?? null, className: r?.normal_class_names ? r.normal_class_names.join('+') : null,
        seconds: num(r?.timings_s?.total_s), error: r?.error ?? null,
      });
    }
    // a run without a results.json yet belongs to its class folder's dataset and method
    const known = inClass.find((r) => r.dataset !== null);
    for (const r of inClass) {
      if (r.status !== 'missing' || !known) continue;
      Object.assign(r, { dataset: known.dataset, method: known.method, gammaL: known.gammaL, objective: known.objective, className: known.className });
    }
    runs.push(...inClass);
  }
  return runs;
}
