/** An ephemeral block store in process memory: for tests and scratch shares. */
import { assertByteRange, assertValidKey, assertValidPrefix, firstSegment } from '../../blockstore.ts';
import type { BlockRange, BlockStore, BlockStoreStats } from '../../blockstore.ts';

export class MemoryBlockStore implements BlockStore {
  /** Keys grouped by their first segment (the payload), so listing one payload scans only its blocks. */
  private readonly groups = new Map<string, Map<string, Buffer>>();
  private blocks = 0;
  private bytes = 0;

  async put(key: string, data: Buffer): Promise<void> {
    assertValidKey(key);
    const name = firstSegment(key);
    let group = this.groups.get(name);
    if (group === undefined) this.groups.set(name, (group = new Map()));
    this.forget(group, key);
    // A copy: the caller reuses its buffer, and readers get views of this one.
    group.set(key, Buffer.from(data));
    this.blocks++;
    this.bytes += data.length;
  }

  /** Builds a new buffer: readers may hold views of the old one. */
  async patch(key: string, ranges: readonly BlockRange[]): Promise<void> {
    assertValidKey(key);
    for (const r of ranges) assertByteRange(r.offset, r.data.length);
    const old = this.groups.get(firstSegment(key))?.get(key);
    const length = ranges.reduce((n, r) => Math.max(n, r.offset + r.data.length), old?.length ?? 0);
    const block = Buffer.alloc(length);
    old?.copy(block);
    for (const r of ranges) r.data.copy(block, r.offset);
    await this.put(key, block);
  }

  async get(key: string, offset = 0, length?: number): Promise<Buffer | undefined> {
    assertValidKey(key);
    assertByteRange(offset, length ?? 0);
    const block = this.groups.get(firstSegment(key))?.get(key);
    return block?.subarray(offset, length === undefined ? undefined : offset + length);
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    const name = firstSegment(key);
    const group = this.groups.get(name);
    if (group === undefined) return;
    this.forget(group, key);
    if (group.size === 0) this.groups.delete(name);
  }

  async deletePrefix(prefix: string): Promise<void> {
    for await (const key of this.list(prefix)) await this.delete(key);
  }

  async *list(prefix: string): AsyncGenerator<string> {
    assertValidPrefix(prefix);
    const slash = prefix.indexOf('/');
    if (slash >= 0) {
      const group = this.groups.get(prefix.slice(0, slash));
      if (group !== undefined) for (const key of group.keys()) if (key.startsWith(prefix)) yield key;
      return;
    }
    for (const [name, group] of this.groups) if (name.startsWith(prefix)) yield* group.keys();
  }

  async sync(): Promise<void> {}

  async close(): Promise<void> {
    this.groups.clear();
    this.blocks = 0;
    this.bytes = 0;
  }

  async stats(): Promise<BlockStoreStats> {
    return { blocks: this.blocks, bytes: this.bytes };
  }

  private forget(group: Map<string, Buffer>, key: string): void {
    const old = group.get(key);
    if (old === undefined) return;
    group.delete(key);
    this.blocks--;
    this.bytes -= old.length;
  }
}
