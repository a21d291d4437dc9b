/** Report runs built in memory for the report's unit tests: one finished run per call, with what a results.json would give. */
import { type ReportRun } from '../../src/experiments/report-scan.js';

export interface RunSpec {
  cls: number;
  seed: number;
  /** test AUC in 0..1; null for a run without one */
  auc: number | null;
  method?: string | null;
  dataset?: string;
  sweep?: string;
  ae?: number | null;
  gammaL?: number | null;
  collapsed?: boolean;
  status?: string;
  className?: string;
  outliers?: string;
}

export function run(s: RunSpec): ReportRun {
  const classKey = `${s.cls}vs${s.outliers ?? 'all'}`;
  const sweep = s.sweep ?? '';
  const group = sweep ? `${sweep}/${classKey}` : classKey;
  return {
    cls: s.cls, seed: s.seed, dir: `/nowhere/${group}/seed_${s.seed}`, rel: `${group}/seed_${s.seed}`, group, sweep, classKey,
    status: s.status ?? 'finished', testAuc: s.auc, aeTestAuc: s.ae ?? null, objective: s.method ?? null, method: s.method === undefined ? 'one-class' : s.method,
    gammaL: s.gammaL ?? null, collapsed: s.collapsed ?? false, dataset: s.dataset ?? 'mnist', className: s.className ?? String(s.cls), seconds: 10, error: null,
  };
}
