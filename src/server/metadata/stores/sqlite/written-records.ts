/**
 * The file records a group of transactions (group-commit.ts) has written, so that bodies
 * read them back without a query, and so that the committed-record cache takes them at
 * COMMIT instead of dropping them (the next read of a file just written would otherwise
 * query and decode its 26 columns again: ~9 µs each, three times per small file created,
 * written and committed). A body's writes join the group's when it is released and vanish
 * when it rolls back to its savepoint; the group's reach the cache only if it commits.
 * Records are shared, never mutated (as the cache's).
 */
import type { FileRecord } from '../../store.ts';
import type { RecordCache } from './record-cache.ts';

/** A record as the group left it: `null` once deleted. */
type Written = FileRecord | null;

export class WrittenRecords {
  private body = new Map<number, Written>();
  private group = new Map<number, Written>();

  constructor(private readonly cache: RecordCache) {}

  /** The record as this group left it; undefined if the group has not written it. */
  get(fileid: number): Written | undefined {
    const inBody = this.body.get(fileid);
    return inBody !== undefined ? inBody : this.group.get(fileid);
  }

  put(rec: FileRecord): void {
    this.body.set(rec.attr.fileid, rec);
  }

  delete(fileid: number): void {
    this.body.set(fileid, null);
  }

  bodyEnded(ok: boolean): void {
    if (ok) for (const [id, rec] of this.body) this.group.set(id, rec);
    this.body.clear();
  }

  groupEnded(committed: boolean): void {
    if (committed) {
      for (const [id, rec] of this.group) {
        if (rec === null) this.cache.delete(id);
        else this.cache.set(rec);
      }
    }
    this.body.clear();
    this.group.clear();
  }
}
