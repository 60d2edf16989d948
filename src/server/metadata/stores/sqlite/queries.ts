/** The SQLite metadata store's prepared statements (synchronous; rows read in raw mode). */
import type { Database, Statement } from 'better-sqlite3';
import { foldName } from '../../store.ts';
import type { FileRecord, StoredEntry } from '../../store.ts';
import { DATA_COLUMNS, FILE_COLUMNS, recordParams, rowRecord } from '../rows.ts';
import type { DirPageCache } from './dir-page-cache.ts';
import type { RecordCache } from './record-cache.ts';
import { StreamRows } from './stream-rows.ts';

/** `?, ?, ...` for DATA_COLUMNS. */
const DATA_PARAMS = DATA_COLUMNS.split(',')
  .map(() => '?')
  .join(', ');

/** Prepared statements, synchronous; rows are read in raw (array) mode. */
export class Queries {
  private readonly selFile: Statement;
  private readonly selEntry: Statement;
  private readonly selPage: Statement;
  private readonly selAny: Statement;
  private readonly selRoot: Statement;
  private readonly insFile: Statement;
  private readonly updFile: Statement;
  private readonly delFile: Statement;
  private readonly insEntry: Statement;
  private readonly selFolded: Statement;
  private readonly delEntry: Statement;
  private readonly upsRoot: Statement;
  private readonly selMeta: Statement;
  private readonly upsMeta: Statement;
  readonly countFiles: Statement;
  private readonly selUnlinked: Statement;
  /** Named streams (stream-rows.ts). */
  readonly streams: StreamRows;

  constructor(db: Database) {
    const fileCols = FILE_COLUMNS.split(', ')
      .map((c) => `f.${c}`)
      .join(', ');
    this.selFile = db.prepare(`SELECT ${FILE_COLUMNS} FROM files WHERE fileid = ?`).raw(true);
    this.selEntry = db.prepare('SELECT child_id FROM entries WHERE dir_id = ? AND name = ?').pluck(true);
    this.selPage = db
      .prepare(
        `SELECT e.name, e.cookie, ${fileCols} FROM entries e JOIN files f ON f.fileid = e.child_id
         WHERE e.dir_id = ? AND e.cookie > ? ORDER BY e.cookie LIMIT ?`,
      )
      .raw(true);
    this.selAny = db.prepare('SELECT 1 FROM entries WHERE dir_id = ? LIMIT 1').pluck(true);
    this.selRoot = db.prepare('SELECT fileid FROM roots WHERE share = ?').pluck(true);
    this.insFile = db.prepare(`INSERT INTO files (${DATA_COLUMNS}, fileid, generation) VALUES (${DATA_PARAMS}, ?, ?)`);
    this.updFile = db.prepare(
      `UPDATE files SET (${DATA_COLUMNS}) = (${DATA_PARAMS}) WHERE fileid = ? AND generation = ?`,
    );
    this.delFile = db.prepare('DELETE FROM files WHERE fileid = ?');
    this.insEntry = db.prepare('INSERT INTO entries (dir_id, name, child_id, cookie, folded) VALUES (?, ?, ?, ?, ?)');
    this.selFolded = db
      .prepare('SELECT name FROM entries WHERE dir_id = ? AND folded = ? ORDER BY cookie LIMIT 1')
      .pluck(true);
    this.delEntry = db.prepare('DELETE FROM entries WHERE dir_id = ? AND name = ?');
    this.upsRoot = db.prepare(
      'INSERT INTO roots (share, fileid) VALUES (?, ?) ON CONFLICT (share) DO UPDATE SET fileid = excluded.fileid',
    );
    this.selMeta = db.prepare('SELECT value FROM meta WHERE key = ?').pluck(true);
    this.upsMeta = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.countFiles = db.prepare('SELECT count(*) FROM files').pluck(true);
    // Served by the partial index files_unlinked (migration 5): no table scan at start.
    this.selUnlinked = db.prepare(`SELECT ${FILE_COLUMNS} FROM files WHERE nlink = 0`).raw(true);
    this.streams = new StreamRows(db);
  }

  /** Records with no link (MetadataStore.orphans). */
  unlinked(): FileRecord[] {
    return (this.selUnlinked.all() as unknown[][]).map((row) => rowRecord(row, 0));
  }

  getFile(fileid: number): FileRecord | undefined {
    const row = this.selFile.get(fileid) as unknown[] | undefined;
    return row === undefined ? undefined : rowRecord(row, 0);
  }

  /** A committed record from the cache, else from the database (then cached); the caller knows no open group wrote it. */
  getFileCached(fileid: number, cache: RecordCache): FileRecord | undefined {
    const cached = cache.get(fileid);
    if (cached !== undefined) return cached;
    const rec = this.getFile(fileid);
    if (rec !== undefined) cache.set(rec);
    return rec;
  }

  lookup(dirId: number, name: string): number | undefined {
    return this.selEntry.get(dirId, name) as number | undefined;
  }

  findCaseless(dirId: number, name: string): string | undefined {
    return this.selFolded.get(dirId, foldName(name)) as string | undefined;
  }

  listDir(dirId: number, afterCookie: number, limit: number): StoredEntry[] {
    const rows = this.selPage.all(dirId, afterCookie, limit) as unknown[][];
    return rows.map((r) => ({ name: r[0] as string, cookie: r[1] as number, file: rowRecord(r, 2) }));
  }

  /**
   * A page from cached records when the caches hold the page and every entry's record; else
   * from the database (names and records in one query), filling both.
   */
  listDirCached(
    dirId: number,
    afterCookie: number,
    limit: number,
    cache: RecordCache,
    pages: DirPageCache,
  ): StoredEntry[] {
    const page = pages.get(dirId, afterCookie, limit);
    if (page !== undefined) {
      const out: StoredEntry[] = new Array(page.length);
      let i = 0;
      for (; i < page.length; i++) {
        const [name, cookie, childId] = page[i]!;
        const file = cache.get(childId);
        if (file === undefined) break;
        out[i] = { name, cookie, file };
      }
      if (i === page.length) return out;
    }
    const entries = this.listDir(dirId, afterCookie, limit);
    for (const e of entries) cache.set(e.file);
    pages.set(
      dirId,
      afterCookie,
      limit,
      entries.map((e) => [e.name, e.cookie, e.file.attr.fileid] as const),
    );
    return entries;
  }

  hasEntries(dirId: number): boolean {
    return this.selAny.get(dirId) !== undefined;
  }

  getRoot(share: string): number | undefined {
    return this.selRoot.get(share) as number | undefined;
  }

  insertFile(rec: FileRecord): void {
    this.insFile.run(recordParams(rec));
  }

  updateFile(rec: FileRecord): boolean {
    return this.updFile.run(recordParams(rec)).changes === 1;
  }

  deleteFile(fileid: number): void {
    this.delFile.run(fileid);
    this.streams.deleteAll(fileid);
  }

  /** False when the name is taken. */
  insertEntry(dirId: number, name: string, childId: number, cookie: number): boolean {
    try {
      this.insEntry.run(dirId, name, childId, cookie, foldName(name));
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return false;
      throw err;
    }
  }

  deleteEntry(dirId: number, name: string): boolean {
    return this.delEntry.run(dirId, name).changes === 1;
  }

  setRoot(share: string, fileid: number): void {
    this.upsRoot.run(share, fileid);
  }

  getMeta(key: string): number | undefined {
    return this.selMeta.get(key) as number | undefined;
  }

  setMeta(key: string, value: number): void {
    this.upsMeta.run(key, value);
  }
}
