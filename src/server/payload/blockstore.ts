/**
 * The block store contract: whole blocks (at most one 4 MiB block each) by key. Memory,
 * filesystem and S3 stores implement it; `blockstoretest/` is the conformance suite.
 *
 * Keys are '/'-separated segments of [a-z0-9_-]: lower case only, so a case-insensitive
 * file system cannot merge two keys, and no dots, so no segment can be '.' or '..'.
 */
import { DittoError } from '../../shared/errors.ts';

export interface BlockStoreStats {
  blocks: number;
  bytes: number;
}

/** Bytes at an offset inside one block. */
export interface BlockRange {
  offset: number;
  data: Buffer;
}

export interface BlockStore {
  /**
   * Replaces the block under `key` atomically; `data` is not referenced once this resolves.
   * `sha256`, the hex SHA-256 of `data` if the caller knows it, saves a store that needs it
   * (S3 signs it) hashing the block again; other stores ignore it.
   */
  put(key: string, data: Buffer, sha256?: string): Promise<void>;
  /**
   * Optional: writes each range's bytes at its offset in the block, creating the block if
   * absent; bytes never written read as zeros and the rest of the block stays as it was.
   * Unlike put it is not atomic: until `sync`, a crash may leave any mix of old and new bytes
   * inside the ranges (never outside them). Patches of one key may run concurrently (where
   * their ranges overlap, either may win); the caller never runs one concurrently with a put
   * or delete of that key. `data` is not referenced once this resolves.
   */
  patch?(key: string, ranges: readonly BlockRange[]): Promise<void>;
  /**
   * Set by a store whose patch costs only the bytes written and which buffers writes itself
   * (the filesystem store: the OS page cache): the payload layer then sends every write
   * straight to patch instead of buffering it, and `sync` is what makes it durable.
   */
  readonly writeThrough?: boolean;
  /**
   * Optional, for a `writeThrough` store that knows its blocks without I/O: whether the block
   * under `key` exists. A small write into existing blocks can then go straight to them.
   */
  has?(key: string): Promise<boolean>;
  /**
   * Bytes [offset, offset + length) of the block, shorter where the block ends; undefined if
   * there is no block. The result may be the store's own memory: callers must not modify it.
   * A store that copies the bytes puts them in `into` (at least `length` bytes), if given.
   */
  get(key: string, offset?: number, length?: number, into?: Buffer): Promise<Buffer | undefined>;
  /** Removing an absent key is not an error. */
  delete(key: string): Promise<void>;
  /** Removes every key that starts with `prefix` (a plain string prefix). */
  deletePrefix(prefix: string): Promise<void>;
  /** Every key that starts with `prefix`, in no particular order. */
  list(prefix: string): AsyncIterable<string>;
  /**
   * Makes every completed put, patch and delete durable; with `prefix`, at least those of
   * the keys that start with it (a store may then leave the rest for a later sync).
   */
  sync(prefix?: string): Promise<void>;
  /**
   * A remote store only: resolves once its endpoint answers a cheap request (S3: HeadBucket)
   * within `timeoutMs`, else rejects saying why. Readiness (/health/ready) asks it.
   */
  ping?(timeoutMs: number): Promise<void>;
  /**
   * Optional hint that the block under `key` is complete: the store may start making it
   * durable now, in the background, so the next `sync` has less left to do (it still waits
   * for that work). Never fails; a failed attempt is retried by `sync`.
   */
  syncAhead?(key: string): void;
  /**
   * Optional, for a store that stages blocks on this computer before their final home (the
   * offloader in front of S3): resolves once every block under `prefix` that `sync` made
   * durable has reached that home; fails with IO when it cannot within the store's deadline.
   */
  persisted?(prefix: string): Promise<void>;
  /**
   * Set by a store that several dfs instances serve at once (its index is shared): a put is
   * in its final home when it returns, and writes are flushed at SMB CLOSE too, so that a
   * client opening the file through another instance reads them (close-to-open).
   */
  readonly sharedByInstances?: boolean;
  close(): Promise<void>;
  stats(): Promise<BlockStoreStats>;
}

/** Longest key segment: a file name on every platform, with room for a suffix. */
export const MAX_KEY_SEGMENT = 200;
const MAX_KEY_DEPTH = 16;

const SEGMENT = `[a-z0-9_-]{1,${MAX_KEY_SEGMENT}}`;
const KEY = new RegExp(`^${SEGMENT}(?:/${SEGMENT}){0,${MAX_KEY_DEPTH - 1}}$`);
/** Whole segments, each followed by '/', then possibly the start of one more. */
const PREFIX = new RegExp(`^(?:${SEGMENT}/){0,${MAX_KEY_DEPTH - 1}}[a-z0-9_-]{0,${MAX_KEY_SEGMENT}}$`);

function invalid(what: string, value: string): DittoError {
  return new DittoError('INVALID_ARGUMENT', `invalid block ${what}: ${JSON.stringify(value.slice(0, 80))}`);
}

export function assertValidKey(key: string): void {
  if (!KEY.test(key)) throw invalid('key', key);
}

export function assertValidPrefix(prefix: string): void {
  if (!PREFIX.test(prefix)) throw invalid('key prefix', prefix);
}

/** The first segment of a key or prefix: the group (a payload) whose keys stores keep together. */
export function firstSegment(keyOrPrefix: string): string {
  const slash = keyOrPrefix.indexOf('/');
  return slash < 0 ? keyOrPrefix : keyOrPrefix.slice(0, slash);
}

/** Offsets and lengths are non-negative safe integers. */
export function assertByteRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new DittoError('INVALID_ARGUMENT', `invalid byte range: offset ${offset}, length ${length}`);
  }
}
