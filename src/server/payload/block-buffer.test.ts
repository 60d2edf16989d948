import { describe, expect, it } from 'vitest';
import { BlockBuffer } from './block-buffer.ts';

const SIZE = 64;

/** A buffer full of stale bytes, as the pool hands them out. */
function stale(): BlockBuffer {
  return new BlockBuffer(Buffer.alloc(SIZE, 0xee));
}

function write(b: BlockBuffer, at: number, text: string): boolean {
  const src = Buffer.from(text);
  return b.write(at, src, 0, src.length);
}

function read(b: BlockBuffer, at: number, n: number): string {
  const out = Buffer.alloc(n, 0xaa);
  b.readInto(out, 0, at, n);
  return out.toString('latin1');
}

describe('BlockBuffer', () => {
  it('reads written ranges before any merge, coalescing touching writes', () => {
    const b = stale();
    write(b, 10, 'abc');
    write(b, 13, 'def');
    write(b, 30, 'xyz');
    expect(b.canRead(10, 6)).toBe(true);
    expect(b.canRead(9, 2)).toBe(false);
    expect(b.canRead(15, 16)).toBe(false);
    write(b, 16, 'g'.repeat(14));
    expect(b.canRead(10, 23)).toBe(true);
    expect(read(b, 10, 23)).toBe(`abcdef${'g'.repeat(14)}xyz`);
    expect(b.loaded).toBe(false);
  });

  it('merges the stored block into the gaps only', () => {
    const b = stale();
    write(b, 2, 'NEW');
    write(b, 20, 'END');
    b.merge(Buffer.from('0123456789abcdef'));
    expect(b.loaded).toBe(true);
    expect(b.contents().toString('latin1')).toBe(`01NEW56789abcdef\0\0\0\0END`);
    expect(read(b, 20, 10)).toBe(`END${'\0'.repeat(7)}`);
  });

  it('zeroes gaps when nothing is stored and when writing past the end', () => {
    const b = stale();
    write(b, 4, 'x');
    b.merge(undefined);
    expect(b.contents().toString('latin1')).toBe('\0\0\0\0x');
    write(b, 8, 'y');
    expect(b.contents().toString('latin1')).toBe('\0\0\0\0x\0\0\0y');
    b.clip(2);
    write(b, 6, 'z');
    expect(b.contents().toString('latin1')).toBe('\0\0\0\0\0\0z');
  });

  it('reports completion once, when the block becomes fully written', () => {
    const b = stale();
    expect(write(b, 32, 'b'.repeat(32))).toBe(false);
    expect(write(b, 0, 'a'.repeat(32))).toBe(true);
    expect(b.loaded).toBe(true);
    expect(write(b, 0, 'c')).toBe(false);

    const appended = stale();
    write(appended, 0, 'a');
    appended.merge(Buffer.from('a'.repeat(40)));
    expect(write(appended, 40, 'b'.repeat(24))).toBe(true);
  });
});
