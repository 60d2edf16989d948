/** NFSv4.2 data operations: SEEK, ALLOCATE, DEALLOCATE, READ_PLUS, COPY and CLONE, through COMPOUND against the real services. */
import { describe, expect, it } from 'vitest';
import {
  compound,
  GETFH,
  harness,
  lookup,
  op,
  openCreate,
  PUTROOTFH,
  read,
  SAVEFH,
  sid,
  write,
  type Enc,
} from '../../testing/nfs4-compound.ts';
import { XdrWriter } from '../../xdr/writer.ts';
import { A } from './attrs.ts';
import { Nfs4Status as S, Op } from './constants.ts';
import type { Stateid } from './state-types.ts';

const range = (o: number, s: Stateid, offset: number, length: number) =>
  op(o, (w) => (sid(s)(w), void w.u64(offset).u64(length)));
const seek = (s: Stateid, offset: number, what: 0 | 1) => op(Op.SEEK, (w) => (sid(s)(w), void w.u64(offset).u32(what)));
const readPlus = (s: Stateid, offset: number, count: number) =>
  op(Op.READ_PLUS, (w) => (sid(s)(w), void w.u64(offset).u32(count)));
const copy = (src: Stateid, dst: Stateid, srcOffset: number, dstOffset: number, count: number, servers = 0) =>
  op(Op.COPY, (w) => {
    sid(src)(w);
    sid(dst)(w);
    w.u64(srcOffset).u64(dstOffset).u64(count).bool(false).bool(true).u32(servers);
    for (let i = 0; i < servers; i++) w.u32(1).string('elsewhere');
  });
const clone = (src: Stateid, dst: Stateid, srcOffset: number, dstOffset: number, count: number) =>
  op(Op.CLONE, (w) => {
    sid(src)(w);
    sid(dst)(w);
    w.u64(srcOffset).u64(dstOffset).u64(count);
  });
const getattrSize = op(Op.GETATTR, (w) => void w.u32(1).u32(1 << A.SIZE));

async function session42() {
  const h = await harness({ minor: 2 });
  const ex = await h.run([
    op(Op.EXCHANGE_ID, (w) => {
      w.opaqueFixed(Buffer.alloc(8, 1)).opaque(Buffer.from('c42')).u32(0).u32(0).u32(0);
    }),
  ]);
  const { clientid, sequenceid } = h.body(ex, 0);
  const cs = await h.run([
    op(Op.CREATE_SESSION, (w) => {
      w.opaqueFixed(clientid).u32(sequenceid).u32(0);
      for (let i = 0; i < 2; i++)
        w.u32(0)
          .u32(1 << 20)
          .u32(1 << 20)
          .u32(4096)
          .u32(16)
          .u32(4)
          .u32(0);
      w.u32(0).u32(0);
    }),
  ]);
  expect(h.statuses(cs)).toEqual([S.OK]);
  const sessionid = h.body(cs, 0).sessionid as Buffer;
  let seq = 0;
  const inSession = (ops: Enc[]) =>
    h.run([op(Op.SEQUENCE, (w) => void w.opaqueFixed(sessionid).u32(++seq).u32(0).u32(0).bool(false)), ...ops]);
  /** Creates and opens /export/name; its content is `data`. */
  const file = async (name: string, data: Buffer) => {
    const res = await inSession([PUTROOTFH, lookup('export'), openCreate(clientid, name, 0, name), GETFH]);
    expect(h.statuses(res)).toEqual([S.OK, S.OK, S.OK, S.OK, S.OK]);
    const fh = h.body(res, 4) as Buffer;
    const stateid: Stateid = { seqid: 0, other: h.body(res, 3).stateid.other };
    const putfh = op(Op.PUTFH, (w) => void w.opaque(fh));
    if (data.length > 0) expect((await inSession([putfh, write(stateid, 0, data)])).status).toBe(S.OK);
    return { fh, stateid, putfh };
  };
  return { ...h, inSession, file, sessionid, nextSeq: () => ++seq };
}

describe('NFSv4.2 operations', () => {
  it('SEEK finds data before the end and the hole at the end; NXIO past it', async () => {
    const h = await session42();
    const f = await h.file('seek', Buffer.alloc(10_000, 7));
    const data = await h.inSession([f.putfh, seek(f.stateid, 4096, 0)]);
    expect(h.body(data, 2)).toEqual({ eof: false, offset: 4096 });
    const hole = await h.inSession([f.putfh, seek(f.stateid, 0, 1)]);
    expect(h.body(hole, 2)).toEqual({ eof: true, offset: 10_000 });
    expect(h.statuses(await h.inSession([f.putfh, seek(f.stateid, 10_000, 0)]))).toEqual([S.OK, S.OK, S.NXIO]);
  });

  it('ALLOCATE extends the file, DEALLOCATE zeroes a range without changing the size', async () => {
    const h = await session42();
    const f = await h.file('alloc', Buffer.alloc(8192, 0x61));
    const grown = await h.inSession([f.putfh, range(Op.ALLOCATE, f.stateid, 4096, 16_384), getattrSize]);
    expect(h.statuses(grown)).toEqual([S.OK, S.OK, S.OK, S.OK]);
    expect(h.body(grown, 3).source.attr.size).toBe(20_480);
    const punched = await h.inSession([
      f.putfh,
      range(Op.DEALLOCATE, f.stateid, 1000, 2000),
      read(f.stateid, 0, 8192),
      getattrSize,
    ]);
    expect(h.statuses(punched)).toEqual([S.OK, S.OK, S.OK, S.OK, S.OK]);
    const back = h.body(punched, 3).data as Buffer;
    expect(back.subarray(0, 1000).every((b) => b === 0x61)).toBe(true);
    expect(back.subarray(1000, 3000).every((b) => b === 0)).toBe(true);
    expect(back.subarray(3000, 8192).every((b) => b === 0x61)).toBe(true);
    expect(h.body(punched, 4).source.attr.size).toBe(20_480);
    expect(h.statuses(await h.inSession([f.putfh, range(Op.ALLOCATE, f.stateid, 0, 0)]))).toEqual([
      S.OK,
      S.OK,
      S.INVAL,
    ]);
  });

  it('READ_PLUS answers one data segment, none at the end, and encodes it', async () => {
    const h = await session42();
    const f = await h.file('rp', Buffer.from('read plus data'));
    const res = await h.inSession([f.putfh, readPlus(f.stateid, 5, 100)]);
    expect(h.body(res, 2)).toEqual({ eof: true, offset: 5, data: Buffer.from('plus data') });
    const w = new XdrWriter(1024);
    const bulk = res.results[2]!.handler!.encode(w, res.results[2]!.res, false);
    expect(bulk).toBeUndefined();
    expect(w.finish().toString('hex')).toBe(
      '00000001' +
        '00000001' +
        '00000000' +
        '0000000000000005' +
        '00000009' +
        Buffer.from('plus data\0\0\0').toString('hex'),
    );
    const end = await h.inSession([f.putfh, readPlus(f.stateid, 100, 10)]);
    expect(h.body(end, 2).data.length).toBe(0);
  });

  it('COPY copies within a share from the saved to the current file', async () => {
    const h = await session42();
    const content = Buffer.from('0123456789abcdef'.repeat(4096)); // 64 KiB
    const src = await h.file('copy-src', content);
    const dst = await h.file('copy-dst', Buffer.alloc(0));
    const res = await h.inSession([src.putfh, SAVEFH, dst.putfh, copy(src.stateid, dst.stateid, 16, 100, 0)]);
    expect(h.statuses(res)).toEqual([S.OK, S.OK, S.OK, S.OK, S.OK]);
    expect(h.body(res, 4).count).toBe(content.length - 16);
    const back = await h.inSession([dst.putfh, read(dst.stateid, 0, 200_000), getattrSize]);
    expect(h.body(back, 2).data.subarray(100)).toEqual(content.subarray(16));
    expect(h.body(back, 3).source.attr.size).toBe(100 + content.length - 16);
    // Overlapping ranges of one file, an inter-server copy, and no saved filehandle are refused.
    const overlap = await h.inSession([src.putfh, SAVEFH, src.putfh, copy(src.stateid, src.stateid, 0, 10, 100)]);
    expect(overlap.status).toBe(S.INVAL);
    const remote = await h.inSession([src.putfh, SAVEFH, dst.putfh, copy(src.stateid, dst.stateid, 0, 0, 10, 1)]);
    expect(remote.status).toBe(S.NOTSUPP);
    const unsaved = await h.inSession([dst.putfh, copy(src.stateid, dst.stateid, 0, 0, 10)]);
    expect(unsaved.status).toBe(S.NOFILEHANDLE);
  });

  it('CLONE checks its ranges, and is NOTSUPP on a managed share (blocks are not shared)', async () => {
    const h = await session42();
    const src = await h.file('clone-src', Buffer.alloc(10_000, 3));
    const dst = await h.file('clone-dst', Buffer.alloc(0));
    const run = (...ops: Enc[]) => h.inSession([src.putfh, SAVEFH, dst.putfh, ...ops]);
    expect((await run(clone(src.stateid, dst.stateid, 0, 0, 0))).status).toBe(S.NOTSUPP);
    expect((await run(clone(src.stateid, dst.stateid, 0, 0, 10_000))).status).toBe(S.NOTSUPP);
    expect((await run(clone(src.stateid, dst.stateid, 5000, 0, 6000))).status).toBe(S.INVAL); // past the end
    expect((await run(clone(src.stateid, dst.stateid, 20_000, 0, 0))).status).toBe(S.INVAL);
    const self = await h.inSession([src.putfh, SAVEFH, src.putfh, clone(src.stateid, src.stateid, 0, 0, 0)]);
    expect(self.status).toBe(S.INVAL);
    expect((await h.inSession([dst.putfh, clone(src.stateid, dst.stateid, 0, 0, 0)])).status).toBe(S.NOFILEHANDLE);
    const back = await h.inSession([dst.putfh, getattrSize]);
    expect(h.body(back, 2).source.attr.size).toBe(0);
  });

  it('the unoffered operations answer NOTSUPP; 4.2 operations are ILLEGAL in 4.1', async () => {
    const h = await session42();
    for (const o of [Op.WRITE_SAME, Op.OFFLOAD_STATUS, Op.COPY_NOTIFY, Op.IO_ADVISE]) {
      expect(h.statuses(await h.inSession([op(o)]))).toEqual([S.OK, S.NOTSUPP]);
    }
    const v41 = await harness({ minor: 1 });
    const res = await v41.run([op(Op.SEEK)]);
    expect(res.status).toBe(S.OP_ILLEGAL);
  });
});

describe('hostile NFSv4.2 COMPOUNDs', () => {
  it('mutated data operations never throw and always encode', async () => {
    const h = await session42();
    const f = await h.file('fuzz', Buffer.alloc(5000, 1));
    // A valid SEQUENCE (fresh seqid each time) before the mutated operations, so they run.
    const request = (seqid: number) =>
      compound([op(Op.SEQUENCE, (w) => void w.opaqueFixed(h.sessionid).u32(seqid).u32(0).u32(0).bool(false)), ...ops], {
        minor: 2,
      });
    const SEQUENCE_END = 52; // tag "t", minor version, count, then SEQUENCE's opnum and arguments
    const ops = [
      f.putfh,
      SAVEFH,
      seek(f.stateid, 10, 1),
      range(Op.ALLOCATE, f.stateid, 0, 6000),
      range(Op.DEALLOCATE, f.stateid, 100, 200),
      readPlus(f.stateid, 0, 4096),
      copy(f.stateid, f.stateid, 0, 8000, 100),
      clone(f.stateid, f.stateid, 0, 0, 0),
    ];
    let seed = 777;
    let ran = 0;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 400; i++) {
      const m = request(h.nextSeq());
      for (let k = 0; k <= rnd(4); k++) {
        const at = SEQUENCE_END + rnd(m.length - SEQUENCE_END);
        if (rnd(2) === 0) m[at] = rnd(256);
        else m.writeUInt32BE([0xffffffff, 0x7fffffff, 0, 1, 59, 60, 68, 69][rnd(8)]!, Math.min(at & ~3, m.length - 4));
      }
      const res = await h.send(m);
      expect(res.results[0]?.status).toBe(S.OK);
      ran += res.results.length - 1;
    }
    expect(ran).toBeGreaterThan(400); // the mutated operations did run
  });
});
