/**
 * The remote (S3) store behind an offloaded one, reopened when needed: while it could not be
 * reached at start, every call tries to open it (at most once per `retryMs`) and fails with
 * RETRY_LATER until it opens, so the local cache keeps serving and uploads queue through an
 * outage that began before the start; and when its connection options change (new keys, a
 * new endpoint), the next calls go to a store opened with them while the shares stay up.
 */
import { DittoError } from '../../../shared/errors.ts';
import type { BlockStore, BlockStoreStats } from '../blockstore.ts';

/** How long a replaced store stays open for the requests it is still answering. */
const REPLACED_CLOSE_DELAY_MS = 60_000;

export class ReconnectingBlockStore implements BlockStore {
  private store: BlockStore | undefined;
  private opening: Promise<BlockStore> | undefined;
  private lastTry = 0;
  private lastError = '';

  constructor(
    private open: () => Promise<BlockStore>,
    opened?: BlockStore,
    private readonly retryMs = 5000,
  ) {
    this.store = opened;
  }

  /**
   * From now on, calls go to `next` (opened with new options, which proved they work). The
   * store it replaces is closed a minute later, once the requests it is answering are done.
   */
  replace(next: BlockStore, open: () => Promise<BlockStore>): void {
    const replaced = this.store;
    this.store = next;
    this.open = open;
    this.lastTry = 0;
    if (replaced !== undefined)
      setTimeout(() => void replaced.close().catch(() => undefined), REPLACED_CLOSE_DELAY_MS).unref();
  }

  async put(key: string, data: Buffer, sha256?: string): Promise<void> {
    return (await this.remote()).put(key, data, sha256);
  }

  async get(key: string, offset?: number, length?: number, into?: Buffer): Promise<Buffer | undefined> {
    return (await this.remote()).get(key, offset, length, into);
  }

  async delete(key: string): Promise<void> {
    return (await this.remote()).delete(key);
  }

  async deletePrefix(prefix: string): Promise<void> {
    return (await this.remote()).deletePrefix(prefix);
  }

  async *list(prefix: string): AsyncIterable<string> {
    yield* (await this.remote()).list(prefix);
  }

  async sync(prefix?: string): Promise<void> {
    return (await this.remote()).sync(prefix);
  }

  async stats(): Promise<BlockStoreStats> {
    return (await this.remote()).stats();
  }

  async ping(timeoutMs: number): Promise<void> {
    await (await this.remote()).ping?.(timeoutMs);
  }

  async close(): Promise<void> {
    await this.store?.close();
  }

  private remote(): Promise<BlockStore> {
    if (this.store !== undefined) return Promise.resolve(this.store);
    if (this.opening !== undefined) return this.opening;
    if (Date.now() - this.lastTry < this.retryMs) {
      return Promise.reject(new DittoError('RETRY_LATER', this.lastError));
    }
    this.lastTry = Date.now();
    this.opening = this.open()
      // An open with options replaced meanwhile is dropped: the new store is already in place.
      .then((store) => {
        if (this.store === undefined) return (this.store = store);
        void store.close().catch(() => undefined);
        return this.store;
      })
      .catch((err: unknown) => {
        this.lastError = err instanceof Error ? err.message : String(err);
        throw err;
      })
      .finally(() => (this.opening = undefined));
    return this.opening;
  }
}
