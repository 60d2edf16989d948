/**
 * The content of one dirty block in a block-sized buffer.
 *
 * Until `loaded`, only the written ranges are known and the rest is whatever the store
 * holds, so a write never waits for a read; `merge` fills the gaps from the stored block,
 * once. When loaded, bytes [0, end) are the block and everything past `end` reads as zero.
 * The buffer comes from a pool holding stale bytes: no byte is exposed before it is written.
 */
import type { BlockRange } from './blockstore.ts';

export class BlockBuffer {
  loaded = false;
  end = 0;
  /** Written ranges while not loaded: sorted, disjoint, non-touching [start, end) pairs. */
  private ranges: number[] = [];

  constructor(readonly buf: Buffer) {}

  /** Copies src[from, from + n) to `at`; true if this write made the block complete. */
  write(at: number, src: Buffer, from: number, n: number): boolean {
    const size = this.buf.length;
    src.copy(this.buf, at, from, from + n);
    const stop = at + n;
    if (this.loaded) {
      if (at > this.end) this.buf.fill(0, this.end, at);
      const completed = stop === size && this.end < size;
      if (stop > this.end) this.end = stop;
      return completed;
    }
    this.addRange(at, stop);
    if (this.ranges.length === 2 && this.ranges[0] === 0 && this.ranges[1] === size) {
      this.loaded = true;
      this.end = size;
      this.ranges = [];
      return true;
    }
    return false;
  }

  canRead(at: number, n: number): boolean {
    if (this.loaded) return true;
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) if (r[i]! <= at && at + n <= r[i + 1]!) return true;
    return false;
  }

  /** Copies [at, at + n) to dst[pos...]; only when `canRead(at, n)`. */
  readInto(dst: Buffer, pos: number, at: number, n: number): void {
    const stop = this.loaded ? Math.min(at + n, this.end) : at + n;
    const copied = stop > at ? this.buf.copy(dst, pos, at, stop) : 0;
    dst.fill(0, pos + copied, pos + n);
  }

  /** Fills the unwritten bytes from the stored block (absent: zeros); only when not loaded. */
  merge(base: Buffer | undefined): void {
    const r = this.ranges;
    const baseLength = Math.min(base?.length ?? 0, this.buf.length);
    this.end = Math.max(baseLength, r.length > 0 ? r[r.length - 1]! : 0);
    let from = 0;
    for (let i = 0; i < r.length; i += 2) {
      this.fillGap(base, baseLength, from, r[i]!);
      from = r[i + 1]!;
    }
    this.fillGap(base, baseLength, from, this.end);
    this.loaded = true;
    this.ranges = [];
  }

  /** Drops the content past `size`; only when loaded. */
  clip(size: number): void {
    if (this.end > size) this.end = size;
  }

  /** The written bytes as block ranges (views of the buffer); only when not loaded. */
  writtenRanges(): BlockRange[] {
    const r = this.ranges;
    const out: BlockRange[] = [];
    for (let i = 0; i < r.length; i += 2) out.push({ offset: r[i]!, data: this.buf.subarray(r[i]!, r[i + 1]!) });
    return out;
  }

  /** The block as it goes to the store; only when loaded. */
  contents(): Buffer {
    return this.buf.subarray(0, this.end);
  }

  private fillGap(base: Buffer | undefined, baseLength: number, from: number, to: number): void {
    if (from >= to) return;
    const copied =
      base !== undefined && baseLength > from ? base.copy(this.buf, from, from, Math.min(to, baseLength)) : 0;
    this.buf.fill(0, from + copied, to);
  }

  private addRange(start: number, stop: number): void {
    const r = this.ranges;
    let i = 0;
    while (i < r.length && r[i + 1]! < start) i += 2;
    let j = i;
    while (j < r.length && r[j]! <= stop) j += 2;
    if (i < j) {
      start = Math.min(start, r[i]!);
      stop = Math.max(stop, r[j - 1]!);
    }
    r.splice(i, j - i, start, stop);
  }
}
