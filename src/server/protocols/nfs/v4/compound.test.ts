/** NFSv4.0 COMPOUND: codec, dispatch and error paths, and state (client ids, opens, leases) against the real services. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  op,
  fattr,
  sid,
  PUTROOTFH,
  GETFH,
  SAVEFH,
  lookup,
  getattr,
  putfh,
  openCreate,
  write,
  read,
  close,
  lockNew,
  lockt,
  locku,
  renew,
  compound,
  harness,
} from '../../testing/nfs4-compound.ts';
import { XdrReader } from '../../xdr/reader.ts';
import { XdrWriter } from '../../xdr/writer.ts';
import { A, bitmapOf, encodeBitmap } from './attrs.ts';
import { decodeCompoundArgs, encodeCompoundRes } from './compound.ts';
import { Nfs4Status as S, Op } from './constants.ts';
import { pseudoFileid } from './pseudo.ts';
import { runtimeOpenHolds } from './open-holds.ts';
import { Nfs4State } from './state.ts';
import type { Stateid } from './state-types.ts';

describe('COMPOUND dispatch', () => {
  it('walks the pseudo root into a share and reports its attributes', async () => {
    const { run, body, statuses } = await harness();
    const res = await run([
      PUTROOTFH,
      getattr([A.TYPE, A.FSID, A.FILEID]),
      lookup('export'),
      GETFH,
      getattr([A.TYPE, A.FSID, A.OWNER, A.MOUNTED_ON_FILEID]),
    ]);
    expect(res.status).toBe(S.OK);
    expect(res.tag.toString()).toBe('t');
    expect(statuses(res)).toEqual([0, 0, 0, 0, 0]);
    expect(body(res, 1).source.fsid).toBe(0);
    expect(body(res, 4).source.fsid).toBe(1);
    expect(body(res, 4).source.mountedOnFileid).toBe(pseudoFileid('export'));
  });

  it('encodes a reply byte for byte (PUTROOTFH, GETFH)', async () => {
    const { run } = await harness();
    const res = await run([PUTROOTFH, GETFH]);
    const w = new XdrWriter(1024);
    encodeCompoundRes(w, res);
    expect(w.finish().toString('hex')).toBe(
      '00000000' +
        '00000001' +
        '74000000' +
        '00000002' +
        '00000018' +
        '00000000' +
        '0000000a' +
        '00000000' +
        '00000001' +
        'f4000000',
    );
  });

  it('stops at the first failing operation and does not run the rest', async () => {
    const { run, statuses, rt } = await harness();
    const before = rt.samples.length;
    const res = await run([PUTROOTFH, lookup('export'), lookup('missing'), GETFH, lookup('other')]);
    expect(res.status).toBe(S.NOENT);
    expect(statuses(res)).toEqual([S.OK, S.OK, S.NOENT]);
    expect(rt.samples.length - before).toBe(3);
  });

  it('answers NOFILEHANDLE, OP_ILLEGAL, MINOR_VERS_MISMATCH, RESOURCE and BADXDR', async () => {
    const { run, send, statuses, body } = await harness();
    expect(statuses(await run([GETFH]))).toEqual([S.NOFILEHANDLE]);
    const illegal = await run([PUTROOTFH, op(9999), GETFH]);
    expect(illegal.results.map((r) => r.op)).toEqual([Op.PUTROOTFH, Op.ILLEGAL]);
    expect(illegal.status).toBe(S.OP_ILLEGAL);
    const minor = await send(compound([PUTROOTFH], { minor: 1 }));
    expect([minor.status, minor.results.length]).toEqual([S.MINOR_VERS_MISMATCH, 0]);
    const many = await send(compound([PUTROOTFH], { numOps: 0xffffffff }));
    expect([many.status, many.results.length]).toEqual([S.RESOURCE, 0]);
    const short = await send(compound([PUTROOTFH, op(Op.LOOKUP, (w) => void w.u32(1000))]));
    expect(statuses(short)).toEqual([S.OK, S.BADXDR]);
    const missingOps = await send(compound([PUTROOTFH], { numOps: 3 }));
    expect(missingOps.status).toBe(S.BADXDR);
    expect(body(missingOps, 0)).toBeUndefined();
  });

  it('refuses modifications in the pseudo filesystem and names it cannot hold', async () => {
    const { run, statuses } = await harness();
    expect(statuses(await run([PUTROOTFH, op(Op.REMOVE, (w) => void w.string('export'))]))).toEqual([S.OK, S.ROFS]);
    expect(statuses(await run([PUTROOTFH, lookup('export'), lookup('..')]))).toEqual([S.OK, S.OK, S.BADNAME]);
    expect(statuses(await run([PUTROOTFH, lookup('')]))).toEqual([S.OK, S.INVAL]);
  });
});

describe('open state', () => {
  it('opens, confirms, writes, reads and closes; CLOSE ends the stateid', async () => {
    const { run, client, openFile, statuses, body } = await harness();
    const clientid = await client();
    const { fh, stateid } = await openFile(clientid, 'o1', 'f1');
    const data = Buffer.from('hello v4');
    expect(statuses(await run([putfh(fh), write(stateid, 0, data)]))).toEqual([S.OK, S.OK]);
    const r = await run([putfh(fh), read(stateid, 0, 100)]);
    expect(body(r, 1)).toEqual({ eof: true, data });
    const c = await run([putfh(fh), close(stateid, 3)]);
    expect(statuses(c)).toEqual([S.OK, S.OK]);
    expect(statuses(await run([putfh(fh), read(stateid, 0, 1)]))).toEqual([S.OK, S.BAD_STATEID]);
    // The anonymous stateid still reads.
    const anon = await run([putfh(fh), read({ seqid: 0, other: Buffer.alloc(12) }, 0, 5)]);
    expect(body(anon, 1).data.toString()).toBe('hello');
  });

  it('refuses bad, stale and old stateids and out-of-order seqids', async () => {
    const { run, client, openFile, statuses, server } = await harness();
    const clientid = await client();
    const { fh, stateid } = await openFile(clientid, 'o1', 'f2');
    const mine = Buffer.concat([server.state.epoch, randomBytes(8)]);
    expect(statuses(await run([putfh(fh), read({ seqid: 1, other: mine }, 0, 1)]))[1]).toBe(S.BAD_STATEID);
    const foreign = Buffer.concat([Buffer.from([server.state.epoch[0]! ^ 0xff, 0, 0, 0]), randomBytes(8)]);
    expect(statuses(await run([putfh(fh), read({ seqid: 1, other: foreign }, 0, 1)]))[1]).toBe(S.STALE_STATEID);
    expect(statuses(await run([putfh(fh), read({ ...stateid, seqid: stateid.seqid - 1 }, 0, 1)]))[1]).toBe(
      S.OLD_STATEID,
    );
    expect(statuses(await run([putfh(fh), read({ ...stateid, seqid: stateid.seqid + 1 }, 0, 1)]))[1]).toBe(
      S.BAD_STATEID,
    );
    // The owner's last seqid was 2 (OPEN_CONFIRM): 2 again or 5 is out of order.
    expect(statuses(await run([putfh(fh), close(stateid, 2)]))[1]).toBe(S.BAD_SEQID);
    expect(statuses(await run([putfh(fh), close(stateid, 5)]))[1]).toBe(S.BAD_SEQID);
    expect(statuses(await run([putfh(fh), close(stateid, 3)]))[1]).toBe(S.OK);
  });

  it('enforces share reservations between owners, and write access for WRITE', async () => {
    const { run, client, openFile, statuses } = await harness();
    const a = await client('a');
    const b = await client('b');
    await openFile(a, 'oa', 'shared', 2 /* DENY_WRITE */);
    const res = await run([PUTROOTFH, lookup('export'), openCreate(b, 'ob', 1, 'shared', 3, 0)]);
    expect(statuses(res)).toEqual([S.OK, S.OK, S.SHARE_DENIED]);
    const readOnly = await run([PUTROOTFH, lookup('export'), openCreate(b, 'ob', 2, 'shared', 1, 0)]);
    expect(statuses(readOnly)).toEqual([S.OK, S.OK, S.OK]);
  });

  it('expires a silent client: its stateids answer EXPIRED, its reservations go', async () => {
    const { run, client, openFile, statuses, advance } = await harness();
    const a = await client('a');
    const b = await client('b');
    const { fh, stateid } = await openFile(a, 'oa', 'lease', 2);
    advance(60_000);
    expect(statuses(await run([renew(b)]))).toEqual([S.OK]);
    advance(60_000); // a: 120 s without a renewal, b: 60 s
    expect(statuses(await run([putfh(fh), read(stateid, 0, 1)]))[1]).toBe(S.EXPIRED);
    expect(statuses(await run([renew(a)]))).toEqual([S.EXPIRED]);
    const taken = await run([PUTROOTFH, lookup('export'), openCreate(b, 'ob', 1, 'lease', 3, 0)]);
    expect(statuses(taken)).toEqual([S.OK, S.OK, S.OK]);
    expect(statuses(await run([renew(Buffer.alloc(8))]))).toEqual([S.STALE_CLIENTID]);
  });

  it('renames and links through the saved filehandle, SETATTR answers its bitmap', async () => {
    const { run, client, openFile, statuses, body } = await harness();
    const c = await client();
    await openFile(c, 'o', 'src');
    const ren = await run([
      PUTROOTFH,
      lookup('export'),
      SAVEFH,
      op(Op.RENAME, (w) => void w.string('src').string('dst')),
      lookup('dst'),
    ]);
    expect(statuses(ren)).toEqual([0, 0, 0, 0, 0]);
    const ln = await run([
      PUTROOTFH,
      lookup('export'),
      lookup('dst'),
      SAVEFH,
      PUTROOTFH,
      lookup('export'),
      op(Op.LINK, (w) => void w.string('hard')),
      lookup('hard'),
      getattr([A.NUMLINKS]),
    ]);
    expect(statuses(ln)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(body(ln, 8).source.attr.nlink).toBe(2);
    const set = await run([
      PUTROOTFH,
      lookup('export'),
      lookup('dst'),
      op(
        Op.SETATTR,
        (w) => (
          sid({ seqid: 0, other: Buffer.alloc(12) })(w),
          fattr([A.MODE, A.OWNER], (v) => void v.u32(0o600).string('1000'))(w)
        ),
      ),
    ]);
    expect(statuses(set)).toEqual([0, 0, 0, 0]);
    const bad = await run([
      PUTROOTFH,
      lookup('export'),
      lookup('dst'),
      op(
        Op.SETATTR,
        (w) => (sid({ seqid: 0, other: Buffer.alloc(12) })(w), fattr([A.OWNER], (v) => void v.string('alice'))(w)),
      ),
    ]);
    expect(statuses(bad)).toEqual([0, 0, 0, S.BADOWNER]);
    const w = new XdrWriter(1024);
    encodeCompoundRes(w, bad);
    expect(w.finish().subarray(-8).toString('hex')).toBe('0000273700000000'); // BADOWNER, empty attrsset
  });
});

describe('restart', () => {
  it('answers STALE_CLIENTID / STALE_STATEID for state of an earlier instance, NO_GRACE for reclaims', async () => {
    const { run, client, openFile, statuses, server, rt } = await harness();
    const clientid = await client();
    const { fh, stateid } = await openFile(clientid, 'o', 'before-restart');
    (server as { state: Nfs4State }).state = new Nfs4State(90_000, rt.metadata.locks, runtimeOpenHolds(rt));
    expect(statuses(await run([renew(clientid)]))).toEqual([S.STALE_CLIENTID]);
    expect(statuses(await run([putfh(fh), read(stateid, 0, 1)]))).toEqual([S.OK, S.STALE_STATEID]);
    const fresh = await client('again');
    const reclaim = op(Op.OPEN, (w) => {
      w.u32(1).u32(1).u32(0).opaqueFixed(fresh).opaque(Buffer.from('o'));
      w.u32(0).u32(1).u32(0); // NOCREATE, CLAIM_PREVIOUS, OPEN_DELEGATE_NONE
    });
    expect(statuses(await run([putfh(fh), reclaim]))).toEqual([S.OK, S.NO_GRACE]);
  });
});

describe('grace period', () => {
  it('after a restart with recorded clients: reclaims only in grace, new opens only after it', async () => {
    const { run, client, openFile, statuses, body, server, rt, advance } = await harness();
    let saved: string[] = [];
    const records = { load: () => saved, save: (names: string[]) => void (saved = names) };
    const mutable = server as { state: Nfs4State };
    let now = 5_000_000;
    mutable.state = new Nfs4State(90_000, rt.metadata.locks, runtimeOpenHolds(rt), {
      now: () => now,
      records,
      graceMs: 15_000,
    });
    expect(mutable.state.inGrace()).toBe(false); // nobody held state before
    const c1 = await client('host-a');
    expect(saved).toEqual(['host-a']);
    const { fh } = await openFile(c1, 'o', 'kept');
    // Restart: a new instance that finds host-a recorded.
    mutable.state = new Nfs4State(90_000, rt.metadata.locks, runtimeOpenHolds(rt), {
      now: () => now,
      records,
      graceMs: 15_000,
    });
    expect(mutable.state.inGrace()).toBe(true);
    const again = await client('host-a');
    const other = await client('host-b');
    const reclaim = (clientid: Buffer, owner: string) =>
      op(Op.OPEN, (w) => {
        w.u32(1).u32(3).u32(0).opaqueFixed(clientid).opaque(Buffer.from(owner));
        w.u32(0).u32(1).u32(0); // NOCREATE, CLAIM_PREVIOUS, OPEN_DELEGATE_NONE
      });
    const ok = await run([putfh(fh), reclaim(again, 'o')]);
    expect(statuses(ok)).toEqual([S.OK, S.OK]);
    expect(body(ok, 1).stateid.seqid).toBe(1);
    expect(statuses(await run([putfh(fh), reclaim(other, 'x')]))).toEqual([S.OK, S.RECLAIM_BAD]);
    const fresh = await run([PUTROOTFH, lookup('export'), openCreate(other, 'y', 1, 'new-in-grace')]);
    expect(statuses(fresh)).toEqual([S.OK, S.OK, S.GRACE]);
    now += 16_000;
    advance(16_000);
    expect(statuses(await run([PUTROOTFH, lookup('export'), openCreate(other, 'y', 2, 'new-in-grace')]))).toEqual([
      S.OK,
      S.OK,
      S.OK,
    ]);
    expect(statuses(await run([putfh(fh), reclaim(again, 'z')]))).toEqual([S.OK, S.NO_GRACE]);
  });
});

describe('byte-range locks', () => {
  it('conflict across owners with LOCK4denied, test with LOCKT, release with LOCKU and on lease expiry', async () => {
    const { run, client, openFile, statuses, body, advance } = await harness();
    const a = await client('a');
    const b = await client('b');
    const fa = await openFile(a, 'oa', 'locked');
    const fb = await run([PUTROOTFH, lookup('export'), openCreate(b, 'ob', 1, 'locked'), GETFH]);
    const sb = body(fb, 2).stateid as Stateid;
    const la = await run([putfh(fa.fh), lockNew(fa.stateid, 3, a, 'la', 2 /* WRITE_LT */, 100)]);
    expect(statuses(la)).toEqual([S.OK, S.OK]);
    const lockA = body(la, 1) as Stateid;
    expect(lockA.seqid).toBe(1);
    const lb = await run([putfh(fa.fh), lockNew(sb, 2, b, 'lb', 1 /* READ_LT */, 0)]);
    expect(statuses(lb)).toEqual([S.OK, S.DENIED]);
    const w = new XdrWriter(1024);
    encodeCompoundRes(w, lb);
    const tail = w.finish().subarray(-36);
    // offset 100, length all ones, WRITE_LT, owner (a's clientid, "la")
    expect(tail.toString('hex')).toBe(
      '0000000000000064' + 'ffffffffffffffff' + '00000002' + a.toString('hex') + '00000002' + '6c610000',
    );
    // The refused first LOCK left no lock-owner behind: Linux reuses the name with lock seqid 0.
    expect(statuses(await run([putfh(fa.fh), lockNew(sb, 3, b, 'lb', 1, 0)]))).toEqual([S.OK, S.DENIED]);
    expect(statuses(await run([putfh(fa.fh), lockt(b, 'lb', 1, 0, 100)]))).toEqual([S.OK, S.OK]);
    expect(statuses(await run([putfh(fa.fh), lockt(b, 'lb', 1, 0, 101)]))).toEqual([S.OK, S.DENIED]);
    expect(statuses(await run([putfh(fa.fh), locku(lockA, 1, 0)]))).toEqual([S.OK, S.OK]);
    expect(statuses(await run([putfh(fa.fh), lockt(b, 'lb', 2, 0, 1000)]))).toEqual([S.OK, S.OK]);
    // a locks again; after a's lease runs out, b gets the range.
    const again = await run([putfh(fa.fh), lockNew(fa.stateid, 4, a, 'la2', 2, 0)]);
    expect(statuses(again)).toEqual([S.OK, S.OK]);
    advance(60_000);
    expect(statuses(await run([renew(b)]))).toEqual([S.OK]);
    advance(60_000);
    expect(statuses(await run([putfh(fa.fh), lockt(b, 'lb', 2, 0, 1000)]))).toEqual([S.OK, S.OK]);
  });
});

describe('hostile COMPOUNDs', () => {
  it('mutated requests never throw and always encode', async () => {
    const { send, client } = await harness();
    const clientid = await client();
    const base = compound([
      PUTROOTFH,
      lookup('export'),
      openCreate(clientid, 'fz', 1, 'fuzz'),
      GETFH,
      getattr([A.SIZE, A.OWNER]),
      op(
        Op.READDIR,
        (w) => (
          w.u64(0).opaqueFixed(Buffer.alloc(8)).u32(4096).u32(8192),
          encodeBitmap(w, bitmapOf([A.TYPE, A.FILEHANDLE]))
        ),
      ),
    ]);
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 400; i++) {
      const m = Buffer.from(base);
      for (let k = 0; k <= rnd(4); k++) {
        const at = rnd(m.length);
        if (rnd(2) === 0) m[at] = rnd(256);
        else m.writeUInt32BE([0xffffffff, 0x7fffffff, 0, 1, 10044, 40][rnd(6)]!, Math.min(at & ~3, m.length - 4));
      }
      const r = new XdrReader(m);
      decodeCompoundArgs(r);
      if (!r.ok) continue;
      await expect(send(m)).resolves.toBeDefined();
    }
  });
});
