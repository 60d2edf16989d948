import { describe, expect, it } from 'vitest';
import { assertValidKey } from './blockstore.ts';
import { BLOCK_SIZE, blockIndexOf, blockKey, blockSpans, CHUNK_SIZE, payloadPrefix } from './layout.ts';

describe('payload layout', () => {
  it('keys blocks by payload, chunk and block', () => {
    expect(blockKey('p/', 0)).toBe('p/0/0');
    expect(blockKey('p/', 15)).toBe('p/0/15');
    expect(blockKey('p/', 16)).toBe('p/1/0');
    expect(blockKey('p/', 2 ** 30 + 3)).toBe(`p/${2 ** 26}/3`);
    for (const index of [0, 15, 16, 17, 2 ** 30 + 3]) expect(blockIndexOf('p/', blockKey('p/', index))).toBe(index);
    expect(blockIndexOf('p/', 'p/0/16')).toBeUndefined();
    expect(blockIndexOf('p/', 'q/0/1')).toBeUndefined();
    expect(blockIndexOf('p/', 'p/0')).toBeUndefined();
  });

  it('escapes payload ids into distinct valid keys', () => {
    const ids = ['6f1c2d3e-0000-4000-8000-000000000001', 'A', 'a', '_41', 'x.y', 'x_2ey', '..', 'é', 'a/b', 'a b'];
    const prefixes = ids.map(payloadPrefix);
    expect(new Set(prefixes).size).toBe(ids.length);
    expect(prefixes[0]).toBe(`${ids[0]}/`);
    expect(payloadPrefix('A')).toBe('_41/');
    for (const prefix of prefixes) assertValidKey(blockKey(prefix, 17));
    expect(() => payloadPrefix('')).toThrow();
    expect(() => payloadPrefix('x'.repeat(201))).toThrow();
  });

  it('splits ranges at block boundaries', () => {
    expect([...blockSpans(0, 0)]).toEqual([]);
    expect([...blockSpans(10, 100)]).toEqual([{ index: 0, at: 10, pos: 0, n: 100 }]);
    expect([...blockSpans(CHUNK_SIZE - 10, BLOCK_SIZE + 20)]).toEqual([
      { index: 15, at: BLOCK_SIZE - 10, pos: 0, n: 10 },
      { index: 16, at: 0, pos: 10, n: BLOCK_SIZE },
      { index: 17, at: 0, pos: BLOCK_SIZE + 10, n: 10 },
    ]);
  });
});
