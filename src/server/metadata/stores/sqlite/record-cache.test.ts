import { describe, expect, it } from 'vitest';
import { sampleRecord } from '../../storetest/suite.ts';
import type { FileRecord } from '../../store.ts';
import { RecordCache } from './record-cache.ts';

const record = (fileid: number): FileRecord => {
  const rec = sampleRecord();
  return { ...rec, attr: { ...rec.attr, fileid } };
};

describe('RecordCache', () => {
  it('drops the entries stored longest ago, and counts a record stored again as new', () => {
    const cache = new RecordCache(3);
    for (const id of [1, 2, 3]) cache.set(record(id));
    cache.set(record(1)); // written again: now the newest
    cache.set(record(4));
    expect([1, 2, 3, 4].map((id) => cache.get(id) !== undefined)).toEqual([true, false, true, true]);
    cache.set(record(5));
    expect([1, 3, 4, 5].map((id) => cache.get(id) !== undefined)).toEqual([true, false, true, true]);
  });
});
