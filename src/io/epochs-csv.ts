/** epochs.csv: one row per epoch and phase, rewritten atomically after every epoch as the run goes. */
import { stringify } from 'csv-stringify/sync';
import { type EpochRow } from '../train/loop.js';
import { writeFileAtomic } from './atomic.js';

export const EPOCH_COLUMNS = ['phase', 'epoch', 'lr', 'loss', 'seconds', 'R', 'frac_outside', 'val_loss', 'test_auc'] as const;

export class EpochCsv {
  readonly rows: EpochRow[];
  constructor(private readonly file: string, rows: EpochRow[] = []) {
    this.rows = [...rows];
    this.flush();
  }
  add(row: EpochRow): void {
    this.rows.push(row);
    this.flush();
  }
  private flush(): void {
    const records = this.rows.map((row) => EPOCH_COLUMNS.map((k) => {
      const v = row[k];
      if (v === undefined) return '';
      return typeof v === 'number' && k !== 'epoch' ? Number(v.toPrecision(8)) : v;
    }));
    writeFileAtomic(this.file, stringify([EPOCH_COLUMNS as unknown as string[], ...records]));
  }
}
