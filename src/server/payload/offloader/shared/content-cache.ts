/**
 * An instance's local copies of contents of a shared S3 store, by content hash: a pure cache
 * (everything in it is in S3 too, so it starts empty after a restart), capped, least
 * recently used evicted first. A content never changes under its hash, so a copy is never
 * stale, whatever other instances do.
 */
import { rmSync } from 'node:fs';
import { CacheFiles } from '../cache-files.ts';
import { KeyedLock } from '../../../../shared/keyed-lock.ts';

export class ContentCache {
  private readonly files: CacheFiles;
  private readonly lock = new KeyedLock();
  /** Cached contents and their sizes, least recently used first. */
  private readonly sizes = new Map<string, number>();
  private usedBytes = 0;

  constructor(
    dir: string,
    private readonly capBytes: number,
  ) {
    rmSync(dir, { recursive: true, force: true });
    this.files = new CacheFiles(dir);
  }

  /** Bytes cached now, and the cap. */
  use(): { usedBytes: number; capBytes: number } {
    return { usedBytes: this.usedBytes, capBytes: this.capBytes };
  }

  /** Bytes of a cached content, or undefined (the caller fetches it). */
  async read(hash: string, offset: number, length: number | undefined, into?: Buffer): Promise<Buffer | undefined> {
    const size = this.sizes.get(hash);
    if (size === undefined) return undefined;
    this.sizes.delete(hash);
    this.sizes.set(hash, size);
    // Evicted between the lookup and the open: undefined, and the caller fetches it.
    return this.files.read(hash, offset, length, into);
  }

  /** Keeps a copy (once per content), evicting the least recently used ones past the cap. */
  async add(hash: string, data: Buffer): Promise<void> {
    if (data.length > this.capBytes) return;
    await this.lock.run(hash, async () => {
      if (this.sizes.has(hash)) return;
      await this.files.write(hash, data);
      this.sizes.set(hash, data.length);
      this.usedBytes += data.length;
    });
    await this.evict();
  }

  private async evict(): Promise<void> {
    for (const [hash, size] of this.sizes) {
      if (this.usedBytes <= this.capBytes) return;
      this.sizes.delete(hash);
      this.usedBytes -= size;
      // Unless added again meanwhile.
      await this.lock.run(hash, async () => {
        if (!this.sizes.has(hash)) await this.files.remove(hash);
      });
    }
  }
}
