/**
 * The metadata model shared by MetadataService, its stores and the protocol handlers.
 * Protocol code depends on `MetadataOps` only, never on a store.
 */
import type { Cred } from './identity.ts';
import type { ChangeFeed } from './change-feed.ts';
import type { DirPath } from './dir-path.ts';
import type { ByteRangeLocks } from './locks/byte-range-locks.ts';
import type { NamedStream, StreamInfo, TxOptions } from './store.ts';
import type { StreamChange } from './streams.ts';

/** Object types; the numbers are NFSv3 ftype3 (RFC 1813 §2.6) so codecs need no table. */
export enum FileType {
  Regular = 1,
  Directory = 2,
  BlockDevice = 3,
  CharDevice = 4,
  Symlink = 5,
  Socket = 6,
  Fifo = 7,
}

/**
 * The DOS attributes (MS-FSCC §2.6) FileAttr.dosAttributes keeps. SPARSE_FILE changes only
 * through SetAttrs.sparse (FSCTL_SET_SPARSE, MS-FSA §2.1.5.10.29), never with the others.
 */
export const DosAttr = { READONLY: 0x1, HIDDEN: 0x2, SYSTEM: 0x4, ARCHIVE: 0x20, SPARSE_FILE: 0x200 } as const;
/** The bits SetAttrs.dosAttributes (SMB CREATE and FileBasicInformation) may set. */
export const DOS_ATTR_MASK = DosAttr.READONLY | DosAttr.HIDDEN | DosAttr.SYSTEM | DosAttr.ARCHIVE;

export interface Timespec {
  sec: number;
  nsec: number;
}

export interface FileAttr {
  type: FileType;
  /** Permission bits incl. setuid/setgid/sticky (07777), without the type bits. */
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  /** Bytes actually allocated (reported as `used`). */
  used: number;
  rdev: { major: number; minor: number };
  /** Unique and stable within the share's store (NFS fileid3, SMB file index). */
  fileid: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  /** Birth time (SMB creation time). */
  btime: Timespec;
  /** Key of the content in the PayloadService; empty for non-regular files. */
  payloadId: string;
  /**
   * DOS attributes clients set over SMB (MS-FSCC §2.6: READONLY, HIDDEN, SYSTEM, ARCHIVE,
   * SPARSE_FILE). A file's READONLY is its mode's write bits instead (applySetAttrs), so NFS
   * sees it too.
   */
  dosAttributes: number;
}

/** Opaque, at most 64 bytes (NFS3_FHSIZE), encodes the share. */
export type FileHandle = Buffer;

/** Who is calling, as the protocol authenticated them (before squash). */
export interface AuthContext {
  uid: number;
  gid: number;
  /** Supplementary groups. */
  gids: number[];
  /** Client address, for export rules and mount records. */
  clientAddr: string;
}

/** Attributes a caller may set; absent fields stay unchanged. */
export interface SetAttrs {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  /** 'server' sets the server's current time. */
  atime?: Timespec | 'server';
  mtime?: Timespec | 'server';
  /** Birth (creation) time, as SMB clients set it; explicit times need ownership. */
  btime?: Timespec;
  /** An explicit change time (SMB ChangeTime) in place of the time of this change; as owner. */
  ctime?: Timespec;
  /** DOS attributes (DosAttr bits); owner or write permission. READONLY of a file sets the mode. */
  dosAttributes?: number;
  /** Sets or clears DosAttr.SPARSE_FILE of a regular file (FSCTL_SET_SPARSE); as dosAttributes. */
  sparse?: boolean;
}

/** Weak cache consistency data (RFC 1813 §2.6 wcc_data): attributes before and after. */
export interface Wcc {
  before: Pick<FileAttr, 'size' | 'mtime' | 'ctime'> | undefined;
  after: FileAttr | undefined;
}

export interface Entry {
  handle: FileHandle;
  attr: FileAttr;
}

export interface DirEntry {
  name: string;
  fileid: number;
  /** Resume after this entry by passing this cookie back. Never 0. */
  cookie: number;
  handle: FileHandle;
  attr: FileAttr;
}

export interface DirPage {
  entries: DirEntry[];
  eof: boolean;
  /** Changes whenever the directory's listing would no longer resume correctly. */
  verifier: Buffer;
  dirAttr: FileAttr;
}

/**
 * `caseless`: a name equal to an existing one under foldName (store.ts) counts as existing, as
 * SMB's case-insensitive names need; checked under the directory's lock, so that two creates of
 * "A" and "a" racing make one file. `replaceCaseVariant` (rename only, with `caseless`): such an
 * entry is the target the rename replaces, and the new entry keeps the spelling asked for.
 */
export interface NewNameOptions {
  caseless?: boolean;
  replaceCaseVariant?: boolean;
}

export type CreateMode =
  | { kind: 'unchecked' }
  | ({ kind: 'guarded' } & NewNameOptions)
  /** RFC 1813 §3.3.8: a retransmitted EXCLUSIVE create with the same verifier succeeds. */
  | { kind: 'exclusive'; verifier: Buffer };

/** Access bits of NFSv3 ACCESS (RFC 1813 §3.3.4). */
export const ACCESS = {
  READ: 0x01,
  LOOKUP: 0x02,
  MODIFY: 0x04,
  EXTEND: 0x08,
  DELETE: 0x10,
  EXECUTE: 0x20,
} as const;

export interface FsStat {
  totalBytes: number;
  freeBytes: number;
  availBytes: number;
  totalFiles: number;
  freeFiles: number;
  availFiles: number;
}

export type Squash = 'none' | 'root_to_guest' | 'all_to_guest';

/** What a caller may do on a share by its grants: nothing, read, or read and write. */
export type ShareAccess = 'none' | 'read' | 'write';

/** How a share is exported; changed live by the runtime. */
export interface ShareExportOptions {
  readOnly: boolean;
  squash: Squash;
  anonUid: number;
  anonGid: number;
  /**
   * The share's grants for a caller after squash: 'none' refuses every operation on the
   * share (ACCESS_DENIED), 'read' every modification (READ_ONLY). Called on every
   * operation, so it must be a cheap in-memory lookup (the runtime keeps a table by uid).
   */
  access: (caller: Cred) => ShareAccess;
}

/**
 * How `persistWrites` stores a file's unstable writes. 'durable' (NFS COMMIT): on stable
 * storage when it resolves. 'flush' (SMB FLUSH): so is everything committed lazily before,
 * such as the file's creation. 'lazy' (SMB CLOSE, which promises no durability): stored at
 * once, durable moments later (TxOptions.lazy).
 */
export type PersistMode = 'durable' | 'flush' | 'lazy';

/**
 * The metadata operations protocol handlers may call. Every call that takes an
 * AuthContext checks the share's access for the caller (after squash) first; every
 * mutating call also checks Unix permissions and the share's read-only flag, and returns
 * wcc data for the directories it changed. Failures are `DittoError`s from src/shared/errors.ts.
 * Returned `FileAttr` objects may be shared with the store: treat them as read-only.
 */
export interface MetadataOps {
  /** The byte-range locks all protocols share: a lock taken over one conflicts with the others. */
  readonly locks: ByteRangeLocks;
  /** Entries added, removed and renamed in directories, whichever protocol made the change. */
  readonly changes: ChangeFeed;
  /** The key `changes` reports a directory's changes under. */
  changeKey(dir: FileHandle): string;
  /** The keys and names from the share root down to the directory `dir`, read without permission checks. */
  dirPath(dir: FileHandle): Promise<DirPath>;
  /** Root handle of a share; throws NOT_FOUND for an unknown or disabled share. */
  rootHandle(share: string): Promise<FileHandle>;
  /** Share name a handle belongs to; throws BAD_HANDLE / STALE_HANDLE. */
  shareOf(handle: FileHandle): string;
  getAttr(auth: AuthContext, handle: FileHandle): Promise<FileAttr>;
  /** `guardCtime`: RFC 1813 §3.3.2 sattrguard3; mismatch throws NOT_SYNC. */
  setAttr(auth: AuthContext, handle: FileHandle, attrs: SetAttrs, guardCtime?: Timespec): Promise<Wcc>;
  lookup(auth: AuthContext, dir: FileHandle, name: string): Promise<Entry & { dirAttr: FileAttr }>;
  /** `lookup` of the entry whose name equals `name` ignoring case (SMB), with its stored name; undefined when none. */
  lookupCaseless(auth: AuthContext, dir: FileHandle, name: string): Promise<(Entry & { name: string }) | undefined>;
  /** Returns the subset of `requested` ACCESS bits the caller holds. */
  access(auth: AuthContext, handle: FileHandle, requested: number): Promise<{ granted: number; attr: FileAttr }>;
  readLink(auth: AuthContext, handle: FileHandle): Promise<{ target: string; attr: FileAttr }>;
  create(
    auth: AuthContext,
    dir: FileHandle,
    name: string,
    attrs: SetAttrs,
    mode: CreateMode,
    /** `lazy`: answered once committed, durable moments later (store.ts TxOptions; SMB). */
    opts?: TxOptions,
  ): Promise<Entry & { dirWcc: Wcc }>;
  mkdir(
    auth: AuthContext,
    dir: FileHandle,
    name: string,
    attrs: SetAttrs,
    names?: NewNameOptions,
  ): Promise<Entry & { dirWcc: Wcc }>;
  symlink(
    auth: AuthContext,
    dir: FileHandle,
    name: string,
    target: string,
    attrs: SetAttrs,
  ): Promise<Entry & { dirWcc: Wcc }>;
  mknod(
    auth: AuthContext,
    dir: FileHandle,
    name: string,
    type: FileType,
    attrs: SetAttrs,
    rdev: { major: number; minor: number },
  ): Promise<Entry & { dirWcc: Wcc }>;
  /**
   * Removes a non-directory. `freed`: its last name went and nothing holds it open, so its
   * payload is the caller's to delete; a held file is kept, nameless, until `release`.
   */
  remove(
    auth: AuthContext,
    dir: FileHandle,
    name: string,
  ): Promise<{ dirWcc: Wcc; removed: FileAttr; freed: FileAttr | undefined }>;
  rmdir(auth: AuthContext, dir: FileHandle, name: string): Promise<{ dirWcc: Wcc }>;
  /**
   * Atomic; replaces an existing compatible target (`freed`: it is gone for good, delete its
   * payload; as `remove`).
   * With `names.caseless`, another file under a name differing from `toName` in case only is EXISTS
   * (with `names.replaceCaseVariant` too: replaced, `toName`'s spelling kept).
   */
  rename(
    auth: AuthContext,
    fromDir: FileHandle,
    fromName: string,
    toDir: FileHandle,
    toName: string,
    names?: NewNameOptions,
  ): Promise<{ fromWcc: Wcc; toWcc: Wcc; replaced: FileAttr | undefined; freed?: FileAttr }>;
  /**
   * Keeps the file alive while open (open-holds.ts): a removal of its last name leaves its
   * record and content, reachable through its handle only, until the last `release`.
   */
  hold(file: FileHandle): void;
  /** Ends one `hold`; the file when it had no name left and is now deleted: its payload is the caller's to delete. */
  release(file: FileHandle): Promise<FileAttr | undefined>;
  link(auth: AuthContext, file: FileHandle, dir: FileHandle, name: string): Promise<{ attr: FileAttr; dirWcc: Wcc }>;
  /**
   * Stable cookies: entries are listed in a fixed order; a cookie from an earlier page
   * resumes after that entry as long as the verifier matches (else BAD_COOKIE).
   * `maxEntries` bounds the page; cookie 0 starts at the beginning ('.' and '..' are not listed).
   */
  readDir(
    auth: AuthContext,
    dir: FileHandle,
    cookie: number,
    verifier: Buffer | undefined,
    maxEntries: number,
  ): Promise<DirPage>;
  /** Checks read permission; returns current attributes (for size clipping). */
  prepareRead(auth: AuthContext, handle: FileHandle): Promise<FileAttr>;
  /** Checks write permission and read-only; returns attributes before the write. */
  prepareWrite(auth: AuthContext, handle: FileHandle): Promise<FileAttr>;
  /**
   * After payload bytes [offset, end) were written: grow size, set mtime/ctime. Stable
   * (the default): stored durably before it resolves. Unstable: kept in memory, visible
   * to every attribute read at once, stored by `persistWrites` (or shutdown).
   */
  commitWrite(auth: AuthContext, handle: FileHandle, end: number, stable?: boolean): Promise<Wcc>;
  /** Stores the file's unstable writes (PersistMode); returns its attributes. */
  persistWrites(auth: AuthContext, handle: FileHandle, mode?: PersistMode): Promise<FileAttr>;
  fsStat(auth: AuthContext, handle: FileHandle): Promise<FsStat>;
  /** Named streams of files (SMB alternate data streams; streams.ts). */
  readonly streams: StreamOps;
}

/** Named streams of files (SMB alternate data streams; metadata/streams.ts). */
export interface StreamOps {
  /** Whether the share of `handle` keeps named streams. */
  supported(handle: FileHandle): boolean;
  /** The file's named streams, name and size; NOT_SUPPORTED on a store without them. */
  list(auth: AuthContext, handle: FileHandle): Promise<StreamInfo[]>;
  /** The stream named `name` (any case), its stored name and content; undefined when none. */
  read(auth: AuthContext, handle: FileHandle, name: string): Promise<NamedStream | undefined>;
  /** Writes into, resizes or creates the stream; its size after. */
  update(auth: AuthContext, handle: FileHandle, name: string, change: StreamChange, opts?: TxOptions): Promise<number>;
  /** Removes the stream; false when there was none. */
  remove(auth: AuthContext, handle: FileHandle, name: string): Promise<boolean>;
  /** Removes every stream of the file. */
  removeAll(auth: AuthContext, handle: FileHandle): Promise<void>;
  /** Renames a stream (only an empty one is replaced). */
  rename(auth: AuthContext, handle: FileHandle, from: string, to: string, replace: boolean): Promise<void>;
}
