/** The tables tests' CSV: 300 normal rows around 0 and 60 faults shifted by `shift` in 5 features, seeded. */
import { gaussian, type Rng } from '../../src/util/rng.js';

/** Lines of `id,a,b,status,c,d,e` (the label column in the middle), every sixth row a fault; draws from `rng`. */
export function faultTableLines(rng: Rng, shift: number): string[] {
  const lines = ['id,a,b,status,c,d,e'];
  for (let i = 0; i < 360; i++) {
    const bad = i % 6 === 5;
    const v = Array.from({ length: 5 }, () => (gaussian(rng) + (bad ? shift : 0)).toFixed(4));
    lines.push([`r${i}`, v[0], v[1], bad ? 'fault' : 'ok', v[2], v[3], v[4]].join(','));
  }
  return lines;
}

/** The same lines without the id column (every other column a feature). */
export const withoutId = (lines: string[]): string[] => lines.map((l) => l.split(',').slice(1).join(','));
