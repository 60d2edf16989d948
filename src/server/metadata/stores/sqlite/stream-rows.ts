/**
 * Named streams (store.ts putStream) in a SQLite table, for the SQLite metadata store and a
 * folder share's index (folder/folder-index.ts), which create it with STREAMS_TABLE in a
 * migration. Keyed by the file and the stream's case-folded name; the rowid keeps creation order.
 */
import type { Database, Statement } from 'better-sqlite3';
import { foldName, type NamedStream, type StreamInfo } from '../../store.ts';

/** The table, as migrations create it: shipped, never to change (a new shape is a new step). */
export const STREAMS_TABLE = `CREATE TABLE streams (
     fileid INTEGER NOT NULL,
     folded TEXT NOT NULL,
     name TEXT NOT NULL,
     data BLOB NOT NULL
   ) STRICT;
   CREATE UNIQUE INDEX streams_by_name ON streams (fileid, folded);`;

export class StreamRows {
  private readonly selAll: Statement;
  private readonly selOne: Statement;
  private readonly ups: Statement;
  private readonly delOne: Statement;
  private readonly delFile: Statement;

  constructor(db: Database) {
    this.selAll = db.prepare('SELECT name, length(data) AS size FROM streams WHERE fileid = ? ORDER BY rowid');
    this.selOne = db.prepare('SELECT name, data FROM streams WHERE fileid = ? AND folded = ?');
    // A replaced stream keeps its stored name and its place in the listing.
    this.ups = db.prepare(
      'INSERT INTO streams (fileid, folded, name, data) VALUES (?, ?, ?, ?) ON CONFLICT (fileid, folded) DO UPDATE SET data = excluded.data',
    );
    this.delOne = db.prepare('DELETE FROM streams WHERE fileid = ? AND folded = ?');
    this.delFile = db.prepare('DELETE FROM streams WHERE fileid = ?');
  }

  list(fileid: number): StreamInfo[] {
    return this.selAll.all(fileid) as StreamInfo[];
  }

  get(fileid: number, name: string): NamedStream | undefined {
    return this.selOne.get(fileid, foldName(name)) as NamedStream | undefined;
  }

  put(fileid: number, name: string, data: Buffer): void {
    this.ups.run(fileid, foldName(name), name, data);
  }

  delete(fileid: number, name: string): boolean {
    return this.delOne.run(fileid, foldName(name)).changes === 1;
  }

  /** Every stream of the file (with its record). */
  deleteAll(fileid: number): void {
    this.delFile.run(fileid);
  }
}
