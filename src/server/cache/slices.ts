/**
 * The slice cache (seed "Data path"): a file's recently written bytes as slices in memory,
 * one per contiguous run (sequential writes extend the same slice), newest bytes winning
 * where writes overlap. A slice is dirty until its bytes are carved into the block store;
 * memory is bounded across all files. Clean slices are evicted (least recently used first);
 * a dirty slice whose every byte is in the write log is spilled: its memory is dropped and
 * its bytes are read back from the log when read or carved (docs/write-log.md "Spilling"),
 * so a burst of small files is carved after it, not during it. Other dirty data waits for
 * the carver.
 */

import type { LogPlace } from './wal/log.ts';

/** Longest slice: one block's worth, so carving a slice touches at most two blocks. */
export const MAX_SLICE_BYTES = 4 * 1024 * 1024;

/**
 * Slices this long or longer are carved, not spilled: a stream's full slices go into whole
 * blocks in one write each, while spilling them would read every byte back from the log.
 * Small files and tails are spilled.
 */
const SPILL_MAX_BYTES = 1024 * 1024;

/** A slice rebuilt from more logged runs than this (small overwrites) is carved, not spilled. */
const SPILL_MAX_RUNS = 64;

/** Bytes of a file as one logged write wrote them: `at` is where byte `offset` lies in the log. */
export interface LoggedRun extends LogPlace {
  offset: number;
  length: number;
}

export class Slice {
  length: number;
  dirty = false;
  /** Bumped by every write: a carve marks the slice clean only if nothing wrote since. */
  version = 0;
  /**
   * The logged writes that made every byte of the slice, oldest first; undefined once some
   * byte has another origin (it was carved, or a write never reached the log) or writes
   * reached the log in another order than the slice's.
   */
  logged: LoggedRun[] | undefined = [];
  /** Writes copied in whose records are not in the log yet. */
  unlogged = 0;
  /** Taken by the carve in progress: not spilled under it. */
  carving = false;

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

  /** Whether the log alone rebuilds it, and nothing is about to change that: SliceCache.spill. */
  get spillable(): boolean {
    return this.logged !== undefined && this.unlogged === 0 && !this.carving && this.length < SPILL_MAX_BYTES;
  }
}

export interface SliceCacheStats {
  bytes: number;
  dirtyBytes: number;
  /** Unsaved bytes spilled out of memory: in the write log only, until carved. */
  spilledBytes: number;
  capBytes: number;
}

/** Memory accounting across every file's slices, the LRU of clean ones, and spilling. */
export class SliceCache {
  private used = 0;
  private dirty = 0;
  private spilled = 0;
  /** Clean slices, least recently used first (a Set keeps insertion order). */
  private readonly clean = new Set<Slice>();
  /** Dirty slices, oldest first: the first to spill. */
  private readonly dirtyOrder = new Set<Slice>();
  /** Dirty bytes when a spill last fell short: no new scan until there are more. */
  private spillFellShortAt = -Infinity;

  constructor(readonly capBytes: number) {}

  stats(): SliceCacheStats {
    return { bytes: this.used, dirtyBytes: this.dirty, spilledBytes: this.spilled, capBytes: this.capBytes };
  }

  /**
   * Spills dirty slices whose bytes are all in the log, oldest first, until `targetBytes`
   * dirty bytes are left in memory; false if it fell short (the rest waits for a carve).
   * Cheap to call often: after falling short it scans again only once dirty data has grown.
   */
  spill(targetBytes: number): boolean {
    if (this.dirty <= targetBytes) return true;
    if (this.dirty < this.spillFellShortAt + this.capBytes / 16) return false;
    for (const s of this.dirtyOrder) {
      if (this.dirty <= targetBytes) break;
      if (s.spillable) s.file.spill(s);
    }
    if (this.dirty <= targetBytes) {
      this.spillFellShortAt = -Infinity;
      return true;
    }
    this.spillFellShortAt = this.dirty;
    return false;
  }

  /** Counts bytes spilled (positive) or carved or dropped from the spilled ones (negative). */
  addSpilled(bytes: number): void {
    this.spilled += bytes;
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
      this.dirtyOrder.add(s);
    } else {
      // Its bytes are the blocks' now: a later write makes a slice the log alone cannot rebuild.
      s.logged = undefined;
      this.dirtyOrder.delete(s);
      this.clean.add(s);
      this.spillFellShortAt = -Infinity; // a carve made room: spilling may reach its target again
    }
  }

  forget(s: Slice): void {
    if (s.dirty) this.dirty -= s.length;
    // A carve that took its bytes before must not count it again (Slices.carved).
    s.dirty = false;
    s.version++;
    this.clean.delete(s);
    this.dirtyOrder.delete(s);
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

/**
 * One file's slices: sorted by offset, never overlapping; and its spilled runs, oldest first,
 * which are older than every byte of the slices (a write after a spill makes a new slice).
 */
export class FileSlices {
  private readonly slices: Slice[] = [];
  private spilled: LoggedRun[] = [];
  /** Slices spilled so far: a read that awaited sees whether one went meanwhile. */
  spills = 0;

  constructor(private readonly cache: SliceCache) {}

  get empty(): boolean {
    return this.slices.length === 0 && this.spilled.length === 0;
  }

  /**
   * Copies `data` in at `offset` and returns the slices it went into (tell `logged` where
   * its record went); undefined (nothing changed) if the memory cap leaves no room, in which
   * case the caller spills or waits for a carve, and tries again.
   */
  write(offset: number, data: Buffer): Slice[] | undefined {
    const end = offset + data.length;
    const steps = this.plan(offset, end);
    let cost = 0;
    for (const step of steps) cost += step.kind === 'grow' ? step.capacity - step.slice.buf.length : step.length;
    const growing = steps.flatMap((step) => (step.kind === 'grow' ? [step.slice] : []));
    if (cost > 0 && !this.cache.reserve(cost, growing)) return undefined;
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
    const touched: Slice[] = [];
    for (let i = this.firstEndingAfter(offset); i < this.slices.length && this.slices[i]!.start < end; i++) {
      const s = this.slices[i]!;
      const from = Math.max(offset, s.start);
      data.copy(s.buf, from - s.start, from - offset, Math.min(end, s.end) - offset);
      if (!s.dirty) this.cache.setDirty(s, true);
      s.version++;
      s.unlogged++;
      touched.push(s);
    }
    return touched;
  }

  /**
   * The record of a write into `touched` is in the log at `place` (or never will be: null),
   * its first byte at file offset `offset`. Each slice keeps the part of it that it holds.
   */
  logged(touched: readonly Slice[], offset: number, length: number, place: LogPlace | null): void {
    for (const s of touched) {
      s.unlogged--;
      const runs = s.logged;
      if (runs === undefined) continue;
      if (
        place === null ||
        runs.length >= SPILL_MAX_RUNS ||
        (runs.length > 0 && runs[runs.length - 1]!.lsn > place.lsn)
      ) {
        s.logged = undefined;
        continue;
      }
      const from = Math.max(offset, s.start);
      const to = Math.min(offset + length, s.start + s.length);
      if (from < to) runs.push({ ...place, at: place.at + (from - offset), offset: from, length: to - from });
    }
  }

  /** Drops the slice from memory; its logged runs stand for it until carved (SliceCache.spill). */
  spill(s: Slice): void {
    const i = this.indexAfter(s.start);
    if (this.slices[i] === s) this.slices.splice(i, 1);
    for (const run of s.logged!) {
      // The slice may have been clipped since a run was logged.
      run.length = Math.min(run.length, s.end - run.offset);
    }
    this.keepSpilled(s.logged!.filter((run) => run.length > 0));
    s.logged = undefined;
    this.cache.forget(s);
    this.spills++;
  }

  /** Runs only the log holds, oldest first: a spilled slice's, or what recovery found (recovery.ts). */
  keepSpilled(runs: readonly LoggedRun[]): void {
    for (const run of runs) {
      this.spilled.push(run);
      this.cache.addSpilled(run.length);
    }
  }

  /** The spilled runs that overlap [offset, offset + length), oldest first. */
  spilledIn(offset: number, length: number): LoggedRun[] {
    return this.spilled.filter((r) => overlaps(r, offset, length));
  }

  /** Every spilled run, oldest first, for a carve (`carvedSpilled` once durable). */
  spilledRuns(): LoggedRun[] {
    return this.spilled.slice();
  }

  /** Forgets spilled runs a carve made durable in the blocks. */
  carvedSpilled(runs: readonly LoggedRun[]): void {
    if (runs.length === 0) return;
    const done = new Set(runs);
    this.spilled = this.spilled.filter((r) => {
      if (!done.has(r)) return true;
      this.cache.addSpilled(-r.length);
      return false;
    });
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
    return (s !== undefined && s.start < offset + length) || this.spilledOverlaps(offset, length);
  }

  hasDirtyIn(offset: number, length: number): boolean {
    if (this.spilledOverlaps(offset, length)) return true;
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

  /**
   * The dirty slices as they are now (views: carve them before the next await lets writes
   * in, or accept re-carving), kept in memory until `carved` ends the carve.
   */
  dirtyRuns(): DirtyRun[] {
    return this.slices
      .filter((s) => s.dirty)
      .map((s) => {
        s.carving = true;
        return { slice: s, version: s.version, offset: s.start, data: s.buf.subarray(0, s.length) };
      });
  }

  /** Ends a carve of `runs`; if it made them durable, marks clean those nothing wrote to since. */
  carved(runs: readonly DirtyRun[], durable: boolean): void {
    for (const r of runs) {
      r.slice.carving = false;
      if (durable && r.slice.version === r.version && r.slice.dirty) this.cache.setDirty(r.slice, false);
    }
  }

  get hasDirty(): boolean {
    return this.spilled.length > 0 || this.slices.some((s) => s.dirty);
  }

  /** Drops every byte at or past `size`. */
  clip(size: number): void {
    this.spilled = this.spilled.filter((r) => {
      const cut = Math.max(0, r.offset + r.length - Math.max(size, r.offset));
      this.cache.addSpilled(-cut);
      r.length -= cut;
      return r.length > 0;
    });
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

  private spilledOverlaps(offset: number, length: number): boolean {
    return this.spilled.some((r) => overlaps(r, offset, length));
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

const overlaps = (r: LoggedRun, offset: number, length: number): boolean =>
  r.offset < offset + length && r.offset + r.length > offset;
