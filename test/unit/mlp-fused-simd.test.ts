/**
 * The fused MLP's WebAssembly SIMD kernels (src/backend/simd/assembly/mlp.ts, src/nn/mlp-fused-simd.ts) against its
 * JavaScript loops (src/nn/mlp-fused.ts), bit for bit: the matrix product on random shapes and strides (odd sizes,
 * widths not a multiple of 2 or 4), and whole training steps (forward, backward, the running statistics) and eval
 * passes of random layer chains.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { mlpKernels, setSimdMlp, simdMlpAvailable } from '../../src/backend/simd/mlp-loader.js';
import { FusedMlp, gemm, type FusedLayer, type FusedWeights } from '../../src/nn/mlp-fused.js';
import { FusedMlpSimd, fusedMlp } from '../../src/nn/mlp-fused-simd.js';
import { seededArray } from '../helpers/tf.js';

after(() => setSimdMlp(process.env.DEEP_SVDD_SIMD_KERNELS !== '0' && process.env.DEEP_SVDD_SIMD_MLP !== '0'));

/** equal bits (Float32Array or Float64Array), with the first differing index in the message */
function assertSameBits(got: Float32Array | Float64Array, want: Float32Array | Float64Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const a = new Uint8Array(got.buffer, got.byteOffset, got.byteLength);
  const b = new Uint8Array(want.buffer, want.byteOffset, want.byteLength);
  const bytes = got.BYTES_PER_ELEMENT;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) assert.fail(`${what}: element ${Math.floor(i / bytes)} is ${got[Math.floor(i / bytes)]}, JavaScript ${want[Math.floor(i / bytes)]}`);
  }
}

test('the SIMD kernels load (built by npm run build, and Node 20 has WebAssembly SIMD)', () => {
  assert.ok(simdMlpAvailable(), 'dist/src/backend/simd/mlp.wasm missing or not loadable');
});

test('gemm kernel equals the JavaScript gemm bit for bit on random shapes and the three strides of a dense layer', () => {
  const shapes = [[1, 1, 1], [3, 5, 7], [4, 4, 4], [5, 2, 3], [7, 9, 13], [128, 32, 9], [9, 32, 128], [128, 9, 32], [6, 3, 1], [13, 6, 17], [2, 11, 5]];
  let seed = 1;
  for (const [m, p, q] of shapes) {
    // C = A·B with A [m × q] and B [q × p] (a·W), A read transposed from [q × m] (aᵀ·g), B [q × p] from Wᵀ (g·Wᵀ)
    for (const transA of [false, true]) {
      const A = seededArray(m * q, seed++).map((v) => v * 3);
      const B = seededArray(q * p, seed++).map((v) => v * 2);
      const [ai, ak] = transA ? [1, m] : [q, 1];
      const want = new Float32Array(m * p);
      gemm(A, ai, ak, B, 1, p, m, p, q, want);
      const bytesA = 4 * A.length, bytesB = 4 * B.length;
      // odd byte offsets of 4 (not 16-aligned) on purpose
      const offA = 4, offB = 4 + bytesA + 4, offC = offB + bytesB + 4;
      const kern = mlpKernels(offC + 4 * m * p)!;
      const buf = kern.memory.buffer;
      new Float32Array(buf, offA, A.length).set(A);
      new Float32Array(buf, offB, B.length).set(B);
      kern.k.gemm(offA, ai, ak, offB, p, m, p, q, offC);
      assertSameBits(new Float32Array(buf, offC, m * p), want, `gemm ${m}×${p}×${q}${transA ? ' (Aᵀ)' : ''}`);
      assert.ok(want.some((v) => v !== 0), 'the product is not all zeros');
    }
  }
});

/** A chain of dense layers of these widths; bn/act/sigmoid per layer from `kinds` ('b': batch norm, 'a': act, 's': sigmoid). */
function chain(widths: number[], kinds: string[]): FusedLayer[] {
  return kinds.map((k, i) => ({
    name: `d${i}`, nin: widths[i], nout: widths[i + 1], bn: k.includes('b') ? `bn${i}` : undefined, act: k.includes('a'), sigmoid: k.includes('s'),
  }));
}

function weightsOf(layers: FusedLayer[], seed: number): FusedWeights {
  return {
    w: layers.map((l, i) => seededArray(l.nin * l.nout, seed + i).map((v) => v * 0.8)),
    runningMean: layers.map((l, i) => (l.bn ? seededArray(l.nout, seed + 50 + i).map((v) => v * 0.1) : undefined)),
    runningVar: layers.map((l, i) => (l.bn ? seededArray(l.nout, seed + 70 + i).map((v) => 1 + v * 0.2) : undefined)),
  };
}

const copyWeights = (w: FusedWeights): FusedWeights => ({
  w: w.w.map((a) => a.slice()), runningMean: w.runningMean.map((a) => a?.slice()), runningVar: w.runningVar.map((a) => a?.slice()),
});

const CASES: Array<{ widths: number[]; kinds: string[]; alpha: number; n: number[] }> = [
  // shuttle's encoder and autoencoder (9 → 32 → 16 → 8 and back), batch 128 and a short last batch
  { widths: [9, 32, 16, 8], kinds: ['ba', 'ba', ''], alpha: 0.1, n: [128, 77] },
  { widths: [9, 32, 16, 8, 16, 32, 9], kinds: ['ba', 'ba', '', 'ba', 'ba', 's'], alpha: 0.1, n: [128, 5] },
  // odd widths, ReLU, batch norm without an activation, a bare activation, batch norm then sigmoid, tiny batches
  { widths: [7, 13, 5, 3], kinds: ['ba', 'b', 'a'], alpha: 0, n: [3, 11, 2] },
  { widths: [5, 6, 11, 1], kinds: ['bs', 'ba', ''], alpha: 0.2, n: [9, 1] },
];

test('FusedMlpSimd equals FusedMlp bit for bit: training forward, backward, running statistics, eval forward', () => {
  let seed = 100;
  for (const { widths, kinds, alpha, n: sizes } of CASES) {
    const layers = chain(widths, kinds);
    const w0 = weightsOf(layers, seed += 10);
    const js = new FusedMlp(layers, alpha, copyWeights(w0));
    const simd = new FusedMlpSimd(layers, alpha, copyWeights(w0));
    const what = `${widths.join('-')} ${kinds.join(',')}`;
    for (const n of sizes) {
      for (let step = 0; step < 2; step++) {
        const x = seededArray(n * widths[0], seed++).map((v) => v * 4);
        const dOut = seededArray(n * widths[widths.length - 1], seed++);
        const outJs = js.forward(x, n, true).slice();
        const outSimd = simd.forward(x, n, true).slice();
        assertSameBits(outSimd, outJs, `${what} n=${n}: output`);
        js.backward(x, n, dOut);
        simd.backward(x, n, dOut);
        layers.forEach((l, i) => {
          assertSameBits(simd.gw[i], js.gw[i], `${what} n=${n}: gradient of ${l.name}`);
          if (l.bn) {
            assertSameBits(simd.weights.runningMean[i]!, js.weights.runningMean[i]!, `${what} n=${n}: running mean of ${l.name}`);
            assertSameBits(simd.weights.runningVar[i]!, js.weights.runningVar[i]!, `${what} n=${n}: running var of ${l.name}`);
          }
        });
        // (with one row, batch norm's x̂ is 0 and the gradients before it vanish)
        if (n > 1) assert.ok(js.gw.every((g) => g.some((v) => v !== 0)), `${what}: every gradient is non-zero`);
        // a step on the weights (as adam would), so that the next pass reads new weights from the caller
        for (const mlp of [js, simd]) mlp.weights.w.forEach((wl, i) => wl.forEach((v, q) => { wl[q] = Math.fround(v - 0.01 * mlp.gw[i][q]); }));
      }
      const x = seededArray(n * widths[0], seed++);
      assertSameBits(simd.forward(x, n, false).slice(), js.forward(x, n, false).slice(), `${what} n=${n}: eval output`);
    }
  }
});

test('fusedMlp picks the SIMD kernels where they load and the JavaScript loops when they are turned off', () => {
  const layers = chain([4, 6, 2], ['ba', '']);
  setSimdMlp(true);
  assert.ok(fusedMlp(layers, 0.1, weightsOf(layers, 1)) instanceof FusedMlpSimd);
  setSimdMlp(false);
  const m = fusedMlp(layers, 0.1, weightsOf(layers, 1));
  assert.ok(m instanceof FusedMlp && !(m instanceof FusedMlpSimd));
  setSimdMlp(true);
});
