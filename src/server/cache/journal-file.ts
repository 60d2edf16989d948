/**
 * What the journal knows of one payload: its slices, the span of its records not yet carved,
 * and its writes that went straight to the blocks and are not yet durable there.
 */
import { FileSlices, type SliceCache } from './slices.ts';

/**
 * A range written straight to the blocks, and the LSN of the file's newest record when it was
 * written: its invalidation masks the file's records up to there.
 */
export interface Bypassed {
  offset: number;
  end: number;
  through: number;
}

export class JournalFile {
  readonly slices: FileSlices;
  /** Lowest LSN of this file's records not yet carved; undefined when all are. */
  dirtySince: number | undefined;
  lastLsn = 0;
  /** Ranges written straight to the blocks, to log as invalidations once durable there. */
  bypassed: Bypassed[] = [];
  /**
   * Bytes written straight to the blocks that no older record covers (the file had none in
   * the log): a flush makes them durable, with nothing to log.
   */
  unflushed = false;

  constructor(
    cache: SliceCache,
    public share: string,
  ) {
    this.slices = new FileSlices(cache);
  }

  noteLsn(lsn: number): void {
    this.dirtySince ??= lsn;
    if (lsn > this.lastLsn) this.lastLsn = lsn;
  }

  /**
   * Notes [offset, end) written straight to the blocks over the file's records up to LSN
   * `through`; merged with the range it follows on if that one masks the same records.
   */
  addBypassed(offset: number, end: number, through: number): void {
    const last = this.bypassed[this.bypassed.length - 1];
    if (last !== undefined && last.end === offset && last.through === through) last.end = end;
    else this.bypassed.push({ offset, end, through });
  }

  get idle(): boolean {
    return this.slices.empty && this.dirtySince === undefined && this.bypassed.length === 0 && !this.unflushed;
  }
}
