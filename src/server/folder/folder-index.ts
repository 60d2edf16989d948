/**
 * The persistent index of a folder share, in dfs's data dir (never in the user's folder):
 * one row per file dfs has handed out a handle for, created lazily on LOOKUP / READDIR.
 * A row ties a fileid (increasing, never reused) to the file's identity (device, inode,
 * birth time), its last known place (parent fileid, name), and what clients set that the
 * process could not write to the file itself (owner, group, mode; see attrs.ts), plus the
 * verifier of an EXCLUSIVE create, and the files' named streams (SMB alternate data streams).
 *
 * SQLite in WAL mode with synchronous=NORMAL, as the SQLite metadata store: commits write
 * the WAL only; `sync()` fdatasyncs it off the event loop before a structural change is
 * answered. Writes of one turn of the event loop share one SQLite transaction, committed on
 * the next turn or by `sync()` (a commit costs far more than a row). One connection,
 * exclusive locking: one process per index.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import { DittoError } from '../../shared/errors.ts';
import { fsError } from './errors.ts';
import { WalSync } from '../metadata/stores/sqlite/wal-sync.ts';
import { STREAMS_TABLE, StreamRows } from '../metadata/stores/sqlite/stream-rows.ts';
import type { NamedStream, StreamInfo } from '../metadata/store.ts';
import type { Identity } from './stat.ts';

/** A file of the folder as the index knows it. Mutable: the store updates it in place. */
export interface FolderNode extends Identity {
  fileid: number;
  /** Random, fixed when the row is made: a handle must carry it (metadata/handles.ts). */
  generation: number;
  /** Directory it was last seen in (the root names itself). */
  parent: number;
  name: string;
  /** Set over NFS where the process cannot chown/chmod (null: the file's own). */
  uid: number | null;
  gid: number | null;
  mode: number | null;
  /** The file's real mode when `mode` was set: a local chmod since then wins over it. */
  realMode: number | null;
  /** ctime (ns) of the latest change kept only here, so clients see the change. */
  ctime: bigint | null;
  /**
   * Times set over NFS to the nanosecond (ns); the file holds them to the microsecond only
   * (utimes in Node), as `realAtime` / `realMtime`. Shown while the file still has those.
   */
  atime: bigint | null;
  mtime: bigint | null;
  realAtime: bigint | null;
  realMtime: bigint | null;
  verifier: Buffer | null;
  /** DOS attributes set over SMB (FileAttr.dosAttributes; null: a new file's, attrs.ts). */
  dos: number | null;
}

/** Numbered steps; `PRAGMA user_version` counts those applied. Append, never edit shipped ones. */
const STEPS = [
  // 1
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value ANY NOT NULL) STRICT;
   CREATE TABLE nodes (
     fileid INTEGER PRIMARY KEY,
     generation INTEGER NOT NULL,
     dev INTEGER NOT NULL,
     ino INTEGER NOT NULL,
     btime INTEGER NOT NULL,
     parent INTEGER NOT NULL,
     name TEXT NOT NULL,
     uid INTEGER, gid INTEGER, mode INTEGER, real_mode INTEGER, ctime INTEGER,
     atime INTEGER, mtime INTEGER, real_atime INTEGER, real_mtime INTEGER,
     verifier BLOB
   ) STRICT;
   CREATE INDEX nodes_by_inode ON nodes (ino, dev);`,
  // 2: DOS attributes set over SMB.
  'ALTER TABLE nodes ADD COLUMN dos INTEGER',
  // 3: named streams (SMB alternate data streams) of the folder's files: here, never in the folder.
  STREAMS_TABLE,
];
const SCHEMA_VERSION = STEPS.length;

const COLUMNS =
  'fileid, generation, dev, ino, btime, parent, name, uid, gid, mode, real_mode, ctime, atime, mtime, real_atime, real_mtime, verifier, dos';
const PARAMS = COLUMNS.split(', ')
  .map((c) => `@${c}`)
  .join(', ');

/** SQLite integers are signed 64-bit; device and inode numbers are unsigned. */
const toSql = (n: bigint): bigint => BigInt.asIntN(64, n);
const fromSql = (n: bigint): bigint => BigInt.asUintN(64, n);
const num = (v: unknown): number | null => (v === null ? null : Number(v));

function nodeOf(r: unknown[]): FolderNode {
  return {
    fileid: Number(r[0]),
    generation: Number(r[1]),
    dev: fromSql(r[2] as bigint),
    ino: fromSql(r[3] as bigint),
    btime: r[4] as bigint,
    parent: Number(r[5]),
    name: r[6] as string,
    uid: num(r[7]),
    gid: num(r[8]),
    mode: num(r[9]),
    realMode: num(r[10]),
    ctime: r[11] as bigint | null,
    atime: r[12] as bigint | null,
    mtime: r[13] as bigint | null,
    realAtime: r[14] as bigint | null,
    realMtime: r[15] as bigint | null,
    verifier: r[16] as Buffer | null,
    dos: num(r[17]),
  };
}

function paramsOf(n: FolderNode): Record<string, unknown> {
  return {
    fileid: n.fileid,
    generation: n.generation,
    dev: toSql(n.dev),
    ino: toSql(n.ino),
    btime: n.btime,
    parent: n.parent,
    name: n.name,
    uid: n.uid,
    gid: n.gid,
    mode: n.mode,
    real_mode: n.realMode,
    ctime: n.ctime,
    atime: n.atime,
    mtime: n.mtime,
    real_atime: n.realAtime,
    real_mtime: n.realMtime,
    verifier: n.verifier,
    dos: n.dos,
  };
}

/** Fileids `meta.max_fileid` reserves at a time; those left unused at a restart are skipped, never reused. */
const FILEID_BLOCK = 1024;

export class FolderIndex {
  private readonly selNode: Statement;
  private readonly selByInode: Statement;
  private readonly upsNode: Statement;
  private readonly delNode: Statement;
  private readonly selMeta: Statement;
  private readonly upsMeta: Statement;
  private readonly begin: Statement;
  private readonly commit: Statement;
  private readonly wal: WalSync;
  /** Named streams of the indexed files (metadata/stores/sqlite/stream-rows.ts); they go with their row. */
  private readonly streamRows: StreamRows;
  /** Rows written or deleted so far (less deletions that need no sync): whether a transaction changed the index. */
  writes = 0;
  /** Settles when the open shared transaction has committed. */
  private committed: Promise<void> = Promise.resolve();
  /** The highest fileid written since the index opened. */
  private maxPut = 0;
  /**
   * `meta.max_fileid`, committed: no fileid ever written is above it, whatever rows are
   * deleted since. A commit with a fileid past it raises it by a block (FILEID_BLOCK), so
   * commits write that row once per block, not one more page of the WAL each.
   */
  private maxStored = 0;

  private constructor(
    readonly path: string,
    private readonly db: Database,
  ) {
    this.selNode = db.prepare(`SELECT ${COLUMNS} FROM nodes WHERE fileid = ?`).raw(true).safeIntegers(true);
    this.selByInode = db.prepare(`SELECT ${COLUMNS} FROM nodes WHERE ino = ? AND dev = ?`).raw(true).safeIntegers(true);
    this.upsNode = db.prepare(`INSERT OR REPLACE INTO nodes (${COLUMNS}) VALUES (${PARAMS})`);
    this.delNode = db.prepare('DELETE FROM nodes WHERE fileid = ?');
    this.selMeta = db.prepare('SELECT value FROM meta WHERE key = ?').pluck(true).safeIntegers(true);
    this.upsMeta = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.streamRows = new StreamRows(db);
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.wal = new WalSync(`${path}-wal`);
  }

  static open(path: string): FolderIndex {
    mkdirSync(dirname(path), { recursive: true });
    const db = new BetterSqlite3(path);
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      initSchema(db);
      return new FolderIndex(path, db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  get(fileid: number): FolderNode | undefined {
    const r = this.selNode.get(fileid) as unknown[] | undefined;
    return r === undefined ? undefined : nodeOf(r);
  }

  /** Rows of an inode: more than one only while a dead row of a reused inode waits to be dropped. */
  byInode(dev: bigint, ino: bigint): FolderNode[] {
    return (this.selByInode.all(toSql(ino), toSql(dev)) as unknown[][]).map(nodeOf);
  }

  /** Inserts or replaces the row of `node.fileid`. */
  put(node: FolderNode): void {
    this.writing();
    this.upsNode.run(paramsOf(node));
    if (node.fileid > this.maxPut) this.maxPut = node.fileid;
  }

  /**
   * `mustSync`: the deletion counts as a change to sync (`writes`). A row outliving its file
   * after a crash is harmless where the file system reports birth times: no new file can
   * match it (stat.ts sameFile), and the next lookup of it forgets it (locate.ts).
   */
  delete(fileid: number, mustSync = true): void {
    this.writing(mustSync);
    this.delNode.run(fileid);
    this.streamRows.deleteAll(fileid);
  }

  listStreams(fileid: number): StreamInfo[] {
    return this.streamRows.list(fileid);
  }

  getStream(fileid: number, name: string): NamedStream | undefined {
    return this.streamRows.get(fileid, name);
  }

  /** Stores (`data`) or removes (null) the stream `name` of `fileid`. */
  setStream(fileid: number, name: string, data: Buffer | null): void {
    this.writing();
    if (data === null) this.streamRows.delete(fileid, name);
    else this.streamRows.put(fileid, name, data);
  }

  count(): number {
    return Number(this.db.prepare('SELECT count(*) FROM nodes').pluck(true).get());
  }

  private maxFileId(): number {
    return Number(this.db.prepare('SELECT coalesce(max(fileid), 0) FROM nodes').pluck(true).get());
  }

  /** Drops every row: the folder is another directory than the one indexed. */
  clear(): void {
    this.writing();
    this.db.exec('DELETE FROM nodes; DELETE FROM streams');
  }

  getMeta(key: string): bigint | string | undefined {
    return this.selMeta.get(key) as bigint | string | undefined;
  }

  setMeta(key: string, value: bigint | number | string): void {
    this.writing();
    this.upsMeta.run(key, typeof value === 'bigint' ? toSql(value) : value);
  }

  /** Resolves once every change made so far is on stable storage. */
  async sync(): Promise<void> {
    await this.committed;
    await this.wal.sync();
  }

  async close(): Promise<void> {
    this.flush();
    await this.wal.close();
    this.db.close();
  }

  /** Opens the shared transaction of this turn of the event loop, if none is open. */
  private writing(counted = true): void {
    if (counted) this.writes++;
    if (this.db.inTransaction) return;
    this.begin.run();
    this.committed = new Promise((resolve, reject) =>
      setImmediate(() => {
        try {
          this.flush();
          resolve();
        } catch (err) {
          reject(fsError(err, this.path));
        }
      }),
    );
    // Whoever syncs hears of a failed commit; nobody else has to.
    this.committed.catch(() => undefined);
  }

  /** The highest fileid ever saved (its row may be gone since): fileids above it are new. */
  maxFileIdEver(): number {
    this.maxStored = Math.max(this.maxStored, Number(this.getMeta('max_fileid') ?? 0));
    return Math.max(this.maxFileId(), this.maxStored, this.maxPut);
  }

  /** Commits the shared transaction; on failure (a full disk) it is rolled back. */
  private flush(): void {
    if (!this.db.inTransaction) return;
    try {
      let stored: number | undefined;
      if (this.maxPut > this.maxStored) {
        stored = this.maxPut + FILEID_BLOCK;
        this.upsMeta.run('max_fileid', stored);
      }
      this.commit.run();
      if (stored !== undefined) this.maxStored = stored;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }
}

/** Creates or upgrades the schema of an index; refuses one written by a newer server. */
function initSchema(db: Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new DittoError('IO', `folder index schema ${version} is newer than this server (${SCHEMA_VERSION})`);
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (const step of STEPS.slice(version)) db.exec(step);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
