/**
 * An S3 store that several dfs instances serve at once (docs/cluster.md, "Several
 * instances, one share"): blocks are content-addressed objects (`cas/<sha256>`) as behind
 * the offloader, but the block index is in PostgreSQL (block-index.ts), shared by every
 * instance, and a put returns only once its content is in S3 and the index points at it.
 * What a COMMIT, FILE_SYNC write or SMB FLUSH acknowledged through one instance is therefore
 * what every other instance reads, and an instance that dies holds nothing acknowledged that
 * the others cannot read. Each instance keeps a local cache of contents (content-cache.ts);
 * it is never stale, since a content never changes under its hash.
 */
import path from 'node:path';
import { DittoError } from '../../../../shared/errors.ts';
import { assertByteRange, assertValidKey, assertValidPrefix } from '../../blockstore.ts';
import type { BlockStore, BlockStoreStats } from '../../blockstore.ts';
import { contentHash } from '../content-hash.ts';
import { remoteKey, type GcReport } from '../garbage.ts';
import { DEFAULT_READ_TIMEOUT_MS, fetchContent, rangeOf } from '../remote-read.ts';
import type { SharedBlockIndex } from './block-index.ts';
import { ContentCache } from './content-cache.ts';

export interface SharedStoreOptions {
  /** Local cache of contents. */
  capBytes: number;
  /** How long a read of a content not cached here may take before it fails with IO. */
  readTimeoutMs?: number;
  /** Collect garbage this often, with this grace period (0: never by itself). */
  gcEveryMs?: number;
  gcGraceMs?: number;
}

export class SharedBlockStore implements BlockStore {
  readonly sharedByInstances = true;
  private readonly cache: ContentCache;
  /** Uploads and fetches under way, by content: one at a time per content. */
  private readonly uploading = new Map<string, Promise<void>>();
  private readonly fetching = new Map<string, Promise<Buffer>>();
  private readonly gcTimer: ReturnType<typeof setInterval> | undefined;
  /** This instance's latest collection (others may have run theirs since). */
  private gcReport: GcReport | undefined;

  constructor(
    private readonly remote: BlockStore,
    private readonly index: SharedBlockIndex,
    dir: string,
    private readonly options: SharedStoreOptions,
  ) {
    this.cache = new ContentCache(path.join(dir, 'contents'), options.capBytes);
    const every = options.gcEveryMs ?? 0;
    if (every > 0) {
      this.gcTimer = setInterval(() => void this.gc(options.gcGraceMs ?? every).catch(() => undefined), every);
      this.gcTimer.unref();
    }
  }

  /** The index's pool, for health checks and the cluster view. */
  get poolHealth(): SharedBlockIndex['poolHealth'] {
    return this.index.poolHealth;
  }

  /** The local cache of contents: bytes held and cap. */
  cacheUse(): { usedBytes: number; capBytes: number } {
    return this.cache.use();
  }

  get lastGc(): GcReport | undefined {
    return this.gcReport;
  }

  async put(key: string, data: Buffer, sha256?: string): Promise<void> {
    assertValidKey(key);
    const hash = sha256 ?? (await contentHash(data));
    // The local copy is only a cache: a full local disk must not fail the write.
    const cached = this.cache.add(hash, data).catch(() => undefined);
    try {
      // Twice at most: the content may have been collected between its claim and the reference.
      for (let attempt = 0; attempt < 2; attempt++) {
        if (!(await this.index.claim(hash, data.length))) await this.upload(hash, data);
        if (await this.index.setRef(key, hash)) return;
      }
      throw new DittoError('IO', `block ${hash.slice(0, 12)} was collected twice while being written`);
    } finally {
      await cached;
    }
  }

  async get(key: string, offset = 0, length?: number, into?: Buffer): Promise<Buffer | undefined> {
    assertValidKey(key);
    assertByteRange(offset, length ?? 0);
    const ref = await this.index.resolve(key);
    if (ref === undefined) return undefined;
    const local = await this.cache.read(ref.hash, offset, length, into);
    if (local !== undefined) return local;
    return rangeOf(await this.fetch(ref.hash), offset, length, into);
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.index.deleteRefs(key);
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertValidPrefix(prefix);
    await this.index.deleteRefs(prefix, true);
  }

  async *list(prefix: string): AsyncIterable<string> {
    assertValidPrefix(prefix);
    yield* await this.index.keysUnder(prefix);
  }

  /** Every completed put is in S3 and in the index already. */
  async sync(): Promise<void> {}

  async ping(timeoutMs: number): Promise<void> {
    await this.remote.ping?.(timeoutMs);
  }

  stats(): Promise<BlockStoreStats> {
    return this.index.totals();
  }

  /**
   * Deletes from S3 (and the index) the contents no key of any instance has referenced for
   * `graceMs`. Every instance may run it; the index makes each deletion happen once.
   */
  async gc(graceMs: number): Promise<GcReport> {
    const started = Date.now();
    let blocks = 0;
    let bytes = 0;
    for (;;) {
      const batch = await this.index.garbage(graceMs);
      let collected = 0;
      for (const { hash, size } of batch) {
        if (this.uploading.has(hash)) continue;
        if (await this.index.collect(hash, graceMs, () => this.remote.delete(remoteKey(hash)))) {
          collected++;
          bytes += size;
        }
      }
      blocks += collected;
      if (collected === 0) break;
    }
    this.gcReport = { at: new Date(started).toISOString(), blocks, bytes, ms: Date.now() - started };
    return this.gcReport;
  }

  async close(): Promise<void> {
    clearInterval(this.gcTimer);
    await Promise.allSettled([...this.uploading.values()]);
    await this.index.close();
    await this.remote.close();
  }

  private upload(hash: string, data: Buffer): Promise<void> {
    let p = this.uploading.get(hash);
    if (p === undefined) {
      // No deadline of its own: the S3 store's request timeout and attempts bound it, and a put
      // abandoned while still reading `data` could upload bytes its caller has reused.
      p = this.remote.put(remoteKey(hash), data, hash).finally(() => this.uploading.delete(hash));
      this.uploading.set(hash, p);
    }
    return p;
  }

  private fetch(hash: string): Promise<Buffer> {
    let p = this.fetching.get(hash);
    if (p === undefined) {
      p = fetchContent(this.remote, hash, this.options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS)
        .then(async (data) => {
          const copy = Buffer.from(data);
          await this.cache.add(hash, copy).catch(() => undefined);
          return copy;
        })
        .finally(() => this.fetching.delete(hash));
      this.fetching.set(hash, p);
    }
    return p;
  }
}
