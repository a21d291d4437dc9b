// Compiles the AssemblyScript SIMD kernels (src/backend/simd/assembly/kernels.ts) into WebAssembly modules next to the
// compiled loader: kernels.wasm imports TF.js's plain wasm memory, kernels-shared.wasm the shared memory of its
// threaded build (--threads N). Both import the memory, so the kernels work in place on the backend's tensors.
// The -fma variants make `madd` relaxed SIMD's fused multiply-add; src/backend/simd/loader.ts loads them where the engine
// has relaxed SIMD. mlp.wasm (src/backend/simd/assembly/mlp.ts) holds the fused MLP step's kernels.
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import asc from 'assemblyscript/asc';

const src = 'src/backend/simd/assembly/kernels.ts';
const outDir = 'dist/src/backend/simd';
mkdirSync(outDir, { recursive: true });
const plainMadd = 'return f32x4.add(c, f32x4.mul(a, b));';
const source = readFileSync(src, 'utf8');
if (!source.includes(plainMadd)) throw new Error(`${src}: madd() no longer reads "${plainMadd}"; update scripts/build-simd.mjs`);
const fmaSrc = `${outDir}/kernels-fma.src.ts`;
writeFileSync(fmaSrc, source.replace(plainMadd, 'return f32x4.relaxed_madd(a, b, c);'));

const common = ['-O3', '--runtime', 'stub', '--noAssert', '--importMemory', '--enable', 'simd'];
const shared = ['--sharedMemory', '--maximumMemory', '65536', '--enable', 'threads'];
const fma = ['--enable', 'relaxed-simd'];
const variants = [
  ['kernels.wasm', src, []],
  ['kernels-shared.wasm', src, shared],
  ['kernels-fma.wasm', fmaSrc, fma],
  ['kernels-fma-shared.wasm', fmaSrc, [...fma, ...shared]],
  // the fused MLP step's kernels, on a memory of their own (src/backend/simd/mlp-loader.ts); float64 sums, no FMA
  ['mlp.wasm', 'src/backend/simd/assembly/mlp.ts', []],
];
try {
  for (const [file, from, extra] of variants) {
    const { error, stderr } = await asc.main([from, ...common, ...extra, '--outFile', `${outDir}/${file}`]);
    if (error) {
      process.stderr.write(stderr.toString());
      throw new Error(`asc failed on ${from} (${file}): ${error.message}`);
    }
  }
} finally {
  rmSync(fmaSrc, { force: true });
}
