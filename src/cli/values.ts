/** Option values every command checks the same way: a value given empty is an error, never taken as absent. */
import { UserError } from '../util/errors.js';

/**
 * Throws a one-line UserError for the first option of `flags` (key → [flag, what to give]) whose value is an empty
 * (or blank) string: `--wheel ''` must not fall back to the default (a download and a build).
 */
export function refuseEmpty(opts: Record<string, unknown>, flags: Record<string, readonly [flag: string, what: string]>): void {
  for (const [key, [flag, what]] of Object.entries(flags)) {
    const v = opts[key];
    const values = Array.isArray(v) ? v : [v];
    if (values.some((x) => typeof x === 'string' && x.trim() === '')) throw new UserError(`${flag} is empty: give ${what}, or leave the option out`);
  }
}
