/**
 * `deep-svdd report DIR`: summarises a sweep folder (DIR/<class>vs<...>/seed_<s>/results.json), or a folder of sweep
 * folders (DIR/<sweep>/<class>vs<...>/seed_<s>/: one sweep per method, per dataset or per ablation variant), into
 * summary.csv, summary.md, auc_chart.png and a self-contained report.html, in DIR or in --out.
 *
 * The parts, one job each: report-scan.ts reads the run folders; report-table.ts holds the statistics and the paper's
 * layout (rows = classes or datasets, columns = methods, ours beside the paper's, the mean row per method);
 * report-text.ts writes the Markdown and CSV; report-charts.ts the pictures; report-html.ts the page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { UserError } from '../util/errors.js';
import { fileKind } from '../util/files.js';
import { aucChart } from './report-charts.js';
import { html } from './report-html.js';
import { collectRuns, type ReportRun } from './report-scan.js';
import { reportTable, sweepComparison, type ReportTable } from './report-table.js';
import { csv, markdown } from './report-text.js';

export { collectRuns, type ReportRun } from './report-scan.js';
export { popStd, reportTable, sweepComparison, type ReportTable } from './report-table.js';

export interface ReportResult { files: string[]; markdown: string; table: ReportTable; runs: ReportRun[] }

/** The files report writes, in this order. */
export const REPORT_FILES = ['summary.csv', 'summary.md', 'auc_chart.png', 'report.html'] as const;

/** Refuses a folder, link, FIFO, device or socket where report writes one of its files (one line, nothing written). */
function checkTargets(files: string[]): void {
  for (const f of files) {
    const there = fs.lstatSync(f, { throwIfNoEntry: false });
    if (there && !there.isFile()) throw new UserError(`${f} is ${fileKind(there)} where report writes a file: move or remove it, then run report again`);
  }
}

/**
 * Writes summary.csv, summary.md, auc_chart.png and report.html (with the charts as inline SVG) into the sweep folder,
 * or into `outArg` (created if need be) when given.
 */
export async function writeReport(dirArg: string, outArg?: string): Promise<ReportResult> {
  const dir = path.resolve(dirArg);
  let st: fs.Stats;
  try { st = fs.statSync(dir); } catch { throw new UserError(`${dirArg} does not exist: give the --xp-dir of a sweep`); }
  if (!st.isDirectory()) throw new UserError(`${dirArg} is not a folder: give the --xp-dir of a sweep`);
  const out = outArg === undefined ? dir : path.resolve(outArg);
  if (outArg !== undefined) {
    const o = fs.statSync(out, { throwIfNoEntry: false });
    if (o && !o.isDirectory()) throw new UserError(`--out ${outArg} is not a folder: give a folder for the report's files`);
  }
  const files = REPORT_FILES.map((f) => path.join(out, f));
  checkTargets(files);
  const runs = collectRuns(dir);
  if (!runs.length) throw new UserError(`no runs in ${dirArg} (expected ${path.join(dirArg, '<class>vsall/seed_<seed>/results.json')}, or sweep folders holding them): run deep-svdd sweep --xp-dir ${dirArg} first`);
  const table = reportTable(runs);
  const comparison = sweepComparison(runs);
  const md = markdown(dir, table, runs, comparison);
  const chart = await aucChart(table, runs);
  const page = await html({ dir, table, runs, chart, comparison }); // reads (and checks) every epochs.csv before anything is written
  fs.mkdirSync(out, { recursive: true });
  writeFileAtomic(files[0], csv(table));
  writeFileAtomic(files[1], md);
  writeFileAtomic(files[2], chart.png);
  writeFileAtomic(files[3], page);
  return { files, markdown: md, table, runs };
}
