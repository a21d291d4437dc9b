/**
 * Deep SAD (Ruff et al., ICLR 2020): one-class Deep SVDD plus η·(d + ε)^ỹ for the labelled samples (the loss itself
 * is deep-sad-loss.ts). The score stays d − R², with R as for one-class.
 */
import { deepSadLossTf } from './deep-sad-loss.js';
import { deepSadDistanceLoss } from './distance-losses.js';
import { type SvddObjective } from './objective.js';

export const DEEP_SAD: SvddObjective = {
  name: 'deep-sad', title: 'Deep SAD', radius: 'quantile', semiSupervised: true,
  batchLoss: (d, b) => deepSadLossTf(d, b.semi, b.eta),
  distanceLoss: (c) => deepSadDistanceLoss(c.semiLabels, c.eta),
};
