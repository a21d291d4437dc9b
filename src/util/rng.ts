import seedrandom from 'seedrandom';

/** A seeded pseudo-random generator whose full state can be saved and restored (for checkpoints). */
export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  /** the generator's state, JSON-serialisable */
  state(): object;
}

export function makeRng(seed: number | string, state?: object): Rng {
  const prng = seedrandom(String(seed), { state: (state as seedrandom.State.Arc4 | undefined) ?? true }) as seedrandom.StatefulPRNG<seedrandom.State.Arc4>;
  return {
    next: () => prng(),
    state: () => prng.state(),
  };
}

/** Derives an independent stream for one purpose ("init", "shuffle", "subset", ...) from the run seed. */
export function subRng(seed: number, purpose: string): Rng {
  return makeRng(`${seed}:${purpose}`);
}

/** Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

/** Standard normal via Box–Muller. */
export function gaussian(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
