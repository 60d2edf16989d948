/**
 * PayloadService: file content by share + payloadId. It routes each share to its block
 * store, validates arguments and orders operations per payload. A share whose store has a
 * journal (slice cache + write log, cache/journal.ts) writes through it, and COMMIT costs
 * one shared log fsync; the bytes reach the blocks through the write-back cache
 * (write-back.ts). A share that keeps its content in its own files (a folder share) is
 * served by its DirectContent instead, after the same argument checks.
 */
import type { Durability } from '../../shared/api/schemas.ts';
import { DittoError } from '../../shared/errors.ts';
import type { Journal } from '../cache/journal.ts';
import type { PayloadIo } from '../cache/payload-io.ts';
import { SliceCache } from '../cache/slices.ts';
import { assertByteRange } from './blockstore.ts';
import type { BlockStore } from './blockstore.ts';
import { payloadPrefix } from './layout.ts';
import type { DirectContent, PayloadOps } from './types.ts';
import { PayloadState, WriteBackCache } from './write-back.ts';
import type { WriteBackStats } from './write-back.ts';

export interface PayloadServiceOptions {
  /** Memory for buffered dirty blocks, across all shares; at least one 4 MiB block. */
  dirtyLimitBytes?: number;
  /** Memory for the slice cache of journaled stores, across all shares. */
  sliceCacheBytes?: number;
}

export const DEFAULT_DIRTY_LIMIT_BYTES = 64 * 1024 * 1024;
export const DEFAULT_SLICE_CACHE_BYTES = 64 * 1024 * 1024;

interface ShareEntry {
  store: BlockStore;
  payloads: Map<string, PayloadState>;
  journal: Journal | undefined;
  durability: Durability;
}

export class PayloadService implements PayloadOps {
  private readonly shares = new Map<string, ShareEntry>();
  private readonly direct = new Map<string, DirectContent>();
  /** Background deletions by share (release), waited for before the share goes. */
  private readonly releasing = new Map<string, Set<Promise<void>>>();
  private readonly cache: WriteBackCache;
  /** Memory of every journal's slices (one bound for the process). */
  readonly slices: SliceCache;

  constructor(options: PayloadServiceOptions = {}) {
    this.cache = new WriteBackCache(options.dirtyLimitBytes ?? DEFAULT_DIRTY_LIMIT_BYTES);
    this.slices = new SliceCache(options.sliceCacheBytes ?? DEFAULT_SLICE_CACHE_BYTES);
  }

  /**
   * With a journal (opened on `store`, sharing `slices`), writes go through it. With
   * durability 'remote', a flush returns once the payload is in the store itself (S3).
   */
  registerShare(share: string, store: BlockStore, journal?: Journal, durability: Durability = 'local'): void {
    this.checkFree(share);
    // Shares on one store share its payloads' states: a payload is ordered the same whichever
    // share reaches it (a file the journal recovered is carved through the first one bound).
    const payloads = this.entryOn(store)?.payloads ?? new Map<string, PayloadState>();
    this.shares.set(share, { store, payloads, journal, durability });
    journal?.bind(share, (name, payloadId, op) =>
      this.withPayload(name, payloadId, (s) => s.lock.shared(() => op(this.io(s)))),
    );
  }

  /** A changed share setting, applied to the next flush. */
  setDurability(share: string, durability: Durability): void {
    const entry = this.shares.get(share);
    if (entry !== undefined) entry.durability = durability;
  }

  /** Whether other dfs instances serve the share's store too: then a close flushes what it wrote. */
  sharedByInstances(share: string): boolean {
    return this.shares.get(share)?.store.sharedByInstances === true;
  }

  /** Serves the share's content from `content` (its owner opens and closes it). */
  registerDirectShare(share: string, content: DirectContent): void {
    this.checkFree(share);
    this.direct.set(share, content);
  }

  /**
   * Forgets the share at once (it can be registered again right away), then writes back what
   * it had dirty. Await it: it rejects if that write-back failed, and the unwritten content
   * is dropped, since nothing can reach it any more.
   */
  async unregisterShare(share: string): Promise<void> {
    await Promise.allSettled(this.releasing.get(share) ?? []);
    this.direct.delete(share);
    const entry = this.shares.get(share);
    if (entry === undefined) return;
    // Carved while the share can still lend its payloads to the journal.
    await entry.journal?.drain();
    this.shares.delete(share);
    if (this.entryOn(entry.store) !== undefined) return; // another share on the store goes on with them
    const states = [...entry.payloads.values()];
    const flushed = await Promise.allSettled(states.map((s) => this.cache.flush(s)));
    await Promise.all(states.map((s) => this.cache.drop(s)));
    for (const result of flushed) if (result.status === 'rejected') throw result.reason;
  }

  /** Flushes and unregisters every share; the stores stay open (their owner closes them). */
  async close(): Promise<void> {
    this.direct.clear();
    await Promise.all(Array.from(this.shares.keys(), (share) => this.unregisterShare(share)));
  }

  stats(): WriteBackStats {
    return this.cache.stats();
  }

  async readAt(share: string, payloadId: string, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    checkRange(offset, length);
    if (into !== undefined && into.length < length) throw new DittoError('INVALID_ARGUMENT', 'read buffer too small');
    const direct = this.direct.get(share);
    if (direct !== undefined) return direct.readAt(payloadId, offset, length, into);
    return this.withPayload(share, payloadId, (s, journal) =>
      s.lock.shared(() =>
        journal === undefined
          ? this.cache.read(s, offset, length, into)
          : journal.read(payloadId, this.io(s), offset, length, into),
      ),
    );
  }

  async writeAt(share: string, payloadId: string, data: Buffer, offset: number): Promise<void> {
    checkRange(offset, data.length);
    const direct = this.direct.get(share);
    if (direct !== undefined) return direct.writeAt(payloadId, data, offset);
    return this.withPayload(share, payloadId, (s, journal) =>
      s.lock.shared(() =>
        journal === undefined
          ? this.cache.write(s, data, offset)
          : journal.write(share, payloadId, this.io(s), data, offset),
      ),
    );
  }

  async truncate(share: string, payloadId: string, size: number): Promise<void> {
    checkRange(size, 0);
    const direct = this.direct.get(share);
    if (direct !== undefined) return direct.truncate(payloadId, size);
    return this.withPayload(share, payloadId, (s, journal) =>
      s.lock.exclusive(async () => {
        if (journal !== undefined) return journal.truncate(share, payloadId, this.io(s), size);
        // Durable when answered, as through a journal: the cut may be in buffered blocks only.
        await this.cache.truncate(s, size);
        await this.cache.flush(s);
      }),
    );
  }

  async flush(share: string, payloadId: string): Promise<void> {
    const direct = this.direct.get(share);
    if (direct !== undefined) return direct.flush(payloadId);
    await this.withPayload(share, payloadId, (s, journal) =>
      s.lock.shared(() => (journal === undefined ? this.cache.flush(s) : journal.flush(payloadId, this.io(s)))),
    );
    const entry = this.shares.get(share);
    if (entry?.durability === 'remote') await this.persistRemote(entry, payloadId);
  }

  /**
   * Durability 'remote': the journal's slices carved into blocks (outside the payload lock:
   * the carve takes it itself), the blocks made durable in the store, then, for a store
   * that stages them (S3 behind the offloader), uploaded.
   */
  private async persistRemote(entry: ShareEntry, payloadId: string): Promise<void> {
    await entry.journal?.drain();
    const prefix = payloadPrefix(payloadId);
    await entry.store.sync(prefix);
    await entry.store.persisted?.(prefix);
  }

  async delete(share: string, payloadId: string): Promise<void> {
    const direct = this.direct.get(share);
    if (direct !== undefined) return direct.delete(payloadId);
    return this.withPayload(share, payloadId, (s, journal) =>
      s.lock.exclusive(() =>
        journal === undefined ? this.cache.truncate(s, 0) : journal.delete(share, payloadId, this.io(s)),
      ),
    );
  }

  /**
   * Only a folder share's filesystem can share blocks between files (reflink): the block
   * stores key blocks by payload and position, and a clone through the slice cache and the
   * WAL would be a copy by another name (COPY does that).
   */
  async cloneWhole(share: string, srcPayloadId: string, dstPayloadId: string): Promise<boolean> {
    const direct = this.direct.get(share);
    return direct?.cloneWhole ? direct.cloneWhole(srcPayloadId, dstPayloadId) : false;
  }

  release(share: string, payloadId: string): Promise<void> {
    let pending = this.releasing.get(share);
    if (pending === undefined) this.releasing.set(share, (pending = new Set()));
    const set = pending;
    const done: Promise<void> = this.delete(share, payloadId).finally(() => {
      set.delete(done);
      if (set.size === 0 && this.releasing.get(share) === set) this.releasing.delete(share);
    });
    set.add(done);
    return done;
  }

  private checkFree(share: string): void {
    if (this.shares.has(share) || this.direct.has(share)) {
      throw new DittoError('EXISTS', `share ${share} already has its content registered`);
    }
  }

  private entryOn(store: BlockStore): ShareEntry | undefined {
    for (const entry of this.shares.values()) if (entry.store === store) return entry;
    return undefined;
  }

  /** A payload's block path, for its journal. */
  private io(s: PayloadState): PayloadIo {
    return {
      read: (offset, length, into) => this.cache.read(s, offset, length, into),
      write: (data, offset) => this.cache.write(s, data, offset),
      writeBack: () => this.cache.writeBackAll(s),
      flush: () => this.cache.flush(s),
      truncate: (size) => this.cache.truncate(s, size),
      inPlace: (offset, length) => this.cache.inPlace(s, offset, length),
    };
  }

  private async withPayload<T>(
    share: string,
    payloadId: string,
    op: (s: PayloadState, journal: Journal | undefined) => Promise<T>,
  ): Promise<T> {
    const entry = this.shares.get(share);
    if (entry === undefined) throw new DittoError('STALE_HANDLE', `no block store for share ${share}`);
    let s = entry.payloads.get(payloadId);
    if (s === undefined) {
      const created = new PayloadState(entry.store, payloadPrefix(payloadId), () => {
        if (entry.payloads.get(payloadId) === created) entry.payloads.delete(payloadId);
      });
      entry.payloads.set(payloadId, (s = created));
    }
    s.users++;
    try {
      return await op(s, entry.journal);
    } finally {
      s.users--;
      s.forgetIfIdle();
    }
  }
}

function checkRange(offset: number, length: number): void {
  assertByteRange(offset, length);
  if (offset + length > Number.MAX_SAFE_INTEGER) throw new DittoError('FILE_TOO_LARGE');
}
