/**
 * The metadata store contract: plain CRUD over file records and directory entries, with
 * no permission or POSIX logic (that lives in MetadataService). Every method is async so
 * a networked store (PostgreSQL) fits the same contract.
 *
 * One named store holds the namespaces of several shares; each share has a root directory
 * recorded under the share's name. Records are keyed by a numeric fileid that is unique in
 * the store and never reused, so a handle of a deleted file can never resolve to a new one.
 *
 * Records handed out are shared snapshots: callers must not mutate them, and `putFile` /
 * `createFile` take ownership of the record passed in. Updates build a new record.
 */
import type { ChangeBus } from './change-bus.ts';
import type { SharedLockTable } from './locks/shared-locks.ts';
import type { FileAttr } from './types.ts';

export interface FileRecord {
  attr: FileAttr;
  /** Fileid of the share root this file belongs to (its namespace); never changes. */
  root: number;
  /** For directories the containing directory (for '..'); a share root names itself; 0 otherwise. */
  parent: number;
  /**
   * Random, set by `createFile` and never changed: handles carry it with the fileid, so a
   * handle cannot be built from a fileid alone (handles.ts).
   */
  generation: number;
  /** Symlink target; empty for other types. */
  target: string;
  /** Verifier of the EXCLUSIVE create that made the file (RFC 1813 §3.3.8). */
  verifier: Buffer | undefined;
}

export interface StoredEntry {
  name: string;
  /** Per-store increasing sequence assigned when the entry was added; never 0. */
  cookie: number;
  file: FileRecord;
}

export interface StoreReader {
  getFile(fileid: number): Promise<FileRecord | undefined>;
  /** Fileid the entry `name` of directory `dirId` points to. */
  lookup(dirId: number, name: string): Promise<number | undefined>;
  /**
   * The stored name of an entry of `dirId` equal to `name` under `foldName` (SMB's
   * case-insensitive names), the earliest added when several match; undefined when none.
   * Answered from an index where the store has one: it runs for every new name an SMB
   * client creates, so a scan would make filling a directory quadratic.
   */
  findCaseless(dirId: number, name: string): Promise<string | undefined>;
  /**
   * Up to `limit` entries of `dirId` with a cookie greater than `afterCookie`, in cookie
   * order. Cookies only grow, so resuming after a removed entry's cookie still works.
   */
  listDir(dirId: number, afterCookie: number, limit: number): Promise<StoredEntry[]>;
  hasEntries(dirId: number): Promise<boolean>;
  /** `dirId`'s record and that of the file its entry `name` points to, read together. */
  dirAndEntry(dirId: number, name: string): Promise<DirAndFile>;
  /** Root directory fileid of a share namespace. */
  getRoot(share: string): Promise<number | undefined>;
  /**
   * Optional, with `getStream`, `putStream` and `deleteStream` (a store has all four or none):
   * the named streams of `fileid` (SMB alternate data streams, MS-FSCC §2.4.44), name and
   * size, in the order created. A store without them serves no streams (the SMB share does
   * not advertise FILE_NAMED_STREAMS).
   */
  listStreams?(fileid: number): Promise<StreamInfo[]>;
  /** The stream of `fileid` whose name equals `name` under `foldName`, with its stored name; undefined when none. */
  getStream?(fileid: number, name: string): Promise<NamedStream | undefined>;
}

/** A named stream's name as first stored and its size. */
export interface StreamInfo {
  name: string;
  size: number;
}

/** A named stream with its content (owned by the caller once handed out). */
export interface NamedStream {
  name: string;
  data: Buffer;
}

/**
 * Reads and writes inside one transaction; valid only until the body's promise settles.
 * Calls a body makes without awaiting the ones before run in the order made (a networked
 * store sends them together). A store whose transactions run concurrently (PostgreSQL,
 * shared by several dfs instances) may run a body again after a conflict: bodies change
 * nothing outside the transaction before it commits, or undo it when they run again.
 */
export interface StoreTx extends StoreReader {
  /**
   * Locks the records of `ids` (in ascending fileid order) until the transaction ends, and
   * answers them as last committed, in the order of `ids` (undefined: no such file). Bodies
   * lock what they will change before reading what decides the change: a directory before
   * its entries, the entry's file after its directory (docs/cluster.md). Stores that run
   * one transaction at a time only read.
   */
  lockFiles(ids: readonly number[]): Promise<Array<FileRecord | undefined>>;
  /**
   * Holds the store's tree lock until the transaction ends: changes whose checks span the
   * tree — a directory moving to another parent (its loop check), a share root created —
   * take it so they see each other's results, as Linux's s_vfs_rename_mutex. A no-op where
   * transactions run one at a time.
   */
  lockTree(): Promise<void>;
  /**
   * Assigns a fresh fileid into `rec.attr.fileid` and a new generation (`newGeneration()`)
   * into `rec.generation`, stores the record and returns the id.
   */
  createFile(rec: FileRecord): Promise<number>;
  /** Replaces an existing record (same fileid and generation; NOT_FOUND otherwise). */
  putFile(rec: FileRecord): Promise<void>;
  /** Deletes the record and its named streams. */
  deleteFile(fileid: number): Promise<void>;
  /** Adds `name` -> `childId` to `dirId`; throws DittoError EXISTS if the name is taken. Returns the cookie. */
  addEntry(dirId: number, name: string, childId: number): Promise<number>;
  /** Throws DittoError NOT_FOUND if absent. */
  removeEntry(dirId: number, name: string): Promise<void>;
  setRoot(share: string, fileid: number): Promise<void>;
  /**
   * Stores `data` as the stream `name` of `fileid` (the store takes the buffer), replacing a
   * stream whose name folds the same (keeping its stored name). Streams belong to the record:
   * `deleteFile` deletes them, renames and links leave them as they are.
   */
  putStream?(fileid: number, name: string, data: Buffer): Promise<void>;
  /** Removes the stream of `fileid` named `name` under `foldName`; false when there was none. */
  deleteStream?(fileid: number, name: string): Promise<boolean>;
  /**
   * Optional, for stores where each call costs a round trip: `createFile(rec)`,
   * `addEntry(dirAfter's fileid, name, new id)` and `putFile(dirAfter)` as one step, with
   * their results and errors; the new fileid. Callers use `createEntry` below.
   */
  createEntry?(rec: FileRecord, name: string, dirAfter: FileRecord): Promise<number>;
}

/**
 * The form two names share when they differ only in case: Unicode lower case, as SMB clients
 * compare names (Samba's default; MS-FSA leaves the table to the file system).
 */
export function foldName(name: string): string {
  return name.toLowerCase();
}

/** A new file `rec` under `name` in the directory whose new record is `dirAfter`; its fileid. */
export async function createEntry(tx: StoreTx, rec: FileRecord, name: string, dirAfter: FileRecord): Promise<number> {
  if (tx.createEntry !== undefined) return tx.createEntry(rec, name, dirAfter);
  const id = await tx.createFile(rec);
  await tx.addEntry(dirAfter.attr.fileid, name, id);
  await tx.putFile(dirAfter);
  return id;
}

export interface DirAndFile {
  dir: FileRecord | undefined;
  file: FileRecord | undefined;
}

/** lockFiles of a store that runs one transaction at a time: the records as they are. */
export function readFiles(reader: StoreReader, ids: readonly number[]): Promise<Array<FileRecord | undefined>> {
  return Promise.all(ids.map((id) => reader.getFile(id)));
}

/** dirAndEntry as successive reads, for stores where a read costs no round trip. */
export async function dirAndEntryReads(reader: StoreReader, dirId: number, name: string): Promise<DirAndFile> {
  const dir = await reader.getFile(dirId);
  const id = await reader.lookup(dirId, name);
  return { dir, file: id === undefined ? undefined : await reader.getFile(id) };
}

export interface StoreSpace {
  totalBytes: number;
  freeBytes: number;
  availBytes: number;
}

export interface TxOptions {
  /**
   * The caller may be answered once the change is committed (visible to every read), before
   * it is on stable storage, which follows within moments. For a protocol that promises no
   * durability (an SMB CREATE; its FLUSH does). A store that cannot tell stays durable.
   */
  lazy?: boolean;
}

export interface MetadataStore extends StoreReader {
  /** Random 32-bit value fixed for the store's lifetime (persisted by durable stores); handles carry it. */
  readonly epoch: number;
  /**
   * A store that several dfs instances may serve (PostgreSQL): the byte-range locks of its
   * files, seen by every instance (locks/shared-locks.ts).
   */
  readonly sharedLocks?: SharedLockTable;
  /** On such a store, how directory changes made through one instance reach the others (change-bus.ts). */
  readonly changeBus?: ChangeBus;
  /**
   * Runs `fn` atomically and serialised with every other transaction of this store object
   * (several store objects on one database, as dfs instances have, serialise only through
   * StoreTx.lockFiles and lockTree): when it throws, none of its writes persist. Durable stores resolve only once the change is on
   * stable storage. Bodies should await only `tx` calls (a store read may wait for the
   * transaction itself). Reads outside transactions see everything committed; a store may
   * also show writes of a transaction still running (the memory store does, SQLite not).
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>, opts?: TxOptions): Promise<T>;
  fileCount(): Promise<number>;
  /**
   * Optional: the records of non-directories with no name left (`nlink` 0), which
   * MetadataService keeps while an open holds them (open-holds.ts) and which outlive it only
   * when the process ends first. Answered from an index (read once per share at start). A store
   * without it never keeps such a record: a removal of the last link deletes it. A store several
   * dfs instances serve leaves it out, as an instance cannot tell another's holds from a crash.
   */
  orphans?(): Promise<FileRecord[]>;
  /** Capacity of the medium holding the store (for FSSTAT). */
  space(): Promise<StoreSpace>;
  /** Waits for queued transactions, then releases resources. */
  close(): Promise<void>;
}
