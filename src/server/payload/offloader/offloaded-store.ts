/**
 * A block store offloaded to a remote one (S3): blocks land in a local disk cache (index in
 * SQLite, contents as files) and are uploaded eagerly by the upload queue, content-addressed
 * (`cas/<sha256>`, one object per distinct content; a partial block waits a few seconds, and
 * a version the writer replaced meanwhile is never uploaded). Reads are served from the cache; a
 * block only in S3 is fetched (before any upload starts), cached again, and sequential reads
 * fetch the next blocks ahead. Uploaded contents are evicted least recently used when the
 * cache passes its cap; when it is full of contents not yet uploaded (S3 unreachable),
 * writes fail with NO_SPACE. Reads of S3-only data fail with IO after `readTimeoutMs`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DittoError } from '../../../shared/errors.ts';
import { assertByteRange, assertValidKey, assertValidPrefix, firstSegment } from '../blockstore.ts';
import type { BlockStore, BlockStoreStats } from '../blockstore.ts';
import { BufferPool } from '../buffer-pool.ts';
import { BLOCK_SIZE, blockIndexOf, blockKey } from '../layout.ts';
import { CacheFiles } from './cache-files.ts';
import { contentHash } from './content-hash.ts';
import { withDeadline } from './deadline.ts';
import { collectGarbage, remoteKey, type GcReport } from './garbage.ts';
import { OffloadIndex } from './index-db.ts';
import { KeyedLock } from '../../../shared/keyed-lock.ts';
import { DEFAULT_READ_TIMEOUT_MS, fetchContent, rangeOf } from './remote-read.ts';
import { UploadQueue } from './upload-queue.ts';
import type { OffloadOptions, OffloadStats } from './offload-options.ts';

const MiB = 1024 * 1024;
const PARTIAL_UPLOAD_DELAY_MS = 5000;
const DEFAULT_PERSIST_TIMEOUT_MS = 20_000;
/** As many as uploads may run at once (the queue's maximum). */
const UPLOAD_BUFFERS = 16;

export class OffloadedBlockStore implements BlockStore {
  private readonly index: OffloadIndex;
  private readonly files: CacheFiles;
  private readonly queue: UploadQueue;
  private readonly lock = new KeyedLock();
  /** Buffers the uploads read contents into: no 4 MiB allocation (and its GC) per upload. */
  private readonly uploadBuffers = new BufferPool(BLOCK_SIZE, UPLOAD_BUFFERS);
  private readonly pins = new Map<string, number>();
  private readonly fetching = new Map<string, Promise<Buffer>>();
  private readonly lastRead = new Map<string, number>();
  private readonly used = new Map<string, number>();
  /** Puts not yet queued for upload (hashing, or writing the cache). */
  private readonly putting = new Set<Promise<void>>();
  /** Fetched contents being written to the cache. */
  private readonly caching = new Set<Promise<void>>();
  private cachedBytes: number;
  private full = false;
  private lastGc: GcReport | undefined;
  private readonly gcTimer: ReturnType<typeof setInterval> | undefined;

  private constructor(
    private readonly remote: BlockStore,
    dir: string,
    private readonly options: OffloadOptions,
  ) {
    mkdirSync(dir, { recursive: true });
    this.index = new OffloadIndex(path.join(dir, 'index.db'));
    this.files = new CacheFiles(path.join(dir, 'blocks'));
    this.cachedBytes = this.index.cachedBytes();
    const last = this.index.meta('lastGc');
    this.lastGc = last === undefined ? undefined : (JSON.parse(last) as GcReport);
    this.queue = new UploadQueue({
      upload: (hash) => this.upload(hash),
      onHealth: (err) => this.report(err),
    });
    const every = options.gcEveryMs ?? 0;
    if (every > 0) {
      this.gcTimer = setInterval(() => void this.gc(options.gcGraceMs ?? every).catch(() => undefined), every);
      this.gcTimer.unref();
    }
  }

  /** Opens the cache under `dir` and resumes the uploads a previous run left pending. */
  static open(remote: BlockStore, dir: string, options: OffloadOptions): OffloadedBlockStore {
    const store = new OffloadedBlockStore(remote, dir, options);
    for (const { hash, size } of store.index.pending()) store.queue.add(hash, size);
    return store;
  }

  async put(key: string, data: Buffer): Promise<void> {
    assertValidKey(key);
    this.queue.noteWrite();
    const putting = this.store(key, data);
    this.putting.add(putting);
    try {
      await putting;
    } finally {
      this.putting.delete(putting);
    }
  }

  /** Hashes (on a worker), caches and indexes a block, and queues its upload. */
  private async store(key: string, data: Buffer): Promise<void> {
    const hash = await contentHash(data);
    await this.lock.run(hash, async () => {
      const row = this.index.content(hash);
      if (row === undefined || row.cached === 0) {
        await this.makeRoom(data.length);
        this.cachedBytes += data.length;
        try {
          await this.files.write(hash, data);
        } catch (err) {
          this.cachedBytes -= data.length;
          throw err;
        }
        if (row !== undefined) this.index.setCached(hash, true, Date.now());
      }
      const { added } = this.index.setRef(key, hash, data.length, Date.now());
      // A content whose upload was skipped (unreferenced when its turn came) is queued again.
      if (added || (row?.uploaded === 0 && !this.queue.isQueued(hash))) {
        const partial = data.length < BLOCK_SIZE;
        this.queue.add(hash, data.length, partial ? (this.options.partialUploadDelayMs ?? PARTIAL_UPLOAD_DELAY_MS) : 0);
      }
    });
  }

  async get(key: string, offset = 0, length?: number, into?: Buffer): Promise<Buffer | undefined> {
    assertValidKey(key);
    assertByteRange(offset, length ?? 0);
    const hash = this.index.hashOf(key);
    if (hash === undefined) return undefined;
    this.prefetchAfter(key);
    this.pin(hash);
    try {
      const local = await this.files.read(hash, offset, length, into);
      if (local !== undefined) {
        this.used.set(hash, Date.now());
        return local;
      }
      return rangeOf(await this.fetch(hash, true), offset, length, into);
    } finally {
      this.unpin(hash);
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    this.index.deleteRef(key, Date.now());
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertValidPrefix(prefix);
    this.index.deleteRefsUnder(prefix, Date.now());
  }

  async *list(prefix: string): AsyncIterable<string> {
    assertValidPrefix(prefix);
    for (const r of this.index.refsUnder(prefix)) yield r.key;
  }

  async sync(): Promise<void> {
    await this.files.sync();
    this.index.makeDurable();
  }

  async ping(timeoutMs: number): Promise<void> {
    await this.remote.ping?.(timeoutMs);
  }

  async stats(): Promise<BlockStoreStats> {
    return this.index.totals().logical;
  }

  offloadStats(): OffloadStats {
    const { logical, stored } = this.index.totals();
    return {
      ...this.queue.stats(),
      cacheUsedBytes: this.cachedBytes,
      cacheCapBytes: this.options.capBytes,
      dedupSavedBytes: Math.max(0, logical.bytes - stored.bytes),
      storedBlocks: stored.blocks,
      storedBytes: stored.bytes,
      lastGc: this.lastGc,
    };
  }

  /**
   * Resolves once every content the keys under `prefix` reference is in S3 (durability
   * 'remote'); IO if uploads cannot finish within `persistTimeoutMs` (S3 unreachable), so a
   * COMMIT fails instead of acknowledging data that is only on this computer.
   */
  async persisted(prefix: string): Promise<void> {
    assertValidPrefix(prefix);
    const pending = new Set<string>();
    for (const { hash } of this.index.refsUnder(prefix)) {
      if (this.index.content(hash)?.uploaded === 0) pending.add(hash);
    }
    if (pending.size === 0) return;
    const timeoutMs = this.options.persistTimeoutMs ?? DEFAULT_PERSIST_TIMEOUT_MS;
    await withDeadline(Promise.all(Array.from(pending, (hash) => this.queue.uploaded(hash))), timeoutMs, () => {
      const why = this.queue.failing ? 'S3 is unreachable' : 'uploads are behind';
      return new DittoError('IO', `${pending.size} blocks are not in S3 after ${timeoutMs / 1000} s (${why})`);
    });
  }

  /** Resolves once every content is in S3. */
  async drain(): Promise<void> {
    // A put still hashing or writing the cache queues its upload when done: wait for it first.
    while (this.putting.size > 0) await Promise.allSettled(this.putting);
    await this.queue.drained();
  }

  /** Drops every uploaded content from the local cache (reads then come from S3). */
  async evictAll(): Promise<number> {
    await Promise.all(this.caching);
    return this.evict(Number.MAX_SAFE_INTEGER);
  }

  /** Mark and sweep (garbage.ts), with `graceMs` before an unreferenced content or stray object goes. */
  async gc(graceMs: number): Promise<GcReport> {
    this.lastGc = await collectGarbage(
      {
        remote: this.remote,
        index: this.index,
        files: this.files,
        locked: (hash, op) => this.lock.run(hash, op),
        busy: (hash) => this.queue.isQueued(hash) || this.pins.has(hash),
        uncached: (size) => (this.cachedBytes -= size),
      },
      graceMs,
    );
    this.index.setMeta('lastGc', JSON.stringify(this.lastGc));
    return this.lastGc;
  }

  async close(): Promise<void> {
    clearInterval(this.gcTimer);
    this.queue.close();
    this.flushUsed();
    this.index.close();
    await this.remote.close();
  }

  private async upload(hash: string): Promise<void> {
    await this.lock.run(hash, async () => {
      const row = this.index.content(hash);
      if (row === undefined || row.uploaded === 1) return;
      // Replaced before its turn (a partial block completed since): no object for it; GC
      // drops the local copy, and a key that takes this content again queues it again.
      if (!this.index.referenced(hash)) return;
      const into = row.size <= BLOCK_SIZE ? this.uploadBuffers.tryAcquire() : undefined;
      try {
        const data = await this.files.read(hash, 0, row.size, into);
        if (data === undefined) throw new DittoError('IO', `offload cache lost block ${hash} before its upload`);
        await this.remote.put(remoteKey(hash), data, hash);
      } finally {
        if (into !== undefined) this.uploadBuffers.release(into);
      }
      this.index.setUploaded(hash);
    });
    if (this.cachedBytes > this.options.capBytes) await this.evict(this.cachedBytes - this.options.capBytes);
  }

  /** Waits (uploads, then eviction) until `size` more bytes fit in the cache; NO_SPACE if they cannot. */
  private async makeRoom(size: number): Promise<void> {
    const deadline = Date.now() + (this.options.roomWaitMs ?? 30_000);
    for (;;) {
      const over = this.cachedBytes + size - this.options.capBytes;
      if (over <= 0) break;
      this.queue.expediteAll(); // room comes only from uploaded contents
      if ((await this.evict(over)) >= over) break;
      if (this.queue.failing || Date.now() > deadline) {
        this.full = true;
        this.report(new Error('the local cache is full of data not yet uploaded'));
        throw new DittoError(
          'NO_SPACE',
          `the offload cache (${Math.round(this.options.capBytes / MiB)} MiB) is full of data not yet in S3`,
        );
      }
      await this.queue.progress(1000);
    }
    if (this.full) {
      this.full = false;
      this.report(this.queue.failing ? new Error('S3 is unreachable') : undefined);
    }
  }

  /** Evicts uploaded contents, least recently used first, until `bytes` are freed (or none is left). */
  private async evict(bytes: number): Promise<number> {
    this.flushUsed();
    let freed = 0;
    while (freed < bytes) {
      const candidates = this.index.evictable().filter((c) => !this.pins.has(c.hash));
      if (candidates.length === 0) break;
      for (const c of candidates) {
        if (freed >= bytes) break;
        await this.lock.run(c.hash, async () => {
          const row = this.index.content(c.hash);
          if (row?.cached !== 1 || row.uploaded !== 1 || this.pins.has(c.hash)) return;
          this.index.setCached(c.hash, false, row.used);
          await this.files.remove(c.hash);
          this.cachedBytes -= row.size;
          freed += row.size;
        });
      }
    }
    return freed;
  }

  /** The whole content from S3 (one fetch per content at a time), cached again if it fits. */
  private fetch(hash: string, foreground: boolean): Promise<Buffer> {
    let p = this.fetching.get(hash);
    if (p === undefined) {
      const run = (): Promise<Buffer> => this.fetchRemote(hash);
      p = (foreground ? this.queue.foreground(run) : run()).finally(() => this.fetching.delete(hash));
      this.fetching.set(hash, p);
    }
    return p;
  }

  private async fetchRemote(hash: string): Promise<Buffer> {
    const data = await fetchContent(this.remote, hash, this.options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS);
    const copy = Buffer.from(data);
    const cached: Promise<void> = this.lock
      .run(hash, async () => {
        const row = this.index.content(hash);
        if (row === undefined || row.cached === 1) return;
        if (this.cachedBytes + copy.length > this.options.capBytes) {
          await this.evict(this.cachedBytes + copy.length - this.options.capBytes);
          if (this.cachedBytes + copy.length > this.options.capBytes) return;
        }
        this.cachedBytes += copy.length;
        await this.files.write(hash, copy);
        this.index.setCached(hash, true, Date.now());
      })
      .catch(() => undefined)
      .finally(() => this.caching.delete(cached));
    this.caching.add(cached);
    return copy;
  }

  /** After a read of block n that follows block n-1, fetches the next blocks not cached. */
  private prefetchAfter(key: string): void {
    const prefix = `${firstSegment(key)}/`;
    const n = blockIndexOf(prefix, key);
    if (n === undefined) return;
    const last = this.lastRead.get(prefix);
    this.lastRead.set(prefix, n);
    if (this.lastRead.size > 1024) this.lastRead.delete(this.lastRead.keys().next().value as string);
    if (last === undefined || (n !== last + 1 && n !== last)) return;
    for (let i = 1; i <= (this.options.prefetchBlocks ?? 4); i++) {
      const hash = this.index.hashOf(blockKey(prefix, n + i));
      if (hash === undefined) break;
      if (this.index.content(hash)?.cached === 0 && !this.fetching.has(hash)) {
        this.fetch(hash, false).catch(() => undefined);
      }
    }
  }

  private pin(hash: string): void {
    this.pins.set(hash, (this.pins.get(hash) ?? 0) + 1);
  }

  private unpin(hash: string): void {
    const n = (this.pins.get(hash) ?? 1) - 1;
    if (n === 0) this.pins.delete(hash);
    else this.pins.set(hash, n);
  }

  /** Records the reads since the last flush as LRU times (one write instead of one per read). */
  private flushUsed(): void {
    if (this.used.size === 0) return;
    this.index.touchAll(this.used);
    this.used.clear();
  }

  private report(err: Error | undefined): void {
    const { pendingBlocks, pendingBytes } = this.queue.stats();
    // Uploads go through again: the next write makes room by evicting what they uploaded.
    if (err === undefined) this.full = false;
    if (err === undefined) {
      this.options.onProblem?.(undefined);
      return;
    }
    const waiting = `${pendingBlocks} blocks (${Math.round(pendingBytes / MiB)} MiB) wait in the local cache`;
    this.options.onProblem?.(
      this.full
        ? {
            level: 'critical',
            message: `The offload cache is full of data not yet uploaded (${waiting}); writes are refused until S3 is back: ${err?.message ?? ''}`,
          }
        : {
            level: 'warning',
            message: `Uploads to S3 are failing and will be retried; ${waiting}: ${err?.message ?? ''}`,
          },
    );
  }
}
