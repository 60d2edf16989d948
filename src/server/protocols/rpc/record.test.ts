import { describe, expect, it } from 'vitest';
import { hex } from '../testing/hex.ts';
import { XdrWriter } from '../xdr/writer.ts';
import { RecordDecoder, sealRecord } from './record.ts';

describe('RecordDecoder', () => {
  it('returns records read into its receive buffer as views of it, uncopied', () => {
    const bytes = hex(`
      80000008            # last fragment, 8 bytes
      00000001 00000002   # record
      80000004 00000003   # second record, 4 bytes
    `);
    const d = new RecordDecoder(1024);
    const into = d.readBuffer();
    expect(into.length).toBeGreaterThanOrEqual(64 * 1024);
    bytes.copy(into);
    d.received(bytes.length);
    const a = d.next() as Buffer;
    expect(a.toString('hex')).toBe('0000000100000002');
    expect(a.buffer).toBe(into.buffer);
    expect(a.byteOffset).toBe(into.byteOffset + 4);
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

  it('reuses receive space only once every record in it is recycled', () => {
    const len = 300 * 1024;
    const frame = (fill: number): Buffer => {
      const f = Buffer.alloc(4 + len, fill);
      f.writeUInt32BE((0x80000000 | len) >>> 0);
      return f;
    };
    const d = new RecordDecoder(1024 * 1024);
    const take = (fill: number): Buffer => {
      d.push(frame(fill));
      return d.next() as Buffer;
    };
    // Large records make the decoder size its buffers for several of them.
    const records = [1, 2, 3, 4, 5, 6, 7, 8].map(take);
    const buffers = new Set(records.map((r) => r.buffer));
    expect(buffers.size).toBeGreaterThan(1);
    records.forEach((r, i) => expect(r.every((x) => x === i + 1)).toBe(true));
    // Nothing recycled: later records never land on earlier ones.
    const more = [9, 10, 11, 12].map(take);
    const overlaps = (a: Buffer, b: Buffer): boolean =>
      a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;
    for (const r of more) expect(records.some((old) => overlaps(old, r))).toBe(false);
    records.forEach((r, i) => expect(r.every((x) => x === i + 1)).toBe(true));
    // Recycled (twice, and a foreign buffer: both ignored), their space comes back.
    for (const r of [...records, ...more]) d.recycle(r);
    d.recycle(records[0]!);
    d.recycle(Buffer.alloc(len));
    const reused = [13, 14, 15, 16, 17, 18, 19, 20].map(take);
    expect(reused.some((r) => buffers.has(r.buffer))).toBe(true);
    reused.forEach((r, i) => expect(r.every((x) => x === i + 13)).toBe(true));
    expect(d.pending).toBe(0);
  });

  it('streams large records through a few receive buffers, and lets the spares go when told', () => {
    const len = 1024 * 1024;
    const frame = Buffer.alloc(4 + len, 7);
    frame.writeUInt32BE((0x80000000 | len) >>> 0);
    const d = new RecordDecoder(2 * len);
    // Socket reads of up to 64 KiB from an endless stream of such records.
    let sent = 0;
    const received = (): Buffer => {
      for (let record = d.next(); ; record = d.next()) {
        if (record !== undefined) return record;
        const at = sent % frame.length;
        const n = frame.copy(d.readBuffer(), 0, at, Math.min(frame.length, at + 64 * 1024));
        d.received(n);
        sent += n;
      }
    };
    // A copy with WRITEs of 1 MiB in flight, answered in bursts (as blocks fill): 16 stay
    // out, and every 12 more received, the 12 oldest are recycled at once.
    const out: Buffer[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for (let i = 0; i < 256; i++) {
      const r = received();
      buffers.add(r.buffer);
      out.push(r);
      if (out.length === 28) for (const done of out.splice(0, 12)) d.recycle(done);
    }
    // Up to 28 MiB out at a time lie in 8 buffers of 4 MiB, and a few more rotate through
    // them (keeping two spares made it 49 buffers, a fresh one every 5 records).
    expect(buffers.size).toBeLessThanOrEqual(12);
    for (const r of out.splice(0)) d.recycle(r);
    // Quiet for a while: the spares go, and a new burst finds only the current buffer.
    d.trimSpares();
    const burst = Array.from({ length: 12 }, received);
    expect(new Set(burst.filter((r) => buffers.has(r.buffer)).map((r) => r.buffer)).size).toBe(1);
  });

  it('keeps a record whole when it arrives in pieces across a buffer switch', () => {
    const d = new RecordDecoder(4 * 1024 * 1024);
    const body = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = i % 251;
    const framed = Buffer.concat([Buffer.from([0x80, 0x10, 0x00, 0x00]), body]);
    // A small record first, held (not recycled), then the large one in 1000-byte pieces.
    d.push(hex('80000004 cafef00d'));
    const small = d.next() as Buffer;
    for (let i = 0; i < framed.length; i += 1000) d.push(framed.subarray(i, i + 1000));
    const big = d.next() as Buffer;
    expect(big.equals(body)).toBe(true);
    expect(small.toString('hex')).toBe('cafef00d');
  });

  it('holds a record back at its header until its gate admits it, and offers reads no further', () => {
    const asked: number[] = [];
    let open = false;
    let settled = 0;
    const gate = {
      admit: (bytes: number) => (asked.push(bytes), open),
      settle: () => void settled++,
    };
    const d = new RecordDecoder(4 * 1024 * 1024, gate);
    const len = 1024 * 1024;
    d.push(Buffer.from([0x80, 0x10, 0x00, 0x00]));
    d.push(Buffer.alloc(1000, 1));
    expect(d.next()).toBeUndefined();
    expect(d.next()).toBeUndefined();
    expect(asked).toEqual([len, len]);
    // Unadmitted, a record is offered one read's worth of room, not the rest of its length.
    expect(d.readBuffer().length).toBe(64 * 1024);
    open = true;
    expect(d.next()).toBeUndefined();
    expect(d.readBuffer().length).toBe(len - 1000 + 64 * 1024);
    d.push(Buffer.alloc(len - 1000, 1));
    expect(d.next()?.length).toBe(len);
    expect(settled).toBe(1);
  });

  it('asks the gate for the whole record at each fragment, and settles a dead stream', () => {
    const asked: number[] = [];
    let settled = 0;
    const gate = { admit: (bytes: number) => (asked.push(bytes), true), settle: () => void settled++ };
    const d = new RecordDecoder(16, gate);
    d.push(hex('00000004 01020304 00000004 05060708 # two fragments, not last'));
    d.push(hex('80000010 # last fragment: too much'));
    expect(d.next()).toBeUndefined();
    expect(asked).toEqual([4, 8]);
    expect(d.error).toBeDefined();
    expect(settled).toBe(1);
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
