/**
 * Committed file records of the SQLite store, by fileid, so that warm READDIRPLUS pages and
 * GETATTRs skip turning 26 columns per row into JavaScript values (the most of a listing's
 * cost: ~3 µs a row, against ~0.5 µs for a row of names). Filled only by reads outside
 * transactions (committed data: such reads wait out an open group), and an entry is dropped
 * as soon as a transaction writes or deletes its file, so a rolled-back write leaves no
 * trace. Records are shared, as the memory store shares its own: callers never mutate one.
 * Bounded: the oldest entries go first.
 */
import type { FileRecord } from '../../store.ts';

const DEFAULT_MAX = 16384;

export class RecordCache {
  private readonly records = new Map<number, FileRecord>();

  constructor(private readonly max = DEFAULT_MAX) {}

  get(fileid: number): FileRecord | undefined {
    return this.records.get(fileid);
  }

  set(rec: FileRecord): void {
    const { records } = this;
    records.set(rec.attr.fileid, rec);
    if (records.size <= this.max) return;
    for (const id of records.keys()) {
      records.delete(id);
      if (records.size <= this.max) return;
    }
  }

  delete(fileid: number): void {
    this.records.delete(fileid);
  }
}
