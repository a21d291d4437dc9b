import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** This package's package.json (found from both src/ and dist/src/), or null when neither path has it. */
const PACKAGE_JSON: string | null = (() => {
  for (const p of ['../../package.json', '../../../package.json']) {
    try { return require.resolve(p); } catch { /* try the next */ }
  }
  return null;
})();

/** This package's version, from package.json. */
export const PACKAGE_VERSION: string = PACKAGE_JSON ? (require(PACKAGE_JSON) as { version: string }).version : 'unknown';

/**
 * The git commit this copy of deep-svdd was built from, with "-dirty" when tracked files differ from it, so that a
 * result can name the code that produced it; undefined outside a git checkout (an npm install) or without git.
 * git runs without its optional locks (`--no-optional-locks`, GIT_OPTIONAL_LOCKS=0): `git status` would otherwise
 * refresh the index under .git/index.lock, and a run would collide with the user's own git commands.
 */
export function sourceCommit(): string | undefined {
  if (!PACKAGE_JSON) return undefined;
  const root = path.dirname(PACKAGE_JSON);
  try {
    const opts = {
      cwd: root, encoding: 'utf8' as const, timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    };
    const head = execFileSync('git', ['--no-optional-locks', 'rev-parse', '--show-toplevel', 'HEAD'], opts).trim().split('\n');
    if (path.resolve(head[0]) !== path.resolve(root)) return undefined; // deep-svdd inside someone else's repository
    const dirty = execFileSync('git', ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no'], opts).trim() !== '';
    return head[1] + (dirty ? '-dirty' : '');
  } catch {
    return undefined;
  }
}
