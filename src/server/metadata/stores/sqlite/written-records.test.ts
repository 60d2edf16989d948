import { describe, expect, it } from 'vitest';
import { sampleRecord } from '../../storetest/suite.ts';
import type { FileRecord } from '../../store.ts';
import { RecordCache } from './record-cache.ts';
import { WrittenRecords } from './written-records.ts';

const record = (fileid: number, size: number): FileRecord => {
  const rec = sampleRecord();
  return { ...rec, attr: { ...rec.attr, fileid, size } };
};

describe('WrittenRecords', () => {
  it('reads back a body and its group, and gives the cache only what a committed group wrote', () => {
    const cache = new RecordCache();
    const committed = record(1, 10);
    cache.set(committed);
    const w = new WrittenRecords(cache);

    w.put(record(1, 11));
    w.delete(2);
    expect(w.get(1)?.attr.size).toBe(11);
    expect(w.get(2)).toBeNull();
    w.bodyEnded(true);
    w.put(record(1, 12));
    w.put(record(2, 20));
    expect(w.get(1)?.attr.size).toBe(12);
    w.bodyEnded(false); // rolled back to its savepoint
    expect(w.get(1)?.attr.size).toBe(11);
    expect(w.get(2)).toBeNull();
    expect(cache.get(1)).toBe(committed);

    w.groupEnded(false);
    expect(w.get(1)).toBeUndefined();
    expect(cache.get(1)).toBe(committed);

    cache.set(record(2, 20));
    w.put(record(1, 13));
    w.delete(2);
    w.bodyEnded(true);
    w.groupEnded(true);
    expect(cache.get(1)?.attr.size).toBe(13);
    expect(cache.get(2)).toBeUndefined();
    expect(w.get(1)).toBeUndefined();
  });
});
