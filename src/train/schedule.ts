/** Learning-rate schedule of the original code: optional 1/t decay and a one-time drop at an epoch index. */
export interface LrSchedule {
  lr: number;
  drop: boolean;
  dropInEpoch: number;
  dropFactor: number;
  decay?: boolean;
  decayAfterEpoch?: number;
}

/** Learning rate in force during 0-based `epoch`, and whether the drop happens at its start. */
export function lrAt(s: LrSchedule, epoch: number): { lr: number; dropped: boolean } {
  let lr = s.lr;
  if (s.decay && s.decayAfterEpoch && epoch >= s.decayAfterEpoch) lr = (s.decayAfterEpoch / epoch) * lr;
  const afterDrop = s.drop && epoch >= s.dropInEpoch;
  if (afterDrop) lr /= s.dropFactor;
  return { lr, dropped: s.drop && epoch === s.dropInEpoch };
}
