/**
 * report.html: one self-contained page (no script, no link, every picture inline: the charts as SVG, the run
 * folders' PNGs as data URIs): the summary table and its notes, the sweep comparison, the AUC chart, per class and
 * method the most anomalous / most normal test images and the loss curves where the runs have them, and every run.
 */
import path from 'node:path';
import { readRegular } from '../util/files.js';
import { PACKAGE_VERSION } from '../util/version.js';
import { CHART_COLORS, lossCurves } from './report-charts.js';
import { type ReportRun } from './report-scan.js';
import { rowLabel, type ReportCell, type ReportTable, type SweepComparison } from './report-table.js';
import { cellParts, COLLAPSED_MARK, comparisonRows, COMPARISON_NOTE, notes, pm, subtitle, summaryTable, type TextTable } from './report-text.js';

export const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** An SVG document as an element inside HTML (without its XML declaration). */
const inlineSvg = (svg: string) => svg.replace(/^<\?xml[^>]*>\s*/, '');
const dataUri = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;

function readPng(file: string): Buffer | null {
  try { return readRegular(file); } catch { return null; }
}

/** A table: head, rows, the leading label columns left-aligned, the last row as the mean row where asked. */
function htmlTable(cls: string, head: string[], rows: string[][], labels: number, meanRow: boolean): string {
  return [
    `<table class="${cls}"><thead><tr>`, ...head.map((h) => `<th>${esc(h)}</th>`), '</tr></thead><tbody>',
    ...rows.map((r, i) => `<tr${meanRow && i === rows.length - 1 ? ' class="all"' : ''}>${r.map((x, j) => `<td${j >= labels ? ' class="n"' : ''}>${esc(x)}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('');
}

/** The paper's layout as HTML: each cell ours above the paper's (grey), so that six methods fit a screen's width. */
function matrixTable(t: ReportTable, s: TextTable): string {
  const cell = (c: ReportCell | undefined) => {
    const p = cellParts(c);
    return p ? `<td class="n">${esc(p.ours)}${esc(p.mark)}<br><span class="paper">${esc(p.paper)}</span></td>` : '<td class="n">–</td>';
  };
  const label = (x: string) => `<td>${esc(x)}</td>`;
  const rows = [
    ...t.rows.map((r, i) => `<tr>${s.rows[i].slice(0, s.labels).map(label).join('')}${t.columns.map((c) => cell(r.cells[c.key])).join('')}</tr>`),
    `<tr class="all">${s.rows[s.rows.length - 1].slice(0, s.labels).map(label).join('')}${t.columns.map((c) => cell(t.mean[c.key])).join('')}</tr>`,
  ];
  return ['<table class="summary matrix"><thead><tr>', ...s.head.map((h) => `<th>${esc(h)}</th>`), '</tr></thead><tbody>', ...rows, '</tbody></table>'].join('');
}

/** Per (column, row) with pictures or loss curves: a section; nothing for runs that kept neither (kept results.json only). */
async function classSections(t: ReportTable, runs: ReportRun[]): Promise<string[]> {
  const sections: string[] = [];
  for (const col of t.columns) {
    for (const row of t.rows) {
      const cell = row.cells[col.key];
      for (const group of cell.groups) {
        const rs = runs.filter((r) => r.group === group);
        const parts: string[] = [];
        const first = rs.filter((r) => r.status === 'finished').sort((a, b) => a.seed - b.seed)[0];
        if (first) {
          const imgs = (['most_anomalous', 'most_normal'] as const).map((n) => [n, readPng(path.join(first.dir, `${n}.png`))] as const).filter(([, b]) => b);
          if (imgs.length) {
            parts.push(`<p>Seed ${first.seed}: the 32 highest- and lowest-scoring test images (frame green = normal class, red = outlier class).</p><div class="row">`);
            for (const [n, b] of imgs) parts.push(`<figure><img src="${dataUri(b!)}" alt="${n} ${esc(group)} seed ${first.seed}"><figcaption>${n.replace('_', ' ')}</figcaption></figure>`);
            parts.push('</div>');
          }
        }
        const curves = await lossCurves(rs);
        if (curves.pretrain || curves.train) {
          parts.push('<p>Loss per epoch (log scale), one line per seed.</p><div class="row">');
          if (curves.pretrain) parts.push(`<figure>${inlineSvg(curves.pretrain)}<figcaption>autoencoder pretraining</figcaption></figure>`);
          if (curves.train) parts.push(`<figure>${inlineSvg(curves.train)}<figcaption>${esc(col.title)}</figcaption></figure>`);
          parts.push('</div>');
        }
        if (!parts.length) continue;
        const cellRuns = rs.filter((r) => r.status === 'finished' && r.testAuc !== null);
        const head = `${t.columns.length > 1 ? `${col.title}, ` : ''}${t.datasets.length > 1 ? '' : 'class '}${rowLabel(t, row)}`;
        sections.push([`<section><h3>${esc(head)}: ${esc(pm(cell.mean, cell.std))} % over ${cellRuns.length} seed(s) <span class="meta">(${esc(group)})</span></h3>`, ...parts, '</section>'].join('\n'));
      }
    }
  }
  return sections;
}

export interface HtmlInput { dir: string; table: ReportTable; runs: ReportRun[]; chart: { svg: string; lo: number }; comparison: SweepComparison | null }

/** The page (reads, and so checks, every run's epochs.csv and pictures). */
export async function html({ dir, table: t, runs, chart, comparison }: HtmlInput): Promise<string> {
  const s = summaryTable(t);
  const one = t.columns.length === 1;
  const cmpText = comparison ? comparisonRows(comparison) : null;
  const cmpHtml = !cmpText ? '' : `<h2>Sweep folders compared</h2><p>${esc(COMPARISON_NOTE)}</p><div class="scroll">${htmlTable('compare', cmpText.head, cmpText.rows, 1, false)}</div>`;
  const sw = (c: string) => `<span class="sw" style="background:${c}"></span>`;
  const what = t.datasets.length > 1 ? 'dataset' : 'class';
  const legend = `<p class="legend">${one ? '' : `Top: ours − the paper's mean per ${what} and method. Below, one panel per method: `}`
    + `${sw(CHART_COLORS.ours)} ours: mean test AUC over the seeds, ${sw(CHART_COLORS.seed)} one dot per seed; `
    + `${sw(CHART_COLORS.paper)} the paper's; black whiskers: ± std. The AUC axis runs from ${chart.lo}% to 100%${chart.lo < 50 ? '; the dashed line is 50% (chance)' : ''}.</p>`;
  const runRows = runs.map((r) => `<tr><td>${esc(r.rel)}</td><td class="${r.status === 'finished' ? 'ok' : 'bad'}">${esc(r.status)}${r.collapsed ? ` ${COLLAPSED_MARK}` : ''}</td>`
    + `<td class="n">${r.testAuc === null ? '–' : (100 * r.testAuc).toFixed(2)}</td><td class="n">${r.aeTestAuc === null ? '–' : (100 * r.aeTestAuc).toFixed(2)}</td>`
    + `<td class="n">${r.seconds === null ? '–' : r.seconds.toFixed(0)}</td><td>${esc(r.error ?? '')}</td></tr>`).join('\n');
  const sections = await classSections(t, runs);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>deep-svdd report: ${esc(path.basename(dir))}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; } h3 { font-size: 1.05em; }
table { border-collapse: collapse; margin: 1em 0; } th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
th { background: #f4f4f4; vertical-align: bottom; } td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.all td { font-weight: bold; background: #fafafa; } table.summary tbody tr:nth-child(even):not(.all) { background: #fcfcfc; }
td.ok { color: #2a7a2a; } td.bad { color: #b02020; } .meta, .notes, .legend { color: #555; } .scroll { overflow-x: auto; }
.sw { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: middle; border: 1px solid #888; }
.row { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0; } figcaption { color: #555; font-size: 0.9em; }
figure.chart { overflow-x: auto; } figure.chart svg { max-width: 100%; height: auto; }
img { image-rendering: pixelated; border: 1px solid #eee; } section { margin-bottom: 1.5em; }
details > summary { cursor: pointer; color: #333; } table.matrix td.n { line-height: 1.25; } .paper { color: #888; font-size: 0.9em; }
</style></head><body>
<h1>deep-svdd sweep report</h1>
<p class="meta">${esc(dir)} — ${esc(subtitle(t, runs))} Written ${esc(new Date().toISOString())} by deep-svdd ${esc(PACKAGE_VERSION)}.</p>
<h2>${one ? `Test AUC per ${what}` : `Test AUC per ${what} and method: ours / the paper's`}</h2>
${one ? '' : '<p>Each cell: ours, mean ± std over the seeds (above), and the paper\'s (below, grey); test AUC in %.</p>'}
<div class="scroll">${one ? htmlTable('summary', s.head, s.rows, s.labels, true) : matrixTable(t, s)}</div>
<ul class="notes">${notes(t, runs).map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
${cmpHtml}
<h2>Ours against the paper</h2>
<figure class="chart" aria-label="test AUC: ours and the paper">${inlineSvg(chart.svg)}</figure>
${legend}
${sections.length ? `<h2>Classes</h2>\n${sections.join('\n')}` : ''}
<h2>Runs</h2>
<details${runs.length <= 40 ? ' open' : ''}><summary>${runs.length} run folder(s)</summary>
<table class="runs"><thead><tr><th>run</th><th>status</th><th>test AUC (%)</th><th>AE AUC (%)</th><th>seconds</th><th>error</th></tr></thead><tbody>
${runRows}
</tbody></table></details>
</body></html>
`;
}
