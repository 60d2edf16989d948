/**
 * The block I/O layer between PayloadService and a BlockStore: dirty blocks in bounded
 * memory, written back eagerly when complete, under memory pressure (oldest first) and on
 * flush. A `writeThrough` store (filesystem: the page cache buffers) gets writes straight
 * instead, saving a copy and the block memory. This is the seam the slice cache + WAL +
 * offloader will replace.
 */
import { DittoError } from '../../shared/errors.ts';
import { BlockBuffer } from './block-buffer.ts';
import type { BlockStore } from './blockstore.ts';
import { BufferPool } from './buffer-pool.ts';
import { BLOCK_SIZE, blockIndexOf, blockKey, blockSpans } from './layout.ts';
import { PayloadLock } from './payload-lock.ts';
import { allOrFirstError } from './settle.ts';

/** One payload's dirty blocks and the store they go to. */
export class PayloadState {
  readonly blocks = new Map<number, DirtyBlock>();
  readonly lock = new PayloadLock();
  /** Operations holding this state; with none and nothing dirty, it is forgotten. */
  users = 0;

  constructor(
    readonly store: BlockStore,
    readonly prefix: string,
    private readonly forget: () => void,
  ) {}

  forgetIfIdle(): void {
    if (this.users === 0 && this.blocks.size === 0) this.forget();
  }
}

class DirtyBlock {
  readonly content: BlockBuffer;
  /** Set while the store writes `content`: the buffer must not change under it. */
  sealed = false;
  writeBack: Promise<void> | undefined;
  loading: Promise<void> | undefined;

  constructor(
    readonly state: PayloadState,
    readonly index: number,
    buf: Buffer,
  ) {
    this.content = new BlockBuffer(buf);
  }

  get key(): string {
    return blockKey(this.state.prefix, this.index);
  }
}

export interface WriteBackStats {
  dirtyBytes: number;
  dirtyLimitBytes: number;
}

const EMPTY = Buffer.alloc(0);

const ignore = (): void => {};

/** Waits for `p` without taking over its failure (its owner reports that). */
function settled(p: Promise<void> | undefined): Promise<void> {
  return (p ?? Promise.resolve()).then(ignore, ignore);
}

export class WriteBackCache {
  private readonly pool: BufferPool;
  /** Every dirty block, oldest first: the order memory pressure writes them back in. */
  private readonly dirty = new Set<DirtyBlock>();

  constructor(readonly dirtyLimitBytes: number) {
    if (!Number.isSafeInteger(dirtyLimitBytes) || dirtyLimitBytes < BLOCK_SIZE) {
      throw new DittoError('INVALID_ARGUMENT', `the dirty limit must be at least one block (${BLOCK_SIZE} bytes)`);
    }
    // Shared memory: the offloader hashes the blocks put from here on a worker, without a copy.
    this.pool = new BufferPool(BLOCK_SIZE, Math.floor(dirtyLimitBytes / BLOCK_SIZE), true);
  }

  stats(): WriteBackStats {
    return { dirtyBytes: this.pool.inUse * BLOCK_SIZE, dirtyLimitBytes: this.dirtyLimitBytes };
  }

  /** See PayloadOps.readAt. */
  async read(s: PayloadState, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    if (length === 0) return EMPTY;
    const index = Math.floor(offset / BLOCK_SIZE);
    const at = offset - index * BLOCK_SIZE;
    if (at + length <= BLOCK_SIZE && !s.blocks.has(index)) {
      // Hot path, one clean block: the store's answer, uncopied.
      const data = await s.store.get(blockKey(s.prefix, index), at, length, into);
      if (data?.length === length) return data;
      const out = into?.subarray(0, length) ?? Buffer.allocUnsafe(length);
      copyPadded(data, out, 0, length);
      return out;
    }
    const out = into?.subarray(0, length) ?? Buffer.allocUnsafe(length);
    const reads: Promise<void>[] = [];
    for (const span of blockSpans(offset, length))
      reads.push(this.readBlock(s, span.index, span.at, span.n, out, span.pos));
    await allOrFirstError(reads);
    return out;
  }

  async write(s: PayloadState, data: Buffer, offset: number): Promise<void> {
    const direct: Promise<void>[] = [];
    for (const { index, at, pos, n } of blockSpans(offset, data.length)) {
      // A block buffered here (a truncate left it partly loaded) takes its writes until written back.
      if (s.store.writeThrough === true && s.store.patch !== undefined && !s.blocks.has(index)) {
        const key = blockKey(s.prefix, index);
        const written = s.store.patch(key, [{ offset: at, data: data.subarray(pos, pos + n) }]);
        // A write that reaches the end of a block usually completes it (a sequential stream).
        direct.push(at + n === BLOCK_SIZE ? written.then(() => s.store.syncAhead?.(key)) : written);
        continue;
      }
      for (;;) {
        const b = this.writable(s, index);
        if (b instanceof Promise) {
          await b;
          continue;
        }
        // A failed eager write-back leaves the block dirty: flush retries it and reports.
        if (b.content.write(at, data, pos, n)) this.writeBack(b).catch(ignore);
        break;
      }
    }
    await allOrFirstError(direct);
  }

  /**
   * Whether bytes [offset, offset + length) can be written in place: the store takes writes
   * straight into its blocks, every block the range touches exists there, and none is
   * buffered here.
   */
  async inPlace(s: PayloadState, offset: number, length: number): Promise<boolean> {
    const { store } = s;
    if (store.writeThrough !== true || store.patch === undefined || store.has === undefined) return false;
    for (const { index } of blockSpans(offset, length)) {
      if (s.blocks.has(index) || !(await store.has(blockKey(s.prefix, index)))) return false;
    }
    return true;
  }

  /** Drops the content past `size`; the caller holds the payload exclusively. */
  async truncate(s: PayloadState, size: number): Promise<void> {
    const keep = Math.ceil(size / BLOCK_SIZE);
    await this.discardFrom(s, keep);
    if (keep === 0) {
      await s.store.deletePrefix(s.prefix);
      return;
    }
    const keys: string[] = [];
    for await (const key of s.store.list(s.prefix)) if ((blockIndexOf(s.prefix, key) ?? -1) >= keep) keys.push(key);
    await allOrFirstError(keys.map((key) => s.store.delete(key)));
    const tail = size - (keep - 1) * BLOCK_SIZE;
    if (tail < BLOCK_SIZE) await this.clip(s, keep - 1, tail);
  }

  /** Forgets the payload's dirty blocks without writing them. */
  drop(s: PayloadState): Promise<void> {
    return this.discardFrom(s, 0);
  }

  /** Writes back every dirty block of the payload, then makes the store durable. */
  async flush(s: PayloadState): Promise<void> {
    await this.writeBackAll(s);
    await s.store.sync(s.prefix);
  }

  /** Hands the payload's buffered blocks to its store (durable there at the next sync). */
  async writeBackAll(s: PayloadState): Promise<void> {
    await Promise.all(Array.from(s.blocks.values(), (b) => this.writeBack(b)));
  }

  private async readBlock(
    s: PayloadState,
    index: number,
    at: number,
    n: number,
    out: Buffer,
    pos: number,
  ): Promise<void> {
    for (;;) {
      const b = s.blocks.get(index);
      if (b === undefined) {
        // Straight into the caller's buffer where the store copies (the filesystem store reads into it).
        const dst = out.subarray(pos, pos + n);
        copyPadded(await s.store.get(blockKey(s.prefix, index), at, n, dst), out, pos, n);
        return;
      }
      if (b.content.canRead(at, n)) {
        b.content.readInto(out, pos, at, n);
        return;
      }
      await this.load(b);
    }
  }

  /** Zeroes block `index` from `size` on, rewriting it only if the store has bytes there. */
  private async clip(s: PayloadState, index: number, size: number): Promise<void> {
    if (!s.blocks.has(index)) {
      const past = await s.store.get(blockKey(s.prefix, index), size, 1);
      if (past === undefined || past.length === 0) return;
    }
    for (;;) {
      const b = this.writable(s, index);
      if (b instanceof Promise) await b;
      else if (!b.content.loaded) await this.load(b);
      else {
        b.content.clip(size);
        return;
      }
    }
  }

  /**
   * The block to modify right now, created if needed, or what to wait for before asking
   * again. Callers modify it synchronously: after any await it may have been sealed.
   */
  private writable(s: PayloadState, index: number): DirtyBlock | Promise<void> {
    const b = s.blocks.get(index);
    if (b !== undefined) return b.sealed ? settled(b.writeBack) : b;
    const buf = this.pool.tryAcquire();
    if (buf === undefined) return this.makeRoom();
    const created = new DirtyBlock(s, index, buf);
    s.blocks.set(index, created);
    this.dirty.add(created);
    return created;
  }

  /** Writes back the oldest idle dirty block or, if all are in flight, waits for one. */
  private makeRoom(): Promise<void> {
    for (const b of this.dirty) if (b.writeBack === undefined) return this.writeBack(b);
    return this.pool.released();
  }

  private writeBack(b: DirtyBlock): Promise<void> {
    return (b.writeBack ??= this.persist(b));
  }

  private async persist(b: DirtyBlock): Promise<void> {
    const { store } = b.state;
    try {
      if (!b.content.loaded && store.patch !== undefined) {
        // Only some ranges written: write those in place instead of reading and rewriting
        // the whole block (a random 4 KiB write would otherwise cost 4 MiB each way).
        b.sealed = true;
        await store.patch(b.key, b.content.writtenRanges());
        // A read may be filling the gaps: the buffer must not go back to the pool under it.
        await settled(b.loading);
      } else {
        await this.load(b);
        b.sealed = true;
        await store.put(b.key, b.content.contents());
      }
      this.release(b);
    } finally {
      b.sealed = false;
      b.writeBack = undefined;
    }
  }

  private load(b: DirtyBlock): Promise<void> {
    if (b.content.loaded) return Promise.resolve();
    return (b.loading ??= this.fetchBase(b));
  }

  private async fetchBase(b: DirtyBlock): Promise<void> {
    try {
      const base = await b.state.store.get(b.key, 0, BLOCK_SIZE);
      // Writes during the fetch may have covered the whole block already.
      if (!b.content.loaded) b.content.merge(base);
    } finally {
      b.loading = undefined;
    }
  }

  /** Forgets dirty blocks `first` and up without writing them, once no write-back of one is in flight. */
  private async discardFrom(s: PayloadState, first: number): Promise<void> {
    const discard = async (b: DirtyBlock): Promise<void> => {
      while (b.writeBack !== undefined) await settled(b.writeBack);
      if (s.blocks.get(b.index) === b) this.release(b);
    };
    await Promise.all([...s.blocks.values()].filter((b) => b.index >= first).map(discard));
  }

  private release(b: DirtyBlock): void {
    b.state.blocks.delete(b.index);
    this.dirty.delete(b);
    this.pool.release(b.content.buf);
    b.state.forgetIfIdle();
  }
}

/**
 * Copies `src` (absent: nothing) to dst[pos...] and zeroes the rest of `n` bytes; `src`
 * already there (a store read into dst) is not copied onto itself.
 */
function copyPadded(src: Buffer | undefined, dst: Buffer, pos: number, n: number): void {
  const inPlace = src !== undefined && src.buffer === dst.buffer && src.byteOffset === dst.byteOffset + pos;
  const copied =
    src === undefined ? 0 : inPlace ? Math.min(src.length, n) : src.copy(dst, pos, 0, Math.min(src.length, n));
  dst.fill(0, pos + copied, pos + n);
}
