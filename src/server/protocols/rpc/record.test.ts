import { describe, expect, it } from 'vitest';
import { hex } from '../testing/hex.ts';
import { XdrWriter } from '../xdr/writer.ts';
import { RecordDecoder, sealRecord } from './record.ts';

describe('RecordDecoder', () => {
  it('returns a record within one chunk as a view of it', () => {
    const chunk = hex(`
      80000008            # last fragment, 8 bytes
      00000001 00000002   # record
      80000004 00000003   # second record, 4 bytes
    `);
    const d = new RecordDecoder(1024);
    d.push(chunk);
    const a = d.next() as Buffer;
    expect(a.toString('hex')).toBe('0000000100000002');
    expect(a.buffer).toBe(chunk.buffer);
    expect((d.next() as Buffer).toString('hex')).toBe('00000003');
    expect(d.next()).toBeUndefined();
    expect(d.pending).toBe(0);
  });

  it('joins a multi-fragment record', () => {
    const d = new RecordDecoder(1024);
    d.push(
      hex(`
        00000004 aabbccdd   # fragment 1 (not last), 4 bytes
        00000002 eeff       # fragment 2 (not last), 2 bytes
        80000003 010203     # last fragment, 3 bytes
      `),
    );
    expect((d.next() as Buffer).toString('hex')).toBe('aabbccddeeff010203');
  });

  it('reassembles a record split across chunks at every byte', () => {
    const stream = hex(`
      00000003 616263     # fragment "abc"
      80000005 6465666768 # last fragment "defgh"
      80000001 7a         # record "z"
    `);
    const d = new RecordDecoder(1024);
    const out: string[] = [];
    for (const byte of stream) {
      d.push(Buffer.from([byte]));
      for (let r = d.next(); r; r = d.next()) out.push(r.toString());
    }
    expect(out).toEqual(['abcdefgh', 'z']);
  });

  it('rejects an oversized fragment header before buffering anything', () => {
    const d = new RecordDecoder(1024 * 1024);
    d.push(hex('ffffffff # last fragment claiming 2 GiB - 1'));
    d.push(Buffer.alloc(1000));
    expect(d.next()).toBeUndefined();
    expect(d.error).toMatch(/record of more than/);
    expect(d.pending).toBe(0);
    d.push(Buffer.alloc(10));
    expect(d.next()).toBeUndefined();
  });

  it('counts earlier fragments against the limit', () => {
    const d = new RecordDecoder(6);
    d.push(hex('00000004 01020304 # 4 bytes, not last'));
    d.push(hex('80000004 # last fragment: 8 bytes in all'));
    expect(d.next()).toBeUndefined();
    expect(d.error).toBeDefined();
  });

  it('reuses the buffer of a large recycled record, and only once it is recycled', () => {
    const len = 128 * 1024;
    const frame = (fill: number): Buffer[] => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE((0x80000000 | len) >>> 0);
      const body = Buffer.alloc(len, fill);
      return [Buffer.concat([header, body.subarray(0, 1000)]), body.subarray(1000)];
    };
    const d = new RecordDecoder(1024 * 1024);
    for (const c of [...frame(1), ...frame(2)]) d.push(c);
    const a = d.next() as Buffer;
    const b = d.next() as Buffer;
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.every((x) => x === 1)).toBe(true);
    d.recycle(a);
    d.recycle(a); // a second return is ignored
    d.recycle(Buffer.alloc(len)); // so is a buffer it never lent
    for (const c of [...frame(3), ...frame(4)]) d.push(c);
    const c = d.next() as Buffer;
    const e = d.next() as Buffer;
    expect(c.buffer).toBe(a.buffer);
    expect(e.buffer).not.toBe(a.buffer);
    expect(c.length).toBe(len);
    expect(c.every((x) => x === 3)).toBe(true);
    expect(b.every((x) => x === 2)).toBe(true);
    expect(e.every((x) => x === 4)).toBe(true);
  });

  it('yields an empty record for an empty last fragment', () => {
    const d = new RecordDecoder(16);
    d.push(hex('80000000'));
    expect(d.next()?.length).toBe(0);
  });
});

describe('sealRecord', () => {
  it('frames header and bulk data with padding as separate chunks', () => {
    const w = new XdrWriter(64);
    w.u32(0).u32(0x11111111);
    const data = Buffer.from('abcde');
    const chunks = sealRecord(w, data);
    expect(chunks).toHaveLength(3);
    expect(chunks[0]).toEqual(hex('8000000c 11111111 # last fragment: 4 + 5 + 3 pad'));
    expect(chunks[1]).toBe(data);
    expect(chunks[2]).toEqual(hex('000000'));
  });

  it('frames a header-only reply', () => {
    const w = new XdrWriter(64);
    w.u32(0).u32(7);
    expect(sealRecord(w, undefined)).toEqual([hex('80000004 00000007')]);
  });
});
