/**
 * epochs.csv: one row per epoch and phase, kept in memory and rewritten atomically by `flush()`, which the run calls
 * whenever it saves a checkpoint (so the file and the checkpoint always agree), at the end of each phase and when a run
 * stops or fails.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { type EpochRow } from '../train/loop.js';
import { UserError } from '../util/errors.js';
import { NotReadable, readRegularText } from '../util/files.js';
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
  }
  flush(): void {
    const records = this.rows.map((row) => EPOCH_COLUMNS.map((k) => {
      const v = row[k];
      if (v === undefined) return '';
      return typeof v === 'number' && k !== 'epoch' ? Number(v.toPrecision(8)) : v;
    }));
    writeFileAtomic(this.file, stringify([EPOCH_COLUMNS as unknown as string[], ...records]));
  }
}

/**
 * Loss per epoch and phase from a run's epochs.csv, checked: phase pretrain or train, epoch a whole number ≥ 0, loss a
 * finite number ≥ 0; anything else is a one-line UserError naming the file and line (ending in `fix`). Null when there
 * is no file.
 */
export function readEpochLosses(file: string, fix: string): Record<'pretrain' | 'train', number[]> | null {
  let text: string;
  try {
    text = readRegularText(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new UserError(`${file} cannot be read (${code === 'EISDIR' ? 'a folder where a file is expected' : e instanceof NotReadable ? e.message : code ?? String(e)}): ${fix}`);
  }
  let records: string[][];
  try {
    // every line a record (an empty one too: it is refused below for its cell count), \n or \r\n
    records = parse(text, { relax_column_count: true, record_delimiter: ['\r\n', '\n'] });
  } catch (e) {
    throw new UserError(`${file} is corrupted (${(e as Error).message.split('\n')[0]}): ${fix}`);
  }
  const head = records[0] ?? [];
  const iPhase = head.indexOf('phase');
  const iEpoch = head.indexOf('epoch');
  const iLoss = head.indexOf('loss');
  if (iPhase < 0 || iEpoch < 0 || iLoss < 0) throw new UserError(`${file} is corrupted (line 1 is not the header phase,epoch,...,loss): ${fix}`);
  const per: Record<'pretrain' | 'train', number[]> = { pretrain: [], train: [] };
  records.slice(1).forEach((cells, k) => {
    const where = `${file} is corrupted (line ${k + 2}`;
    if (cells.length !== head.length) throw new UserError(`${where}: ${cells.length} cells, the header has ${head.length}): ${fix}`);
    const phase = cells[iPhase];
    if (phase !== 'pretrain' && phase !== 'train') throw new UserError(`${where}: phase ${JSON.stringify(phase.slice(0, 20))} is not pretrain or train): ${fix}`);
    const epoch = cells[iEpoch].trim() === '' ? NaN : Number(cells[iEpoch]);
    if (!Number.isInteger(epoch) || epoch < 0) throw new UserError(`${where}: epoch ${JSON.stringify(cells[iEpoch].slice(0, 20))} is not a whole number ≥ 0): ${fix}`);
    const loss = cells[iLoss].trim() === '' ? NaN : Number(cells[iLoss]);
    if (!Number.isFinite(loss) || loss < 0) throw new UserError(`${where}: loss ${JSON.stringify(cells[iLoss].slice(0, 20))} is outside its range, a finite number ≥ 0): ${fix}`);
    per[phase].push(loss);
  });
  return per;
}
