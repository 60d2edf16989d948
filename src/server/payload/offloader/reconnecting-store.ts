/**
 * A remote block store that could not be reached when dfs started: every call tries to open
 * it (at most once per `retryMs`) and fails with RETRY_LATER until it opens, so an offloaded
 * store with data in its local cache serves it, and queues uploads, through an outage that
 * began before the start.
 */
import { DittoError } from '../../../shared/errors.ts';
import type { BlockStore, BlockStoreStats } from '../blockstore.ts';

export class ReconnectingBlockStore implements BlockStore {
  private store: BlockStore | undefined;
  private opening: Promise<BlockStore> | undefined;
  private lastTry = 0;
  private lastError = '';

  constructor(
    private readonly open: () => Promise<BlockStore>,
    private readonly retryMs = 5000,
  ) {}

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
      .then((store) => (this.store = store))
      .catch((err: unknown) => {
        this.lastError = err instanceof Error ? err.message : String(err);
        throw err;
      })
      .finally(() => (this.opening = undefined));
    return this.opening;
  }
}
