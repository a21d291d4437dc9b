/**
 * The table of shallow baselines (`deep-svdd baseline --method <name>`): --method's choices and help, the options
 * each method takes, its description and every run derive from it. A new detector is one file (see detector.ts and
 * detector-*.ts) and one entry here.
 */
import { type Detector } from './detector.js';
import { isolationForest } from './detector-iforest.js';
import { kde } from './detector-kde.js';
import { ocsvm } from './detector-ocsvm.js';

export const DETECTORS = [ocsvm, kde, isolationForest] as const;

export type BaselineMethod = (typeof DETECTORS)[number]['name'];

/** The detectors' names, in the table's order (the paper's Table 1 order). */
export const BASELINE_METHODS = DETECTORS.map((d) => d.name) as [BaselineMethod, ...BaselineMethod[]];

export function detectorFor(name: BaselineMethod): Detector {
  return DETECTORS.find((d) => d.name === name)! as Detector;
}
