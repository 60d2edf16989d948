import { describe, expect, it } from 'vitest';
import { LazyMarks } from './lazy-marks.ts';

describe('LazyMarks: lazily stored files, bounded', () => {
  const controlled = () => {
    const syncs: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
    const syncAll = () => new Promise<void>((resolve, reject) => syncs.push({ resolve, reject }));
    return { syncs, syncAll };
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('hands a mark to the first durable store that asks, once', () => {
    const { syncs, syncAll } = controlled();
    const marks = new LazyMarks(syncAll, 4);
    marks.mark(1);
    expect(marks.take(1)).toBe(true);
    expect(marks.take(1)).toBe(false);
    expect(marks.take(2)).toBe(false);
    expect(syncs).toHaveLength(0);
  });

  it('past the limit, syncs once and drops the marks that sync made durable', async () => {
    const { syncs, syncAll } = controlled();
    const marks = new LazyMarks(syncAll, 4);
    for (const fileid of [1, 2, 3, 4]) marks.mark(fileid);
    expect(syncs).toHaveLength(1);
    expect(marks.size).toBe(0);
    marks.mark(5);
    // While that sync runs, an earlier mark still counts: its file may not be durable yet.
    expect(marks.take(1)).toBe(true);
    syncs[0]!.resolve();
    await settle();
    expect(marks.take(2)).toBe(false);
    expect(marks.take(5)).toBe(true);
  });

  it('keeps the marks when that sync fails', async () => {
    const { syncs, syncAll } = controlled();
    const marks = new LazyMarks(syncAll, 2);
    marks.mark(1);
    marks.mark(2);
    syncs[0]!.reject(new Error('EIO'));
    await settle();
    expect(marks.take(1)).toBe(true);
    expect(marks.take(2)).toBe(true);
  });
});
