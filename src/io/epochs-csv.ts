/** epochs.csv: one row per epoch and phase, appended (and flushed) as the run goes. */
import fs from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { type EpochRow } from '../train/loop.js';

export const EPOCH_COLUMNS = ['phase', 'epoch', 'lr', 'loss', 'seconds', 'R', 'frac_outside', 'val_loss', 'test_auc'] as const;

export class EpochCsv {
  constructor(private readonly file: string, append = false) {
    if (!append || !fs.existsSync(file)) fs.writeFileSync(file, stringify([EPOCH_COLUMNS as unknown as string[]]));
  }
  add(row: EpochRow): void {
    const rec = EPOCH_COLUMNS.map((k) => {
      const v = row[k];
      if (v === undefined) return '';
      return typeof v === 'number' && k !== 'epoch' ? Number(v.toPrecision(8)) : v;
    });
    fs.appendFileSync(this.file, stringify([rec]));
  }
}
