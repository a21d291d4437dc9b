// Makes the compiled CLI entry point executable (npm links it as the `deep-svdd` bin).
import { chmodSync, existsSync } from 'node:fs';
const bin = new URL('../dist/src/cli/main.js', import.meta.url);
if (existsSync(bin)) chmodSync(bin, 0o755);
