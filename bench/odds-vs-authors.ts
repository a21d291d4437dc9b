/**
 * `npm run bench:odds -- --authors DIR [options]`: the ODDS Deep SVDD benchmark (one-class, pretrained MLP, the Deep
 * SAD code's settings) run by deep-svdd and by the authors' code (lukasruff/Deep-SAD-PyTorch, a checkout at DIR) in one
 * command, one run at a time and one thread each, so that both wall times come from the same machine in the same
 * state. Per run: dataset, seed, test AUC, wall seconds (the whole process: start-up, data, pretraining, training,
 * testing). Writes <out>/runs.csv and <out>/summary.md and prints the summary.
 *
 * The authors' code runs from a copy of DIR/src with one change: click 8 rejects `default=0` for a `multiple=True`
 * option, so `--lr_milestone` and `--ae_lr_milestone` get `default=()`, which is what the authors' pinned click 7 made
 * of `default=0` (no milestone). Their ODDS command (their README's hyperparameters, no labelled samples):
 *   main.py DS DS_mlp LOG DATA --ratio_known_outlier 0.0 --ratio_pollution 0.0 --lr 0.0001 --n_epochs 150
 *     --lr_milestone 50 --batch_size 128 --weight_decay 0.5e-6 --pretrain True --ae_lr 0.0001 --ae_n_epochs 150
 *     --ae_batch_size 128 --ae_weight_decay 0.5e-3 --normal_class 0 --known_outlier_class 1
 *     --n_known_outlier_classes 0 --seed S --device cpu --num_threads 1 --n_jobs_dataloader 0
 * Ours: `deep-svdd train --dataset DS --data-dir ODDS --seed S --threads 1` (the same settings are the table defaults).
 * Finished runs are kept in runs.csv and skipped when the command is run again.
 * Not a test: `npm test` does not run it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ODDS_TABLES } from '../src/data/odds.js';
import { parseIntList } from '../src/experiments/sweep.js';

const ODDS_NAMES = ODDS_TABLES.map((t) => t.name);

const USAGE = `usage: npm run bench:odds -- --authors DIR [options]

  --authors DIR     a checkout of lukasruff/Deep-SAD-PyTorch (needs Python 3 with torch, scikit-learn, scipy, click)
  --odds-dir DIR    folder with the six ODDS .mat files (default data/odds)
  --out DIR         where runs.csv, summary.md and the runs go (default log/odds-vs-authors)
  --datasets LIST   comma-separated (default: ${ODDS_NAMES.join(',')})
  --seeds SPEC      e.g. 1-10 (default) or 1,3
  --side SIDE       both (default), ours or theirs
  --python PATH     the authors' code's Python (default /usr/bin/python3)
  --help            this text`;

interface Run { side: 'ours' | 'theirs'; dataset: string; seed: number; auc: number; wall: number }

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const CLI = path.join(repo, 'dist', 'src', 'cli', 'main.js');

function fail(msg: string): never {
  console.error(`bench:odds: ${msg}`);
  process.exit(2);
}

function readRuns(csv: string): Run[] {
  if (!fs.existsSync(csv)) return [];
  return fs.readFileSync(csv, 'utf8').trim().split('\n').slice(1).filter(Boolean).map((l) => {
    const [side, dataset, seed, auc, wall] = l.split(',');
    return { side: side as Run['side'], dataset, seed: Number(seed), auc: Number(auc), wall: Number(wall) };
  });
}

/** A copy of the authors' src with the click default patched, and a data folder linking the .mat files. */
function prepareAuthors(authors: string, oddsDir: string, out: string): string {
  const main = path.join(authors, 'src', 'main.py');
  if (!fs.existsSync(main)) fail(`${main} not found: --authors must be a checkout of lukasruff/Deep-SAD-PyTorch`);
  const src = path.join(out, 'authors-src');
  fs.rmSync(src, { recursive: true, force: true });
  fs.cpSync(path.join(authors, 'src'), src, { recursive: true });
  const text = fs.readFileSync(path.join(src, 'main.py'), 'utf8');
  const patched = text.replace(/(--(?:ae_)?lr_milestone', type=int, )default=0(, multiple=True)/g, '$1default=()$2');
  const ok = (t: string) => /--lr_milestone', type=int, default=\(\), multiple=True/.test(t) && /--ae_lr_milestone', type=int, default=\(\), multiple=True/.test(t);
  if (!ok(patched)) fail(`${main}: the --lr_milestone options are not as expected; is this the authors' code?`);
  fs.writeFileSync(path.join(src, 'main.py'), patched);
  const data = path.join(out, 'authors-data');
  fs.mkdirSync(data, { recursive: true });
  for (const f of fs.readdirSync(oddsDir).filter((n) => n.endsWith('.mat'))) {
    const link = path.join(data, f);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.resolve(oddsDir, f), link);
  }
  return src;
}

function timed(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.writeFileSync(logFile, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  if (r.status !== 0) fail(`${path.basename(cmd)} ${args.slice(0, 3).join(' ')} … failed (exit ${r.status}); see ${logFile}`);
  return wall;
}

function runTheirs(src: string, out: string, python: string, ds: string, seed: number): Run {
  const log = path.join(out, 'theirs', `${ds}_seed${seed}`);
  fs.rmSync(log, { recursive: true, force: true });
  fs.mkdirSync(log, { recursive: true });
  const args = ['main.py', ds, `${ds}_mlp`, log, path.join(out, 'authors-data'),
    '--ratio_known_outlier', '0.0', '--ratio_pollution', '0.0', '--lr', '0.0001', '--n_epochs', '150', '--lr_milestone', '50',
    '--batch_size', '128', '--weight_decay', '0.5e-6', '--pretrain', 'True', '--ae_lr', '0.0001', '--ae_n_epochs', '150',
    '--ae_batch_size', '128', '--ae_weight_decay', '0.5e-3', '--normal_class', '0', '--known_outlier_class', '1',
    '--n_known_outlier_classes', '0', '--seed', String(seed), '--device', 'cpu', '--num_threads', '1', '--n_jobs_dataloader', '0'];
  const env = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
  const wall = timed(python, args, src, env, path.join(log, 'stdout.txt'));
  const r = JSON.parse(fs.readFileSync(path.join(log, 'results.json'), 'utf8')) as { test_auc: number };
  return { side: 'theirs', dataset: ds, seed, auc: r.test_auc, wall };
}

function runOurs(out: string, oddsDir: string, ds: string, seed: number): Run {
  const xp = path.join(out, 'ours', `${ds}_seed${seed}`);
  fs.mkdirSync(path.dirname(xp), { recursive: true });
  const args = [CLI, 'train', '--dataset', ds, '--data-dir', oddsDir, '--seed', String(seed), '--threads', '1',
    '--xp-dir', xp, '--force', '1'];
  const wall = timed(process.execPath, args, repo, process.env, `${xp}.out.txt`);
  const r = JSON.parse(fs.readFileSync(path.join(xp, 'results.json'), 'utf8')) as { test_auc: number };
  return { side: 'ours', dataset: ds, seed, auc: r.test_auc, wall };
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]) => (v.length < 2 ? NaN : Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1)));

function summary(runs: Run[], datasets: string[]): string {
  const cell = (side: Run['side'], ds?: string) => {
    const rs = runs.filter((r) => r.side === side && (ds === undefined || r.dataset === ds));
    const auc = rs.map((r) => 100 * r.auc);
    const wall = rs.reduce((a, r) => a + r.wall, 0);
    return { n: rs.length, auc: rs.length > 1 ? `${mean(auc).toFixed(1)} ± ${std(auc).toFixed(1)}` : rs.length ? mean(auc).toFixed(1) : '–', wall };
  };
  const lines = ['| dataset | runs (ours / theirs) | AUC ours | AUC theirs | wall ours (s) | wall theirs (s) | ours ÷ theirs |',
    '|---|---|---|---|---|---|---|'];
  for (const ds of [...datasets, undefined]) {
    const o = cell('ours', ds);
    const t = cell('theirs', ds);
    const ratio = o.n && t.n ? (o.wall / t.wall).toFixed(3) : '–';
    lines.push(`| ${ds ?? '**all**'} | ${o.n} / ${t.n} | ${ds ? o.auc : ''} | ${ds ? t.auc : ''} | ${o.wall.toFixed(1)} | ${t.wall.toFixed(1)} | ${ratio} |`);
  }
  return `${lines.join('\n')}\n\nAUC ×100, mean ± sample std over seeds; wall = the whole process of each run, one run at a time, one thread.\n`;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      authors: { type: 'string' }, 'odds-dir': { type: 'string', default: 'data/odds' }, out: { type: 'string', default: 'log/odds-vs-authors' },
      datasets: { type: 'string' }, seeds: { type: 'string', default: '1-10' }, side: { type: 'string', default: 'both' },
      python: { type: 'string', default: '/usr/bin/python3' }, help: { type: 'boolean', default: false },
    },
  });
  if (values.help) { console.log(USAGE); return; }
  const side = values.side!;
  if (!['both', 'ours', 'theirs'].includes(side)) fail(`--side ${side}: use both, ours or theirs`);
  if (side !== 'ours' && !values.authors) fail('--authors DIR is required (a checkout of lukasruff/Deep-SAD-PyTorch), or use --side ours');
  const datasets = values.datasets ? values.datasets.split(',') : [...ODDS_NAMES];
  for (const d of datasets) if (!ODDS_NAMES.includes(d)) fail(`unknown dataset '${d}' in --datasets: use ${ODDS_NAMES.join(', ')}`);
  let seeds: number[];
  try { seeds = parseIntList(values.seeds!, '--seeds', 0, 2 ** 31 - 1); } catch (e) { fail(`--seeds: ${(e as Error).message}`); }
  const oddsDir = path.resolve(values['odds-dir']!);
  for (const d of datasets) if (!fs.existsSync(path.join(oddsDir, `${d}.mat`))) fail(`${path.join(oddsDir, `${d}.mat`)} not found: set --odds-dir (deep-svdd data fetch odds)`);
  const out = path.resolve(values.out!);
  fs.mkdirSync(out, { recursive: true });
  const csv = path.join(out, 'runs.csv');
  if (!fs.existsSync(csv)) fs.writeFileSync(csv, 'side,dataset,seed,test_auc,wall_s\n');
  const runs = readRuns(csv);
  const src = side === 'ours' ? '' : prepareAuthors(path.resolve(values.authors!), oddsDir, out);
  for (const ds of datasets) {
    for (const seed of seeds) {
      for (const s of ['theirs', 'ours'] as const) {
        if (side !== 'both' && side !== s) continue;
        if (runs.some((r) => r.side === s && r.dataset === ds && r.seed === seed)) continue;
        const r = s === 'ours' ? runOurs(out, oddsDir, ds, seed) : runTheirs(src, out, values.python!, ds, seed);
        runs.push(r);
        fs.appendFileSync(csv, `${r.side},${r.dataset},${r.seed},${r.auc},${r.wall.toFixed(3)}\n`);
        console.log(`${r.side.padEnd(6)} ${ds.padEnd(10)} seed ${String(seed).padStart(2)}  AUC ${(100 * r.auc).toFixed(2)}  ${r.wall.toFixed(1)} s`);
      }
    }
  }
  const text = summary(runs.filter((r) => datasets.includes(r.dataset) && seeds.includes(r.seed)), datasets);
  fs.writeFileSync(path.join(out, 'summary.md'), text);
  console.log(`\n${text}`);
}

main();
