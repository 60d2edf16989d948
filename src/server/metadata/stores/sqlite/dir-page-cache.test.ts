import { describe, expect, it } from 'vitest';
import { DirPageCache, type PageRow } from './dir-page-cache.ts';

const rows = (n: number, first = 1): PageRow[] =>
  Array.from({ length: n }, (_, i) => [`e${first + i}`, first + i, 100 + i]);

describe('DirPageCache', () => {
  it('keeps pages by directory, cookie and size, and drops a directory whole', () => {
    const cache = new DirPageCache();
    cache.set(1, 0, 3, rows(3));
    cache.set(1, 3, 3, rows(3, 4));
    cache.set(2, 0, 3, rows(1));
    expect(cache.get(1, 3, 3)).toEqual(rows(3, 4));
    expect(cache.get(1, 3, 4)).toBeUndefined();
    cache.dropDir(1);
    expect(cache.get(1, 0, 3)).toBeUndefined();
    expect(cache.get(2, 0, 3)).toEqual(rows(1));
  });

  it('stays within its bound, forgetting the directories listed longest ago', () => {
    const cache = new DirPageCache(10);
    cache.set(1, 0, 4, rows(4));
    cache.set(2, 0, 4, rows(4));
    cache.set(1, 4, 4, rows(4, 5)); // directory 1 is now the newest
    expect(cache.get(2, 0, 4)).toBeUndefined();
    expect(cache.get(1, 0, 4)).toEqual(rows(4));
    cache.set(1, 8, 4, rows(4, 9)); // over the bound alone: only the newest page stays
    expect(cache.get(1, 0, 4)).toBeUndefined();
    expect(cache.get(1, 8, 4)).toEqual(rows(4, 9));
    cache.set(3, 0, 11, rows(11)); // larger than the bound: not kept
    expect(cache.get(3, 0, 11)).toBeUndefined();
  });
});
