/**
 * The objectives of the Deep SVDD stage, one entry each (its file defines it; objective.ts says what an entry holds).
 * results.json "method" is the entry's name; the DCAE baseline (--loss autoencoder) has no Deep SVDD stage.
 */
import { DEEP_SAD } from './objective-deep-sad.js';
import { ONE_CLASS } from './objective-one-class.js';
import { SOFT_BOUNDARY } from './objective-soft-boundary.js';
import { type SvddObjective } from './objective.js';

export const OBJECTIVES = {
  'one-class': ONE_CLASS,
  'soft-boundary': SOFT_BOUNDARY,
  'deep-sad': DEEP_SAD,
} as const satisfies Record<string, SvddObjective>;

export type ObjectiveName = keyof typeof OBJECTIVES;
export const OBJECTIVE_NAMES = Object.keys(OBJECTIVES) as ObjectiveName[];
