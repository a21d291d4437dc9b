/** Assertions shared by the unit tests. */
import assert from 'node:assert/strict';
import { UserError } from '../../src/util/errors.js';

/** Asserts fn throws a one-line UserError whose message contains every string needle and matches every RegExp. */
export function throwsUser(fn: () => unknown, ...needles: (string | RegExp)[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected UserError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `message has several lines: ${JSON.stringify(e.message)}`);
    for (const n of needles) {
      if (typeof n === 'string') assert.ok(e.message.includes(n), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(n)}`);
      else assert.match(e.message, n);
    }
    return true;
  });
}

/** Asserts |actual - expected| <= tol · max(1, |expected|). */
export function close(actual: number, expected: number, tol = 1e-12, msg = ''): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${msg} expected ${expected}, got ${actual}`,
  );
}

/** Asserts equal lengths and |actual[i] - expected[i]| <= tol for every i. */
export function closeEach(actual: ArrayLike<number>, expected: number[], tol: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `index ${i}: ${actual[i]} != ${expected[i]} (got [${Array.from(actual).join(', ')}])`);
  }
}
