/**
 * Reads outside transactions (GETATTR's record, LOOKUP's directory and entry), coalesced:
 * calls made while batches are in flight go out together in the next one, one statement
 * and one round trip for many NFS requests. On a small query PostgreSQL's per-statement
 * costs (protocol messages, executor start, a snapshot, a backend wake-up) outweigh the
 * index lookup itself, so a batch of n reads costs little more than one.
 *
 * No caching: a batch is sent after its callers called, so each read sees every
 * transaction committed before its request arrived, on any instance (close-to-open).
 */
import type pg from 'pg';
import type { QueryConfig } from 'pg';
import { isConnectionLoss, pgError } from '../../../postgres/errors.ts';
import type { DirAndFile, FileRecord } from '../../store.ts';
import { FILE_COLUMNS, fileColumnsOf, rowRecord } from '../rows.ts';

/**
 * Read i of a batch is the file $1[i] (tagged 0) and, when $2[i] is a name, the file of that
 * entry of directory $1[i] (tagged 1). LATERAL runs each read as its own primary-key
 * lookups whatever the planner guesses of the arrays' lengths (the generic plan is index
 * scans only).
 */
const BATCH_SQL = `SELECT r.i, x.* FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS r(id, name, i)
  CROSS JOIN LATERAL (
    SELECT 0 AS tag, ${FILE_COLUMNS} FROM files WHERE fileid = r.id
    UNION ALL SELECT 1, ${fileColumnsOf('f')} FROM entries e JOIN files f ON f.fileid = e.child_id
      WHERE e.dir_id = r.id AND e.name = r.name
  ) x`;

/** Batches in flight at once: enough to keep PostgreSQL busy while the next one gathers. */
const MAX_IN_FLIGHT = 2;
/** Reads per batch at most: bounds a statement's parameters and its callers' wait. */
const MAX_BATCH = 256;

interface Read {
  id: number;
  /** Null for a file alone. */
  name: string | null;
  resolve: (found: DirAndFile) => void;
  reject: (err: unknown) => void;
}

export class ReadBatcher {
  private queue: Read[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly pool: pg.Pool) {}

  async getFile(fileid: number): Promise<FileRecord | undefined> {
    return (await this.read(fileid, null)).dir;
  }

  dirAndEntry(dirId: number, name: string): Promise<DirAndFile> {
    return this.read(dirId, name);
  }

  private read(id: number, name: string | null): Promise<DirAndFile> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id, name, resolve, reject });
      this.schedule();
    });
  }

  /** setImmediate lets every request decoded in this turn join the batch. */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.send();
    });
  }

  private async send(): Promise<void> {
    const batch = this.queue.length <= MAX_BATCH ? this.queue : this.queue.slice(0, MAX_BATCH);
    this.queue = batch === this.queue ? [] : this.queue.slice(MAX_BATCH);
    this.inFlight++;
    this.schedule();
    try {
      await this.run(batch);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }

  /**
   * Answers every read of `batch`. A statement that fails for another reason than a lost
   * server is retried read by read, so one bad argument fails only its own caller.
   */
  private async run(batch: Read[]): Promise<void> {
    const q: QueryConfig = {
      name: 'readBatch',
      text: BATCH_SQL,
      values: [batch.map((r) => r.id), batch.map((r) => r.name)],
      rowMode: 'array',
    } as QueryConfig;
    let rows: unknown[][];
    try {
      rows = (await this.pool.query(q)).rows as unknown[][];
    } catch (err) {
      if (batch.length > 1 && !isConnectionLoss(err)) {
        await Promise.all(batch.map((r) => this.run([r])));
        return;
      }
      const failure = pgError(err);
      for (const r of batch) r.reject(failure);
      return;
    }
    const found: DirAndFile[] = batch.map(() => ({ dir: undefined, file: undefined }));
    for (const row of rows) found[(row[0] as number) - 1]![row[1] === 0 ? 'dir' : 'file'] = rowRecord(row, 2);
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(found[i]!);
  }
}
