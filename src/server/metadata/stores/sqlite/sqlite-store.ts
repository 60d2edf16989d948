/**
 * Persistent metadata store on SQLite (better-sqlite3). WAL journal: a transaction is
 * durable when its promise resolves; concurrent transactions share one commit
 * (group-commit.ts), and the WAL is fdatasynced on the threadpool (wal-sync.ts), not by
 * SQLite on the event loop (synchronous=NORMAL).
 *
 * One connection in exclusive locking mode: the WAL index lives in process memory, which
 * makes each read several times cheaper than with shared-memory locking, and keeps other
 * processes out of a live database. Reads outside transactions that arrive while a group
 * is open (they can only interleave at the group's awaits) wait for it to finish, so they
 * see committed data only.
 */
import { randomBytes } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { DittoError } from '../../../../shared/errors.ts';
import { newGeneration } from '../../handles.ts';
import { dirAndEntryReads, readFiles } from '../../store.ts';
import type {
  DirAndFile,
  FileRecord,
  MetadataStore,
  NamedStream,
  StoreSpace,
  StoredEntry,
  StoreTx,
  StreamInfo,
  TxOptions,
} from '../../store.ts';
import { GroupCommit, type GroupEvents } from './group-commit.ts';
import { DirPageCache } from './dir-page-cache.ts';
import { RecordCache } from './record-cache.ts';
import { WalSync } from './wal-sync.ts';
import { WrittenRecords } from './written-records.ts';
import { Queries } from './queries.ts';
import { migrate } from './migrations.ts';
import { checkDatabaseFile, checkOwnDatabase, claimDatabase, openError } from './own-database.ts';

export interface SqliteStoreOptions {
  /** Most transaction bodies sharing one commit. */
  maxBatch?: number;
  /**
   * The store's name: recorded in a new database, which then opens for this name only.
   * Without one (tools, tests) any metadata database of ours opens and none is claimed.
   */
  owner?: string;
}

/** Opens only a new database or one of ours (own-database.ts), without changing any other. */
function openDatabase(path: string, owner: string | undefined): Database {
  checkDatabaseFile(path);
  let db: Database | undefined;
  try {
    // No busy wait: better-sqlite3 would wait on the event loop. Once open, the exclusive
    // lock leaves no one to wait for.
    db = new BetterSqlite3(path, { timeout: 0 });
    // Before the first WAL access, so the WAL index is kept in heap memory.
    db.pragma('locking_mode = EXCLUSIVE');
    checkOwnDatabase(db, path, owner);
    db.pragma('journal_mode = WAL');
    // COMMIT writes the WAL without fsync; WalSync makes it durable before callers hear back.
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -65536');
    migrate(db);
    claimDatabase(db, owner);
    return db;
  } catch (err) {
    db?.close();
    throw openError(err, path);
  }
}

/**
 * Fileids and cookies are handed out from blocks this long: `meta` records the end of the
 * current block, so a commit writes it once per block rather than every time (one page of
 * the WAL, two writes, per group of creates). Ids of a block left unused at a restart are
 * skipped, never reused.
 */
const ID_BLOCK = 1024;

/** The view transaction bodies get; reads see the group's uncommitted writes. */
class SqliteTx implements StoreTx, GroupEvents {
  /** Next fileid / cookie to hand out. */
  private nextFileId: number;
  private nextCookie: number;
  /** What `meta` says, committed: every id handed out is below these. */
  private fileIdLimit: number;
  private cookieLimit: number;
  /** Written by this group, before its COMMIT. */
  private pendingLimits: { fileId: number; cookie: number } | undefined;
  private readonly written: WrittenRecords;

  constructor(
    private readonly q: Queries,
    /** Committed records: read before querying, and given what the group wrote once it commits. */
    private readonly cache: RecordCache,
    /** Told of every directory whose entries this view changes. */
    private readonly pages: DirPageCache,
    maxFileId: number,
    maxCookie: number,
  ) {
    this.fileIdLimit = Math.max(q.getMeta('next_fileid') ?? 1, maxFileId + 1);
    this.cookieLimit = Math.max(q.getMeta('next_cookie') ?? 1, maxCookie + 1);
    this.nextFileId = this.fileIdLimit;
    this.nextCookie = this.cookieLimit;
    this.written = new WrittenRecords(cache);
  }

  async getFile(fileid: number): Promise<FileRecord | undefined> {
    const written = this.written.get(fileid);
    if (written !== undefined) return written ?? undefined;
    // Not written by this group: the row is as committed.
    return this.q.getFileCached(fileid, this.cache);
  }

  dirAndEntry(dirId: number, name: string): Promise<DirAndFile> {
    return dirAndEntryReads(this, dirId, name);
  }

  async lookup(dirId: number, name: string): Promise<number | undefined> {
    return this.q.lookup(dirId, name);
  }

  async findCaseless(dirId: number, name: string): Promise<string | undefined> {
    return this.q.findCaseless(dirId, name);
  }

  async listDir(dirId: number, afterCookie: number, limit: number): Promise<StoredEntry[]> {
    return this.q.listDir(dirId, afterCookie, limit);
  }

  async hasEntries(dirId: number): Promise<boolean> {
    return this.q.hasEntries(dirId);
  }

  async getRoot(share: string): Promise<number | undefined> {
    return this.q.getRoot(share);
  }

  /** One writer at a time (group commit): nothing to lock. */
  lockFiles(ids: readonly number[]): Promise<Array<FileRecord | undefined>> {
    return readFiles(this, ids);
  }

  async lockTree(): Promise<void> {}

  async createFile(rec: FileRecord): Promise<number> {
    const id = this.nextFileId++;
    rec.attr.fileid = id;
    rec.generation = newGeneration();
    this.q.insertFile(rec);
    this.written.put(rec);
    return id;
  }

  async putFile(rec: FileRecord): Promise<void> {
    if (!this.q.updateFile(rec)) throw new DittoError('NOT_FOUND', `no file ${rec.attr.fileid}`);
    this.written.put(rec);
  }

  async deleteFile(fileid: number): Promise<void> {
    this.q.deleteFile(fileid);
    this.written.delete(fileid);
  }

  async addEntry(dirId: number, name: string, childId: number): Promise<number> {
    this.pages.dropDir(dirId);
    if (!this.q.insertEntry(dirId, name, childId, this.nextCookie)) throw new DittoError('EXISTS', name);
    return this.nextCookie++;
  }

  async removeEntry(dirId: number, name: string): Promise<void> {
    this.pages.dropDir(dirId);
    if (!this.q.deleteEntry(dirId, name)) throw new DittoError('NOT_FOUND', name);
  }

  async setRoot(share: string, fileid: number): Promise<void> {
    this.q.setRoot(share, fileid);
  }

  async listStreams(fileid: number): Promise<StreamInfo[]> {
    return this.q.streams.list(fileid);
  }

  async getStream(fileid: number, name: string): Promise<NamedStream | undefined> {
    return this.q.streams.get(fileid, name);
  }

  async putStream(fileid: number, name: string, data: Buffer): Promise<void> {
    this.q.streams.put(fileid, name, data);
  }

  async deleteStream(fileid: number, name: string): Promise<boolean> {
    return this.q.streams.delete(fileid, name);
  }

  beforeCommit(): void {
    if (this.nextFileId <= this.fileIdLimit && this.nextCookie <= this.cookieLimit) return;
    const limits = { fileId: this.nextFileId + ID_BLOCK, cookie: this.nextCookie + ID_BLOCK };
    this.q.setMeta('next_fileid', limits.fileId);
    this.q.setMeta('next_cookie', limits.cookie);
    this.pendingLimits = limits;
  }

  bodyEnded(ok: boolean): void {
    this.written.bodyEnded(ok);
  }

  groupEnded(committed: boolean): void {
    this.written.groupEnded(committed);
    if (committed && this.pendingLimits !== undefined) {
      this.fileIdLimit = this.pendingLimits.fileId;
      this.cookieLimit = this.pendingLimits.cookie;
    }
    this.pendingLimits = undefined;
  }
}

export class SqliteMetadataStore implements MetadataStore {
  readonly epoch: number;
  private readonly q: Queries;
  private readonly group: GroupCommit<SqliteTx>;
  private readonly wal: WalSync;
  private readonly cache = new RecordCache();
  private readonly pages = new DirPageCache();
  private closed = false;

  /** Opens (creating if needed) the database file at `path` and migrates it. */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteMetadataStore> {
    return new SqliteMetadataStore(path, openDatabase(path, options.owner), options);
  }

  private constructor(
    readonly path: string,
    private readonly db: Database,
    options: SqliteStoreOptions,
  ) {
    this.q = new Queries(db);
    let epoch = this.q.getMeta('epoch');
    if (epoch === undefined) {
      epoch = randomBytes(4).readUInt32BE(0);
      this.q.setMeta('epoch', epoch);
    }
    this.epoch = epoch;
    const maxFileId = db.prepare('SELECT coalesce(max(fileid), 0) FROM files').pluck(true).get() as number;
    const maxCookie = db.prepare('SELECT coalesce(max(cookie), 0) FROM entries').pluck(true).get() as number;
    const tx = new SqliteTx(this.q, this.cache, this.pages, maxFileId, maxCookie);
    this.wal = new WalSync(`${path}-wal`);
    this.group = new GroupCommit(db, tx, tx, () => this.wal.sync(), { maxBatch: options.maxBatch });
  }

  // Outside transactions, reads first wait out an open group so its uncommitted writes stay invisible.

  async getFile(fileid: number): Promise<FileRecord | undefined> {
    if (this.group.running) await this.group.settled();
    return this.q.getFileCached(fileid, this.cache);
  }

  async lookup(dirId: number, name: string): Promise<number | undefined> {
    if (this.group.running) await this.group.settled();
    return this.q.lookup(dirId, name);
  }

  async findCaseless(dirId: number, name: string): Promise<string | undefined> {
    if (this.group.running) await this.group.settled();
    return this.q.findCaseless(dirId, name);
  }

  async listDir(dirId: number, afterCookie: number, limit: number): Promise<StoredEntry[]> {
    if (this.group.running) await this.group.settled();
    return this.q.listDirCached(dirId, afterCookie, limit, this.cache, this.pages);
  }

  async hasEntries(dirId: number): Promise<boolean> {
    if (this.group.running) await this.group.settled();
    return this.q.hasEntries(dirId);
  }

  async getRoot(share: string): Promise<number | undefined> {
    if (this.group.running) await this.group.settled();
    return this.q.getRoot(share);
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>, opts?: TxOptions): Promise<T> {
    if (this.closed) return Promise.reject(new DittoError('IO', 'metadata store is closed'));
    return this.group.run(fn, opts?.lazy === true);
  }

  dirAndEntry(dirId: number, name: string): Promise<DirAndFile> {
    return dirAndEntryReads(this, dirId, name);
  }

  async listStreams(fileid: number): Promise<StreamInfo[]> {
    if (this.group.running) await this.group.settled();
    return this.q.streams.list(fileid);
  }

  async getStream(fileid: number, name: string): Promise<NamedStream | undefined> {
    if (this.group.running) await this.group.settled();
    return this.q.streams.get(fileid, name);
  }

  async orphans(): Promise<FileRecord[]> {
    if (this.group.running) await this.group.settled();
    return this.q.unlinked();
  }

  async fileCount(): Promise<number> {
    if (this.group.running) await this.group.settled();
    return this.q.countFiles.get() as number;
  }

  async space(): Promise<StoreSpace> {
    const s = await statfs(dirname(this.path));
    return { totalBytes: s.blocks * s.bsize, freeBytes: s.bfree * s.bsize, availBytes: s.bavail * s.bsize };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.group.idle();
    await this.group.syncLazy();
    await this.wal.close();
    this.db.close();
  }
}
