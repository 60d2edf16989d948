/**
 * The slice cache (seed "Data path"): a file's recently written bytes as slices in memory,
 * one per contiguous run (sequential writes extend the same slice), newest bytes winning
 * where writes overlap. A slice is dirty until its bytes are carved into the block store;
 * memory is bounded across all files, and only clean slices are evicted (least recently
 * used first): dirty data waits for the carver instead.
 */

/** Longest slice: one block's worth, so carving a slice touches at most two blocks. */
export const MAX_SLICE_BYTES = 4 * 1024 * 1024;

export class Slice {
  length: number;
  dirty = false;
  /** Bumped by every write: a carve marks the slice clean only if nothing wrote since. */
  version = 0;

  constructor(
    readonly file: FileSlices,
    readonly start: number,
    public buf: Buffer,
  ) {
    this.length = 0;
  }

  get end(): number {
    return this.start + this.length;
  }
}

export interface SliceCacheStats {
  bytes: number;
  dirtyBytes: number;
  capBytes: number;
}

/** Memory accounting across every file's slices, and the LRU of clean ones. */
export class SliceCache {
  private used = 0;
  private dirty = 0;
  /** Clean slices, least recently used first (a Set keeps insertion order). */
  private readonly clean = new Set<Slice>();

  constructor(readonly capBytes: number) {}

  stats(): SliceCacheStats {
    return { bytes: this.used, dirtyBytes: this.dirty, capBytes: this.capBytes };
  }

  /**
   * Accounts `bytes` more, evicting clean slices (but not those in `keep`, about to grow)
   * if needed; false if dirty data fills the cap.
   */
  reserve(bytes: number, keep: readonly Slice[] = []): boolean {
    for (const victim of this.clean) {
      if (this.used + bytes <= this.capBytes) break;
      if (!keep.includes(victim)) victim.file.evict(victim);
    }
    if (this.used + bytes > this.capBytes) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used -= bytes;
  }

  touch(s: Slice): void {
    if (this.clean.delete(s)) this.clean.add(s);
  }

  setDirty(s: Slice, dirty: boolean, length = s.length): void {
    if (s.dirty) this.dirty -= s.length;
    s.dirty = dirty;
    s.length = length;
    if (dirty) {
      this.dirty += length;
      this.clean.delete(s);
    } else this.clean.add(s);
  }

  forget(s: Slice): void {
    if (s.dirty) this.dirty -= s.length;
    // A carve that took its bytes before must not count it again (Slices.carved).
    s.dirty = false;
    s.version++;
    this.clean.delete(s);
    this.used -= s.buf.length;
  }
}

/** A dirty slice's bytes as they were when a carve took them. */
export interface DirtyRun {
  slice: Slice;
  version: number;
  offset: number;
  data: Buffer;
}

type Step =
  { kind: 'grow'; slice: Slice; capacity: number; upTo: number } | { kind: 'new'; start: number; length: number };

/** One file's slices: sorted by offset, never overlapping. */
export class FileSlices {
  private readonly slices: Slice[] = [];

  constructor(private readonly cache: SliceCache) {}

  get empty(): boolean {
    return this.slices.length === 0;
  }

  /**
   * Copies `data` in at `offset`; false (nothing changed) if the memory cap leaves no room,
   * in which case the caller waits for a carve and tries again.
   */
  write(offset: number, data: Buffer): boolean {
    const end = offset + data.length;
    const steps = this.plan(offset, end);
    let cost = 0;
    for (const step of steps) cost += step.kind === 'grow' ? step.capacity - step.slice.buf.length : step.length;
    const growing = steps.flatMap((step) => (step.kind === 'grow' ? [step.slice] : []));
    if (cost > 0 && !this.cache.reserve(cost, growing)) return false;
    for (const step of steps) {
      if (step.kind === 'grow') {
        const s = step.slice;
        if (step.capacity > s.buf.length) {
          const bigger = Buffer.allocUnsafe(step.capacity);
          s.buf.copy(bigger, 0, 0, s.length);
          s.buf = bigger;
        }
        this.cache.setDirty(s, true, step.upTo - s.start);
      } else {
        const s = new Slice(this, step.start, Buffer.allocUnsafe(step.length));
        this.slices.splice(this.indexAfter(step.start), 0, s);
        this.cache.setDirty(s, true, step.length);
      }
    }
    for (let i = this.firstEndingAfter(offset); i < this.slices.length && this.slices[i]!.start < end; i++) {
      const s = this.slices[i]!;
      const from = Math.max(offset, s.start);
      data.copy(s.buf, from - s.start, from - offset, Math.min(end, s.end) - offset);
      if (!s.dirty) this.cache.setDirty(s, true);
      s.version++;
    }
    return true;
  }

  /** Copies `data` into the clean slices it overlaps (the same bytes just went to the blocks). */
  refreshClean(offset: number, data: Buffer): void {
    const end = offset + data.length;
    for (let i = this.firstEndingAfter(offset); i < this.slices.length && this.slices[i]!.start < end; i++) {
      const s = this.slices[i]!;
      if (s.dirty) continue;
      const from = Math.max(offset, s.start);
      data.copy(s.buf, from - s.start, from - offset, Math.min(end, s.end) - offset);
    }
  }

  /** True if slices hold every byte of [offset, offset + length). */
  covers(offset: number, length: number): boolean {
    let cursor = offset;
    const end = offset + length;
    for (let i = this.firstEndingAfter(offset); i < this.slices.length && cursor < end; i++) {
      const s = this.slices[i]!;
      if (s.start > cursor) return false;
      cursor = s.end;
    }
    return cursor >= end;
  }

  intersects(offset: number, length: number): boolean {
    const s = this.slices[this.firstEndingAfter(offset)];
    return s !== undefined && s.start < offset + length;
  }

  hasDirtyIn(offset: number, length: number): boolean {
    const end = offset + length;
    for (let i = this.firstEndingAfter(offset); i < this.slices.length && this.slices[i]!.start < end; i++) {
      if (this.slices[i]!.dirty) return true;
    }
    return false;
  }

  /** Copies the slice bytes inside [offset, offset + out.length) over `out`. */
  overlay(offset: number, out: Buffer): void {
    const end = offset + out.length;
    for (let i = this.firstEndingAfter(offset); i < this.slices.length && this.slices[i]!.start < end; i++) {
      const s = this.slices[i]!;
      const from = Math.max(offset, s.start);
      s.buf.copy(out, from - offset, from - s.start, Math.min(end, s.end) - s.start);
      this.cache.touch(s);
    }
  }

  /** The dirty slices as they are now (views: carve them before the next await lets writes in, or accept re-carving). */
  dirtyRuns(): DirtyRun[] {
    return this.slices
      .filter((s) => s.dirty)
      .map((s) => ({ slice: s, version: s.version, offset: s.start, data: s.buf.subarray(0, s.length) }));
  }

  /** Marks clean the runs nothing wrote to since `dirtyRuns` took them. */
  carved(runs: readonly DirtyRun[]): void {
    for (const r of runs) if (r.slice.version === r.version && r.slice.dirty) this.cache.setDirty(r.slice, false);
  }

  get hasDirty(): boolean {
    return this.slices.some((s) => s.dirty);
  }

  /** Drops every byte at or past `size`. */
  clip(size: number): void {
    while (this.slices.length > 0 && this.slices[this.slices.length - 1]!.start >= size) {
      this.cache.forget(this.slices.pop()!);
    }
    const last = this.slices[this.slices.length - 1];
    if (last !== undefined && last.end > size) {
      this.cache.setDirty(last, last.dirty, size - last.start);
      last.version++;
    }
  }

  evict(s: Slice): void {
    // Slices are sorted by start and never overlap: the search finds `s` where it is.
    const i = this.indexAfter(s.start);
    if (this.slices[i] === s) this.slices.splice(i, 1);
    this.cache.forget(s);
  }

  /** How the uncovered parts of [offset, end) get memory: extend the run before each gap, else new slices. */
  private plan(offset: number, end: number): Step[] {
    const steps: Step[] = [];
    let cursor = offset;
    let i = this.firstEndingAfter(offset);
    // A slice ending exactly at `offset` can take a sequential write.
    let before: Slice | undefined = i > 0 && this.slices[i - 1]!.end === offset ? this.slices[i - 1] : undefined;
    for (;;) {
      const next = this.slices[i];
      const gapEnd = next !== undefined && next.start < end ? next.start : end;
      if (cursor < gapEnd) this.fill(steps, before, cursor, gapEnd);
      if (next === undefined || next.start >= end) break;
      cursor = Math.max(cursor, next.end);
      before = next;
      i++;
    }
    return steps;
  }

  private fill(steps: Step[], before: Slice | undefined, from: number, to: number): void {
    if (before !== undefined && before.end === from && before.length < MAX_SLICE_BYTES) {
      const upTo = Math.min(to, before.start + MAX_SLICE_BYTES);
      const need = upTo - before.start;
      const capacity =
        need <= before.buf.length
          ? before.buf.length
          : Math.min(MAX_SLICE_BYTES, Math.max(need, before.buf.length * 2));
      steps.push({ kind: 'grow', slice: before, capacity, upTo });
      from = upTo;
    }
    for (; from < to; from += MAX_SLICE_BYTES)
      steps.push({ kind: 'new', start: from, length: Math.min(MAX_SLICE_BYTES, to - from) });
  }

  /** Index of the first slice whose end is past `offset`. */
  private firstEndingAfter(offset: number): number {
    let lo = 0;
    let hi = this.slices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.slices[mid]!.end <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index at which a slice starting at `start` goes. */
  private indexAfter(start: number): number {
    let lo = 0;
    let hi = this.slices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.slices[mid]!.start < start) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
