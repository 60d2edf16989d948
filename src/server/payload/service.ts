/**
 * PayloadService: file content by share + payloadId. It routes each share to its block
 * store, validates arguments and orders operations per payload; the bytes go through the
 * write-back cache (write-back.ts), the layer the slice cache + WAL will replace. A share
 * that keeps its content in its own files (a folder share) is served by its DirectContent
 * instead, after the same argument checks.
 */
import { DittoError } from '../../shared/errors.ts';
import { assertByteRange } from './blockstore.ts';
import type { BlockStore } from './blockstore.ts';
import { payloadPrefix } from './layout.ts';
import type { DirectContent, PayloadOps } from './types.ts';
import { PayloadState, WriteBackCache } from './write-back.ts';
import type { WriteBackStats } from './write-back.ts';

export interface PayloadServiceOptions {
  /** Memory for buffered dirty blocks, across all shares; at least one 4 MiB block. */
  dirtyLimitBytes?: number;
}

export const DEFAULT_DIRTY_LIMIT_BYTES = 64 * 1024 * 1024;

interface ShareEntry {
  store: BlockStore;
  payloads: Map<string, PayloadState>;
}

export class PayloadService implements PayloadOps {
  private readonly shares = new Map<string, ShareEntry>();
  private readonly direct = new Map<string, DirectContent>();
  private readonly cache: WriteBackCache;

  constructor(options: PayloadServiceOptions = {}) {
    this.cache = new WriteBackCache(options.dirtyLimitBytes ?? DEFAULT_DIRTY_LIMIT_BYTES);
  }

  registerShare(share: string, store: BlockStore): void {
    this.checkFree(share);
    this.shares.set(share, { store, payloads: new Map() });
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
    this.direct.delete(share);
    const entry = this.shares.get(share);
    if (entry === undefined) return;
    this.shares.delete(share);
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
    return this.withPayload(share, payloadId, (s) => s.lock.shared(() => this.cache.read(s, offset, length, into)));
  }

  async writeAt(share: string, payloadId: string, data: Buffer, offset: number): Promise<void> {
    checkRange(offset, data.length);
    const direct = this.direct.get(share);
    if (direct !== undefined) return direct.writeAt(payloadId, data, offset);
    return this.withPayload(share, payloadId, (s) => s.lock.shared(() => this.cache.write(s, data, offset)));
  }

  async truncate(share: string, payloadId: string, size: number): Promise<void> {
    checkRange(size, 0);
    const direct = this.direct.get(share);
    if (direct !== undefined) return direct.truncate(payloadId, size);
    return this.withPayload(share, payloadId, (s) => s.lock.exclusive(() => this.cache.truncate(s, size)));
  }

  async flush(share: string, payloadId: string): Promise<void> {
    const direct = this.direct.get(share);
    if (direct !== undefined) return direct.flush(payloadId);
    return this.withPayload(share, payloadId, (s) => s.lock.shared(() => this.cache.flush(s)));
  }

  async delete(share: string, payloadId: string): Promise<void> {
    const direct = this.direct.get(share);
    if (direct !== undefined) return direct.delete(payloadId);
    return this.withPayload(share, payloadId, (s) => s.lock.exclusive(() => this.cache.truncate(s, 0)));
  }

  private checkFree(share: string): void {
    if (this.shares.has(share) || this.direct.has(share)) {
      throw new DittoError('EXISTS', `share ${share} already has its content registered`);
    }
  }

  private async withPayload<T>(share: string, payloadId: string, op: (s: PayloadState) => Promise<T>): Promise<T> {
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
      return await op(s);
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
