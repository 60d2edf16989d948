/**
 * Committed file records of the SQLite store, by fileid, so that warm READDIRPLUS pages and
 * GETATTRs skip turning 26 columns per row into JavaScript values (the most of a listing's
 * cost: ~3 µs a row, against ~0.5 µs for a row of names). Holds committed data only: filled
 * by reads of rows no open group has written, and by what a group wrote once it has
 * committed (written-records.ts), so a rolled-back write leaves no trace. Records are shared,
 * as the memory store shares its own: callers never mutate one.
 * Bounded: the entries stored longest ago go first.
 */
import type { FileRecord } from '../../store.ts';

const DEFAULT_MAX = 16384;

export class RecordCache {
  private readonly records = new Map<number, FileRecord>();

  constructor(private readonly max = DEFAULT_MAX) {}

  get(fileid: number): FileRecord | undefined {
    return this.records.get(fileid);
  }

  /** Stores `rec` as the newest entry: a record written again (a directory at each create in it) is not the first to go. */
  set(rec: FileRecord): void {
    const { records } = this;
    records.delete(rec.attr.fileid);
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
