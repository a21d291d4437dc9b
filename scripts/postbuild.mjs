// Makes the compiled CLI entry point executable (npm links it as the `deep-svdd` bin), and copies the C source the
// native setup compiles (src/native/kernels.c) next to its compiled setup code.
import { chmodSync, copyFileSync, existsSync } from 'node:fs';
const bin = new URL('../dist/src/cli/main.js', import.meta.url);
if (existsSync(bin)) chmodSync(bin, 0o755);
copyFileSync(new URL('../src/native/kernels.c', import.meta.url), new URL('../dist/src/native/kernels.c', import.meta.url));
