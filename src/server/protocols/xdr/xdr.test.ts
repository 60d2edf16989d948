import { describe, expect, it } from 'vitest';
import { hex } from '../testing/hex.ts';
import { XdrReader } from './reader.ts';
import { XdrWriter } from './writer.ts';

describe('XdrReader', () => {
  it('reads integers, hypers and bools', () => {
    const r = new XdrReader(
      hex(`
        0000002a                # u32 42
        fffffffe                # i32 -2
        001fffff ffffffff       # u64 2^53-1
        00000001                # bool TRUE
        00000000                # bool FALSE
      `),
    );
    expect(r.u32()).toBe(42);
    expect(r.i32()).toBe(-2);
    expect(r.u64()).toBe(Number.MAX_SAFE_INTEGER);
    expect(r.bool()).toBe(true);
    expect(r.bool()).toBe(false);
    expect(r.ok).toBe(true);
    expect(r.remaining).toBe(0);
  });

  it('faults on a hyper beyond 2^53 and on a bool that is not 0/1', () => {
    expect(new XdrReader(hex('00200000 00000000 # 2^53')).u64()).toBe(0);
    const r = new XdrReader(hex('00200000 00000000'));
    r.u64();
    expect(r.fault).toBe('range');
    const b = new XdrReader(hex('00000002 # bool 2'));
    b.bool();
    expect(b.fault).toBe('range');
  });

  it('returns opaque data as views into the input (no copy)', () => {
    const buf = hex(`
      00000005 0102030405 000000   # opaque<>: len 5, bytes, 3 pad
      0a0b0c0d                     # opaque[4]
    `);
    const r = new XdrReader(buf);
    const v = r.opaque(16);
    expect(v.toString('hex')).toBe('0102030405');
    expect(v.buffer).toBe(buf.buffer);
    expect(v.byteOffset).toBe(buf.byteOffset + 4);
    expect(r.opaqueFixed(4).toString('hex')).toBe('0a0b0c0d');
    expect(r.ok).toBe(true);
  });

  it('reads strings and bounds variable lengths', () => {
    const r = new XdrReader(hex('00000003 616263 00 # "abc" + 1 pad'));
    expect(r.string(3)).toBe('abc');
    const long = new XdrReader(hex('00000004 61626364 # "abcd"'));
    expect(long.string(3)).toBe('');
    expect(long.fault).toBe('too-long');
  });

  it('reports a short input once and then returns neutral values', () => {
    const r = new XdrReader(hex('00000001 0000 # u32 then half a u32'));
    expect(r.u32()).toBe(1);
    expect(r.u32()).toBe(0);
    expect(r.fault).toBe('short');
    expect(r.opaque(10).length).toBe(0);
    expect(r.string(10)).toBe('');
    expect(r.fault).toBe('short');
  });

  it('catches a length that claims more than the input holds, without allocating', () => {
    const r = new XdrReader(hex('7fffffff # opaque length 2^31-1, no data'));
    expect(r.opaque(0x7fffffff).length).toBe(0);
    expect(r.fault).toBe('short');
  });

  it('reads optional data and bounded enums', () => {
    const r = new XdrReader(hex('00000001 00000007 00000000 00000003'));
    expect(r.optional((x) => x.u32())).toBe(7);
    expect(r.optional((x) => x.u32())).toBeUndefined();
    expect(r.enumBelow(3)).toBe(0);
    expect(r.fault).toBe('range');
  });
});

describe('XdrWriter', () => {
  it('encodes with zero padding', () => {
    const w = new XdrWriter(64);
    w.u32(1)
      .u64(2 ** 32 + 5)
      .bool(true)
      .opaque(Buffer.from([9, 8, 7]))
      .string('hi')
      .opaqueFixed(Buffer.from([1, 2, 3, 4]));
    expect(w.finish()).toEqual(
      hex(`
        00000001             # u32
        00000001 00000005    # u64 2^32 + 5
        00000001             # TRUE
        00000003 090807 00   # opaque<> len 3 + pad
        00000002 6869 0000   # string "hi" + pad
        01020304             # opaque[4]
      `),
    );
  });

  it('never touches finished messages, across slab growth', () => {
    const w = new XdrWriter(16);
    w.u32(0xaaaaaaaa).u32(0xbbbbbbbb);
    const first = w.finish();
    for (let i = 0; i < 100; i++) w.u32(i);
    const second = w.finish();
    expect(first.toString('hex')).toBe('aaaaaaaabbbbbbbb');
    expect(second.length).toBe(400);
    expect(second.readUInt32BE(396)).toBe(99);
  });

  it('patches the current message and discards a partial one', () => {
    const w = new XdrWriter(64);
    w.u32(1);
    w.finish();
    w.u32(0).u32(5);
    w.patchU32(0, 7);
    expect(w.finish().toString('hex')).toBe('0000000700000005');
    w.u32(9);
    w.discard();
    w.u32(3);
    expect(w.finish().toString('hex')).toBe('00000003');
  });
});
