import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** This package's version, from package.json (found from both src/ and dist/src/). */
export const PACKAGE_VERSION: string = (() => {
  for (const p of ['../../package.json', '../../../package.json']) {
    try { return (require(p) as { name: string; version: string }).version; } catch { /* try the next */ }
  }
  return 'unknown';
})();
