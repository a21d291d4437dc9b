// Compiles the AssemblyScript SIMD kernels (src/backend/simd/kernels.ts) into two WebAssembly modules next to the
// compiled loader: kernels.wasm imports TF.js's plain wasm memory, kernels-shared.wasm the shared memory of its
// threaded build (--threads N). Both import the memory, so the kernels work in place on the backend's tensors.
import { mkdirSync } from 'node:fs';
import asc from 'assemblyscript/asc';

const src = 'src/backend/simd/kernels.ts';
const outDir = 'dist/src/backend/simd';
mkdirSync(outDir, { recursive: true });
const common = [src, '-O3', '--runtime', 'stub', '--noAssert', '--importMemory', '--enable', 'simd'];
const variants = [
  ['kernels.wasm', []],
  ['kernels-shared.wasm', ['--sharedMemory', '--maximumMemory', '65536', '--enable', 'threads']],
];
for (const [file, extra] of variants) {
  const { error, stderr } = await asc.main([...common, ...extra, '--outFile', `${outDir}/${file}`]);
  if (error) {
    process.stderr.write(stderr.toString());
    throw new Error(`asc failed on ${src} (${file}): ${error.message}`);
  }
}
