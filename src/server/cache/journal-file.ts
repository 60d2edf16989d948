/**
 * What the journal knows of one payload: its slices, the span of its records not yet carved,
 * and its writes that went straight to the blocks and are not yet durable there.
 */
import { FileSlices, type SliceCache } from './slices.ts';

export class JournalFile {
  readonly slices: FileSlices;
  /** Lowest LSN of this file's records not yet carved; undefined when all are. */
  dirtySince: number | undefined;
  lastLsn = 0;
  /** Ranges written straight to the blocks, to log as invalidations once durable there. */
  bypassed: number[] = [];
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

  /** Notes [from, to) written straight to the blocks, merged with the range it follows on. */
  addBypassed(from: number, to: number): void {
    const ranges = this.bypassed;
    const last = ranges.length - 1;
    if (last > 0 && ranges[last] === from) ranges[last] = to;
    else ranges.push(from, to);
  }

  get idle(): boolean {
    return this.slices.empty && this.dirtySince === undefined && this.bypassed.length === 0 && !this.unflushed;
  }
}
