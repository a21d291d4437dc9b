/**
 * Every method a run records in results.json "method", in one list: train's objectives (TRAIN_METHODS: a new
 * objective, e.g. 'deep-sad', is one entry there) and the shallow baselines (the table in src/baselines/detectors.ts:
 * a new detector adds its name there).
 */
import { BASELINE_METHODS } from '../baselines/detectors.js';

/**
 * What `train` runs: one-class or soft-boundary Deep SVDD, Deep SAD (the objectives of src/train/objectives.ts), or
 * the deep convolutional autoencoder (DCAE).
 */
export const TRAIN_METHODS = ['one-class', 'soft-boundary', 'deep-sad', 'dcae'] as const;
export type TrainMethod = (typeof TRAIN_METHODS)[number];

export const RUN_METHODS = [...TRAIN_METHODS, ...BASELINE_METHODS] as const;
export type RunMethod = (typeof RUN_METHODS)[number];
