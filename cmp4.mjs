import fs from 'node:fs';
import { loadRaw, prepareData } from './dist/src/data/datasets.js';
import { buildBaselineConfig } from './dist/src/config/baseline-options.js';
const cfg = buildBaselineConfig({ method: 'ocsvm', dataset: 'mnist', normal: '5', outlier: '-1', gamma: '0.5', xpDir: '/tmp/x' });
const raw = loadRaw(cfg.dataset, cfg.dataDir ?? 'data', cfg.dataDir !== undefined, cfg.imageSize);
const data = prepareData({ ...cfg, contrast: cfg.gcn ? 'l1' : 'none' }, raw);
const x = data.train.x; let s = 0, mx = -1e9, mn = 1e9; for (const v of x) { s += v; if (v > mx) mx = v; if (v < mn) mn = v; }
console.log('train n', data.train.n, 'mean', s / x.length, 'min', mn, 'max', mx, 'first nonzero', Array.from(x.slice(150, 160)));
const t = data.test.x; s = 0; for (const v of t) s += v; console.log('test n', data.test.n, 'mean', s / t.length, 'testIndex[0..5]', Array.from(data.testIndex.slice(0, 5)));
