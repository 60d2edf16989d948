import { describe, expect, it } from 'vitest';
import { FileSlices, MAX_SLICE_BYTES, SliceCache } from './slices.ts';

const read = (f: FileSlices, offset: number, length: number): string => {
  const out = Buffer.alloc(length, '.');
  f.overlay(offset, out);
  return out.toString();
};

describe('FileSlices', () => {
  it('sequential writes extend one slice; newest bytes win on overlap', () => {
    const cache = new SliceCache(1024 * 1024);
    const f = new FileSlices(cache);
    f.write(0, Buffer.from('aaaa'));
    f.write(4, Buffer.from('bbbb'));
    f.write(8, Buffer.from('cccc'));
    expect(f.dirtyRuns().map((r) => [r.offset, r.data.toString()])).toEqual([[0, 'aaaabbbbcccc']]);
    f.write(2, Buffer.from('XXXXXX'));
    f.write(20, Buffer.from('zz'));
    f.write(10, Buffer.from('YYYYYYYYYYYY')); // over the end of one slice, a gap, and the start of the next
    expect(read(f, 0, 24)).toBe('aaXXXXXXccYYYYYYYYYYYY..');
    expect(f.covers(0, 22)).toBe(true);
    expect(f.covers(0, 23)).toBe(false);
    expect(cache.stats().dirtyBytes).toBe(22);
  });

  it('a slice stops at 4 MiB: a longer run continues in the next', () => {
    const f = new FileSlices(new SliceCache(16 * MAX_SLICE_BYTES));
    const chunk = Buffer.alloc(MAX_SLICE_BYTES / 2, 1);
    for (let i = 0; i < 5; i++) f.write(i * chunk.length, chunk);
    expect(f.dirtyRuns().map((r) => [r.offset, r.data.length])).toEqual([
      [0, MAX_SLICE_BYTES],
      [MAX_SLICE_BYTES, MAX_SLICE_BYTES],
      [2 * MAX_SLICE_BYTES, MAX_SLICE_BYTES / 2],
    ]);
  });

  it('a carve marks clean only what nothing rewrote meanwhile', () => {
    const cache = new SliceCache(1024 * 1024);
    const f = new FileSlices(cache);
    f.write(0, Buffer.from('aaaa'));
    f.write(100, Buffer.from('bbbb'));
    const runs = f.dirtyRuns();
    f.write(101, Buffer.from('B'));
    f.carved(runs, true);
    expect(f.dirtyRuns().map((r) => r.offset)).toEqual([100]);
    expect(cache.stats().dirtyBytes).toBe(4);
  });

  it('memory is bounded: clean slices are evicted oldest first, dirty ones never', () => {
    const cache = new SliceCache(100);
    const a = new FileSlices(cache);
    const b = new FileSlices(cache);
    expect(a.write(0, Buffer.alloc(40, 'a'))).toBeDefined();
    expect(b.write(0, Buffer.alloc(40, 'b'))).toBeDefined();
    // Full of dirty data: the write is refused and nothing changes.
    expect(a.write(1000, Buffer.alloc(40, 'c'))).toBeUndefined();
    expect(cache.stats()).toEqual({ bytes: 80, dirtyBytes: 80, spilledBytes: 0, capBytes: 100 });
    b.carved(b.dirtyRuns(), true);
    a.carved(a.dirtyRuns(), true);
    read(b, 0, 1); // b used last: a is the older clean slice
    expect(a.write(1000, Buffer.alloc(40, 'c'))).toBeDefined();
    expect(a.covers(0, 40)).toBe(false);
    expect(b.covers(0, 40)).toBe(true);
    expect(cache.stats()).toEqual({ bytes: 80, dirtyBytes: 40, spilledBytes: 0, capBytes: 100 });
  });

  it('a clean slice about to grow is never the one evicted for it', () => {
    const cache = new SliceCache(100);
    const a = new FileSlices(cache);
    const b = new FileSlices(cache);
    a.write(0, Buffer.alloc(40, 'a'));
    a.carved(a.dirtyRuns(), true);
    b.write(0, Buffer.alloc(40, 'b'));
    expect(a.write(40, Buffer.alloc(40, 'A'))).toBeUndefined();
    expect(read(a, 0, 40)).toBe('a'.repeat(40));
    expect(cache.stats()).toEqual({ bytes: 80, dirtyBytes: 40, spilledBytes: 0, capBytes: 100 });
  });

  it('clip drops bytes past the new size', () => {
    const cache = new SliceCache(1024);
    const f = new FileSlices(cache);
    f.write(0, Buffer.from('0123456789'));
    f.write(20, Buffer.from('abc'));
    f.clip(5);
    expect(f.covers(0, 5)).toBe(true);
    expect(f.intersects(5, 100)).toBe(false);
    expect(cache.stats().dirtyBytes).toBe(5);
  });
});
