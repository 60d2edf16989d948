/**
 * Metadata store on PostgreSQL (`pg` with a pool). Each store keeps its tables in its own
 * schema; transactions are durable when COMMIT returns (synchronous_commit) and serialised
 * with the store's other transactions — in this process by group commit (concurrent ones
 * share one short PostgreSQL transaction, group-commit.ts), across dfs instances by the
 * rows they lock (`lockFiles`: SELECT ... FOR NO KEY UPDATE of the records they change;
 * `lockTree`: the `tree` row of `meta`), so changes in different directories proceed
 * side by side (docs/cluster.md). Lookups use the primary keys and the
 * (dir_id, cookie) index only: READDIR is one query per page, never one per entry. Every
 * query is a named prepared statement, parsed once per connection. GETATTR's and LOOKUP's
 * reads outside transactions are coalesced into one statement per batch (read-batch.ts).
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { PoolClient, QueryConfig, QueryResult } from 'pg';
import { DittoError } from '../../../../shared/errors.ts';
import { newGeneration } from '../../handles.ts';
import { foldName } from '../../store.ts';
import type {
  DirAndFile,
  FileRecord,
  MetadataStore,
  NamedStream,
  StoreReader,
  StoreSpace,
  StoredEntry,
  StoreTx,
  StreamInfo,
} from '../../store.ts';
import { DATA_COLUMNS, FILE_COLUMNS, fileColumnsOf, recordParams, rowRecord } from '../rows.ts';
import { pgError } from '../../../postgres/errors.ts';
import { PoolHealth } from '../../../postgres/pool-health.ts';
import { openSchema } from '../../../postgres/schema.ts';
import { poolConfig } from '../../../postgres/config.ts';
import { PgChangeBus, changeChannel } from './change-bus.ts';
import { PgRangeLocks } from './range-locks.ts';
import { defaultSchema, parseStoreConfig } from './config.ts';
import { MIGRATIONS } from './migrations.ts';
import { PgGroupCommit, type GroupSlot } from './group-commit.ts';
import { ReadBatcher } from './read-batch.ts';

/** PostgreSQL keeps its data on a server dfs cannot statfs: FSSTAT shows a nominal 1 PiB medium. */
const NOMINAL_CAPACITY = 2 ** 50;
/** How long fileCount and space answers are reused. */
const STATS_TTL_MS = 2000;

const DATA_COUNT = DATA_COLUMNS.split(',').length;
/** Parameters $from..$(from+count-1), comma-separated. */
const params = (from: number, count: number): string =>
  Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
const INSERT_FILE = `INSERT INTO files (${DATA_COLUMNS}, fileid, generation)
  VALUES (${params(1, DATA_COUNT)}, nextval('fileid_seq'), $${DATA_COUNT + 1})
  RETURNING fileid`;
/**
 * createFile + addEntry + putFile of the directory in one statement (StoreTx.createEntry):
 * the new file's columns and generation, then the directory's columns, fileid and
 * generation, then the name and its folded form. Answers the new fileid and how many entries and directories
 * it wrote (0 entries: the name was taken; 0 directories: no such directory).
 */
const CREATE_ENTRY = `WITH f AS (INSERT INTO files (${DATA_COLUMNS}, fileid, generation)
    VALUES (${params(1, DATA_COUNT)}, nextval('fileid_seq'), $${DATA_COUNT + 1}) RETURNING fileid),
  e AS (INSERT INTO entries (dir_id, name, child_id, cookie, folded)
    SELECT $${2 * DATA_COUNT + 2}, $${2 * DATA_COUNT + 4}, fileid, nextval('cookie_seq'), $${2 * DATA_COUNT + 5} FROM f
    ON CONFLICT (dir_id, name) DO NOTHING RETURNING 1),
  d AS (UPDATE files SET (${DATA_COLUMNS}) = ROW(${params(DATA_COUNT + 2, DATA_COUNT)})
    WHERE fileid = $${2 * DATA_COUNT + 2} AND generation = $${2 * DATA_COUNT + 3} RETURNING 1)
  SELECT (SELECT fileid FROM f), (SELECT count(*) FROM e), (SELECT count(*) FROM d)`;
const UPDATE_FILE = `UPDATE files SET (${DATA_COLUMNS}) = ROW(${params(1, DATA_COUNT)})
  WHERE fileid = $${DATA_COUNT + 1} AND generation = $${DATA_COUNT + 2}`;
const FILE_COLS_F = fileColumnsOf('f');
/** Records locked in ascending fileid order (LockRows above the sort), so lockers of a set never deadlock. */
const LOCK_FILES = `SELECT ${FILE_COLUMNS} FROM files WHERE fileid = ANY($1) ORDER BY fileid FOR NO KEY UPDATE`;
/** The row lockTree holds (made when the store is opened). */
const LOCK_TREE = "SELECT 1 FROM meta WHERE key = 'tree' FOR NO KEY UPDATE";
/** The store's statements, prepared under their keys as names. */
const Q = {
  file: `SELECT ${FILE_COLUMNS} FROM files WHERE fileid = $1`,
  entry: 'SELECT child_id FROM entries WHERE dir_id = $1 AND name = $2',
  folded: 'SELECT name FROM entries WHERE dir_id = $1 AND folded = $2 ORDER BY cookie LIMIT 1',
  page: `SELECT e.name, e.cookie, ${FILE_COLS_F} FROM entries e JOIN files f ON f.fileid = e.child_id
         WHERE e.dir_id = $1 AND e.cookie > $2 ORDER BY e.cookie LIMIT $3`,
  any: 'SELECT 1 FROM entries WHERE dir_id = $1 LIMIT 1',
  root: 'SELECT fileid FROM roots WHERE share = $1',
  // The directory (tagged 0) and the file of its entry (tagged 1), in one round trip.
  dirAndEntry: `SELECT 0, ${FILE_COLUMNS} FROM files WHERE fileid = $1
    UNION ALL SELECT 1, ${FILE_COLS_F} FROM entries e JOIN files f ON f.fileid = e.child_id
    WHERE e.dir_id = $1 AND e.name = $2`,
  insFile: INSERT_FILE,
  updFile: UPDATE_FILE,
  createEntry: CREATE_ENTRY,
  lock: LOCK_FILES,
  lockNowait: `${LOCK_FILES} NOWAIT`,
  tree: LOCK_TREE,
  treeNowait: `${LOCK_TREE} NOWAIT`,
  // The file's streams go with it; the count is of files.
  delFile: 'WITH s AS (DELETE FROM streams WHERE fileid = $1) DELETE FROM files WHERE fileid = $1',
  streams: 'SELECT name, length(data) FROM streams WHERE fileid = $1 ORDER BY seq',
  stream: 'SELECT name, data FROM streams WHERE fileid = $1 AND folded = $2',
  // A replaced stream keeps its stored name and its place in the listing.
  putStream: `INSERT INTO streams (fileid, folded, name, data) VALUES ($1, $2, $3, $4)
    ON CONFLICT (fileid, folded) DO UPDATE SET data = excluded.data`,
  delStream: 'DELETE FROM streams WHERE fileid = $1 AND folded = $2',
  insEntry: `INSERT INTO entries (dir_id, name, child_id, cookie, folded) VALUES ($1, $2, $3, nextval('cookie_seq'), $4)
    ON CONFLICT (dir_id, name) DO NOTHING RETURNING cookie`,
  delEntry: 'DELETE FROM entries WHERE dir_id = $1 AND name = $2',
  setRoot:
    'INSERT INTO roots (share, fileid) VALUES ($1, $2) ON CONFLICT (share) DO UPDATE SET fileid = excluded.fileid',
  stats:
    'SELECT (SELECT count(*) FROM files), (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace)',
} as const;
type Statement = keyof typeof Q;

type Runner = Pick<PoolClient, 'query'>;

/** Reads through a connection or the pool; rows as arrays (rows.ts). */
class Reads implements StoreReader {
  constructor(protected readonly db: Runner) {}

  protected async rows(name: Statement, values: unknown[]): Promise<unknown[][]> {
    return (await this.query(name, values)).rows as unknown[][];
  }

  protected async query(name: Statement, values: unknown[]): Promise<QueryResult> {
    try {
      const q: QueryConfig = { name, text: Q[name], values, rowMode: 'array' } as QueryConfig;
      return await this.db.query(q);
    } catch (err) {
      throw pgError(err);
    }
  }

  async getFile(fileid: number): Promise<FileRecord | undefined> {
    const [row] = await this.rows('file', [fileid]);
    return row === undefined ? undefined : rowRecord(row, 0);
  }

  async dirAndEntry(dirId: number, name: string): Promise<DirAndFile> {
    const found: DirAndFile = { dir: undefined, file: undefined };
    for (const row of await this.rows('dirAndEntry', [dirId, name]))
      found[row[0] === 0 ? 'dir' : 'file'] = rowRecord(row, 1);
    return found;
  }

  async lookup(dirId: number, name: string): Promise<number | undefined> {
    return (await this.rows('entry', [dirId, name]))[0]?.[0] as number | undefined;
  }

  async findCaseless(dirId: number, name: string): Promise<string | undefined> {
    return (await this.rows('folded', [dirId, foldName(name)]))[0]?.[0] as string | undefined;
  }

  async listDir(dirId: number, afterCookie: number, limit: number): Promise<StoredEntry[]> {
    const rows = await this.rows('page', [dirId, afterCookie, limit]);
    return rows.map((r) => ({ name: r[0] as string, cookie: r[1] as number, file: rowRecord(r, 2) }));
  }

  async hasEntries(dirId: number): Promise<boolean> {
    return (await this.rows('any', [dirId])).length > 0;
  }

  async getRoot(share: string): Promise<number | undefined> {
    return (await this.rows('root', [share]))[0]?.[0] as number | undefined;
  }

  async listStreams(fileid: number): Promise<StreamInfo[]> {
    return (await this.rows('streams', [fileid])).map((r) => ({ name: r[0] as string, size: r[1] as number }));
  }

  async getStream(fileid: number, name: string): Promise<NamedStream | undefined> {
    const [row] = await this.rows('stream', [fileid, foldName(name)]);
    return row && { name: row[0] as string, data: row[1] as Buffer };
  }
}

/** A new record's columns and its new generation (the sequence gives the fileid). */
function newFileParams(rec: FileRecord): unknown[] {
  rec.generation = newGeneration();
  const values = recordParams(rec);
  values.splice(DATA_COUNT, 1);
  return values;
}

/** One body of a group (group-commit.ts): its writes first call the group's hook. */
class PgTx extends Reads implements StoreTx {
  /** Files this body created minus those it deleted. */
  filesAdded = 0;

  constructor(private readonly slot: GroupSlot) {
    super(slot.db);
  }

  async createFile(rec: FileRecord): Promise<number> {
    const [row] = await this.write('insFile', newFileParams(rec));
    return this.created(rec, row![0] as number);
  }

  /** One round trip instead of three (the calls' errors in their order: EXISTS, then NOT_FOUND). */
  async createEntry(rec: FileRecord, name: string, dirAfter: FileRecord): Promise<number> {
    const values = newFileParams(rec);
    values.push(...recordParams(dirAfter), name, foldName(name));
    const [row] = await this.write('createEntry', values);
    const [fileid, entries, dirs] = row as number[];
    if (entries !== 1) throw new DittoError('EXISTS', name);
    if (dirs !== 1) throw new DittoError('NOT_FOUND', `no file ${dirAfter.attr.fileid}`);
    return this.created(rec, fileid!);
  }

  private created(rec: FileRecord, fileid: number): number {
    rec.attr.fileid = fileid;
    this.filesAdded++;
    return fileid;
  }

  async putFile(rec: FileRecord): Promise<void> {
    if ((await this.writeCount('updFile', recordParams(rec))) !== 1) {
      throw new DittoError('NOT_FOUND', `no file ${rec.attr.fileid}`);
    }
  }

  async deleteFile(fileid: number): Promise<void> {
    this.filesAdded -= await this.writeCount('delFile', [fileid]);
  }

  async addEntry(dirId: number, name: string, childId: number): Promise<number> {
    // ON CONFLICT instead of a failed insert: an error would abort the whole transaction.
    const [row] = await this.write('insEntry', [dirId, name, childId, foldName(name)]);
    if (row === undefined) throw new DittoError('EXISTS', name);
    return row[0] as number;
  }

  async removeEntry(dirId: number, name: string): Promise<void> {
    if ((await this.writeCount('delEntry', [dirId, name])) !== 1) throw new DittoError('NOT_FOUND', name);
  }

  async setRoot(share: string, fileid: number): Promise<void> {
    await this.write('setRoot', [share, fileid]);
  }

  async putStream(fileid: number, name: string, data: Buffer): Promise<void> {
    await this.write('putStream', [fileid, foldName(name), name, data]);
  }

  async deleteStream(fileid: number, name: string): Promise<boolean> {
    return (await this.writeCount('delStream', [fileid, foldName(name)])) === 1;
  }

  /** Waits for the rows only as its group's first locker (group-commit.ts); NOWAIT otherwise. */
  async lockFiles(ids: readonly number[]): Promise<Array<FileRecord | undefined>> {
    const rows = await this.write(this.slot.mayWait ? 'lock' : 'lockNowait', [ids]);
    const found = new Map(rows.map((r) => [r[0] as number, rowRecord(r, 0)]));
    return ids.map((id) => found.get(id));
  }

  async lockTree(): Promise<void> {
    await this.write(this.slot.mayWait ? 'tree' : 'treeNowait', []);
  }

  private async write(name: Statement, values: unknown[]): Promise<unknown[][]> {
    this.slot.beforeWrite();
    return this.rows(name, values);
  }

  private async writeCount(name: Statement, values: unknown[]): Promise<number> {
    this.slot.beforeWrite();
    return (await this.query(name, values)).rowCount ?? 0;
  }
}

export class PostgresMetadataStore extends Reads implements MetadataStore {
  private readonly groups: PgGroupCommit<PgTx>;
  /** The reads of the most frequent requests (GETATTR, LOOKUP), coalesced. */
  private readonly batched: ReadBatcher;
  private closed = false;
  private stats: { at: number; files: number; bytes: number } | undefined;
  /** Reachability and connection use of the pool, for health checks and the cluster view. */
  readonly poolHealth: PoolHealth;
  /** Byte-range locks every instance on this store sees (range-locks.ts). */
  readonly sharedLocks: PgRangeLocks;

  private constructor(
    private readonly pool: pg.Pool,
    readonly epoch: number,
    /** Directory changes between the instances on this store (change-bus.ts). */
    readonly changeBus: PgChangeBus,
  ) {
    super(pool);
    this.poolHealth = new PoolHealth(pool);
    this.sharedLocks = new PgRangeLocks(pool);
    this.batched = new ReadBatcher(pool);
    this.groups = new PgGroupCommit(
      pool,
      (slot) => new PgTx(slot),
      (txs) => {
        // This instance's own files count at once; others' within the TTL.
        if (this.stats !== undefined) for (const tx of txs) this.stats.files += tx.filesAdded;
      },
    );
  }

  /** Connects, creates the schema if needed and migrates it; `name` picks the default schema. */
  static async open(options: Record<string, unknown>, name: string): Promise<PostgresMetadataStore> {
    const config = parseStoreConfig(options);
    const schema = config.schema ?? defaultSchema(name);
    const { pool, initial } = await openSchema(
      config,
      schema,
      MIGRATIONS,
      'metadata',
      async (client) => {
        // The epoch, and the row lockTree locks.
        await client.query(
          `INSERT INTO meta (key, value) VALUES ('epoch', $1), ('tree', 0) ON CONFLICT (key) DO NOTHING`,
          [randomBytes(4).readUInt32BE(0)],
        );
        return (await client.query<{ value: number }>(`SELECT value FROM meta WHERE key = 'epoch'`)).rows[0]!.value;
      },
      true, // a body's SAVEPOINT goes out with its first write (group-commit.ts)
    );
    const { default: driver } = await import('pg');
    // The listening connection: its own client, kept alive (TCP keepalive) to notice a lost server.
    const listenerConfig = { ...poolConfig(config, schema, driver.types), keepAlive: true };
    const bus = new PgChangeBus(pool, () => new driver.Client(listenerConfig), changeChannel(schema));
    const store = new PostgresMetadataStore(pool, initial, bus);
    await Promise.all([store.sharedLocks.renew(), bus.connect()]);
    return store;
  }

  override getFile(fileid: number): Promise<FileRecord | undefined> {
    return this.batched.getFile(fileid);
  }

  override dirAndEntry(dirId: number, name: string): Promise<DirAndFile> {
    return this.batched.dirAndEntry(dirId, name);
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new DittoError('IO', 'metadata store is closed'));
    return this.groups.run(fn);
  }

  async fileCount(): Promise<number> {
    return (await this.cachedStats()).files;
  }

  async space(): Promise<StoreSpace> {
    const used = (await this.cachedStats()).bytes;
    const free = Math.max(0, NOMINAL_CAPACITY - used);
    return { totalBytes: NOMINAL_CAPACITY, freeBytes: free, availBytes: free };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.groups.idle();
    await this.changeBus.close();
    await this.sharedLocks.close();
    await this.pool.end();
  }

  private async cachedStats(): Promise<{ files: number; bytes: number }> {
    if (this.stats !== undefined && Date.now() - this.stats.at < STATS_TTL_MS) return this.stats;
    const [row] = await this.rows('stats', []);
    this.stats = { at: Date.now(), files: row![0] as number, bytes: row![1] as number };
    return this.stats;
  }
}
