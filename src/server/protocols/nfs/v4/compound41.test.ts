/** NFSv4.1 COMPOUND: sessions, the slot table and its reply cache, operation order, client ids and stateids. */
import { describe, expect, it } from 'vitest';
import {
  close,
  compound,
  GETFH,
  harness,
  lookup,
  op,
  openCreate,
  PUTROOTFH,
  read,
  sid,
  write,
  type Enc,
} from '../../testing/nfs4-compound.ts';
import { XdrReader } from '../../xdr/reader.ts';
import { XdrWriter } from '../../xdr/writer.ts';
import { decodeCompoundArgs, encodeCompoundRes, type CompoundRes } from './compound.ts';
import { Nfs4Status as S, Op } from './constants.ts';
import { runtimeOpenHolds } from './open-holds.ts';
import { Nfs4State } from './state.ts';
import type { Stateid } from './state-types.ts';

const channel = (w: XdrWriter, maxReqs = 8) =>
  void w
    .u32(0)
    .u32(1 << 20)
    .u32(1 << 20)
    .u32(64 * 1024)
    .u32(16)
    .u32(maxReqs)
    .u32(0);
const exchangeId = (owner: string, verifier = 1, flags = 0) =>
  op(Op.EXCHANGE_ID, (w) => {
    w.opaqueFixed(Buffer.alloc(8, verifier)).opaque(Buffer.from(owner)).u32(flags);
    w.u32(0); // SP4_NONE
    w.u32(1).string('kernel.org').string('Linux').u64(0).u32(0);
  });
const createSession = (clientid: Buffer, seq: number, flags = 2) =>
  op(Op.CREATE_SESSION, (w) => {
    w.opaqueFixed(clientid).u32(seq).u32(flags);
    channel(w);
    channel(w, 1);
    w.u32(0x40000000).u32(1).u32(1); // cb_program, one AUTH_SYS sec parm:
    w.u32(0).string('guest').u32(0).u32(0).u32(0);
  });
const sequence = (session: Buffer, seqid: number, slot = 0, cache = true) =>
  op(Op.SEQUENCE, (w) => void w.opaqueFixed(session).u32(seqid).u32(slot).u32(slot).bool(cache));
const destroySession = (session: Buffer) => op(Op.DESTROY_SESSION, (w) => void w.opaqueFixed(session));
const destroyClientid = (clientid: Buffer) => op(Op.DESTROY_CLIENTID, (w) => void w.opaqueFixed(clientid));
const reclaimComplete = (oneFs = false) => op(Op.RECLAIM_COMPLETE, (w) => void w.bool(oneFs));
const freeStateid = (s: Stateid) => op(Op.FREE_STATEID, sid(s));
const testStateid = (ss: Stateid[]) => op(Op.TEST_STATEID, (w) => (w.u32(ss.length), ss.forEach((s) => sid(s)(w))));
const bindConn = (session: Buffer, dir: number) =>
  op(Op.BIND_CONN_TO_SESSION, (w) => void w.opaqueFixed(session).u32(dir).bool(false));
const secinfoNoName = (style: number) => op(Op.SECINFO_NO_NAME, (w) => void w.u32(style));
const mkdir = (name: string) => op(Op.CREATE, (w) => void w.u32(2).string(name).u32(0).u32(0)); // NF4DIR, empty fattr4

async function session41(minor = 1) {
  const h = await harness({ minor });
  const ex = await h.run([exchangeId('linux-guest')]);
  expect(h.statuses(ex)).toEqual([S.OK]);
  const { clientid, sequenceid } = h.body(ex, 0);
  const cs = await h.run([createSession(clientid, sequenceid)]);
  expect(h.statuses(cs)).toEqual([S.OK]);
  const sessionid = h.body(cs, 0).sessionid as Buffer;
  let seq = 0;
  /** Runs `ops` after a SEQUENCE on slot 0 with the next sequence id. */
  const inSession = (ops: Enc[]) => h.run([sequence(sessionid, ++seq), ...ops]);
  return { ...h, clientid: clientid as Buffer, sessionid, inSession, nextSeq: () => seq + 1 };
}

describe('NFSv4.1 codec', () => {
  it('encodes EXCHANGE_ID, CREATE_SESSION and SEQUENCE results byte for byte', async () => {
    const h = await session41();
    const res = await h.inSession([]);
    const w = new XdrWriter(1024);
    res.results[0]!.handler!.encode(w, res.results[0]!.res, true);
    const sessionHex = h.sessionid.toString('hex');
    expect(w.finish().toString('hex')).toBe(
      sessionHex + '00000001' + '00000000' + '00000007' + '00000007' + '00000000',
    );
    const ex = await h.run([exchangeId('linux-guest')]);
    const wx = new XdrWriter(1024);
    ex.results[0]!.handler!.encode(wx, ex.results[0]!.res, true);
    const hex = wx.finish().toString('hex');
    // clientid, the next CREATE_SESSION sequence (2), USE_NON_PNFS | CONFIRMED_R, SP4_NONE
    expect(hex.slice(0, 16 + 8 + 8 + 8)).toBe(h.clientid.toString('hex') + '00000002' + '80010000' + '00000000');
    const cs = await h.run([createSession(h.clientid, 1)]);
    const wc = new XdrWriter(1024);
    cs.results[0]!.handler!.encode(wc, cs.results[0]!.res, true);
    const attrs = (reqs: string) => '00000000' + '00100000' + '00100000' + '00010000' + '00000010' + reqs + '00000000';
    expect(wc.finish().toString('hex')).toBe(
      sessionHex + '00000001' + '00000002' + attrs('00000008') + attrs('00000001'),
    );
  });

  it('decodes each new operation and answers its result', async () => {
    const h = await session41();
    const res = await h.inSession([
      bindConn(h.sessionid, 3),
      reclaimComplete(),
      PUTROOTFH,
      secinfoNoName(0),
      testStateid([{ seqid: 1, other: Buffer.alloc(12, 9) }]),
    ]);
    expect(h.statuses(res)).toEqual([S.OK, S.OK, S.OK, S.OK, S.OK, S.OK]);
    expect(h.body(res, 1)).toEqual({ sessionid: h.sessionid, dir: 3 });
    expect(h.body(res, 5)).toEqual([S.STALE_STATEID]); // not of this server instance
    expect(h.statuses(await h.inSession([reclaimComplete()]))).toEqual([S.OK, S.COMPLETE_ALREADY]);
    expect(h.statuses(await h.inSession([reclaimComplete(true)]))).toEqual([S.OK, S.OK]);
  });
});

describe('NFSv4.1 sessions', () => {
  it('opens, writes with seqid-0 stateids, reads and closes without OPEN_CONFIRM', async () => {
    const h = await session41();
    const open = await h.inSession([PUTROOTFH, lookup('export'), openCreate(h.clientid, 'o1', 0, 'f41'), GETFH]);
    expect(h.statuses(open)).toEqual([S.OK, S.OK, S.OK, S.OK, S.OK]);
    expect(h.body(open, 3).rflags & 2).toBe(0); // no OPEN4_RESULT_CONFIRM in 4.1
    const fh = h.body(open, 4) as Buffer;
    const current: Stateid = { seqid: 0, other: h.body(open, 3).stateid.other };
    const putfh = op(Op.PUTFH, (w) => void w.opaque(fh));
    const io = await h.inSession([putfh, write(current, 0, Buffer.from('hello 4.1')), read(current, 0, 100)]);
    expect(h.statuses(io)).toEqual([S.OK, S.OK, S.OK, S.OK]);
    expect(h.body(io, 3).data.toString()).toBe('hello 4.1');
    const t = await h.inSession([testStateid([current, { seqid: 7, other: current.other }])]);
    expect(h.body(t, 1)).toEqual([S.OK, S.BAD_STATEID]);
    expect(h.statuses(await h.inSession([freeStateid(current)]))).toEqual([S.OK, S.LOCKS_HELD]);
    expect(h.statuses(await h.inSession([putfh, close(current, 0)]))).toEqual([S.OK, S.OK, S.OK]);
    expect(h.statuses(await h.inSession([putfh, read(current, 0, 1)]))).toEqual([S.OK, S.OK, S.BAD_STATEID]);
  });

  it('answers a retry from the reply cache without running it again', async () => {
    const h = await session41();
    const seq = h.nextSeq();
    const req = compound([sequence(h.sessionid, seq), PUTROOTFH, lookup('export'), mkdir('once')], { minor: 1 });
    const first = await h.send(req);
    expect(h.statuses(first)).toEqual([S.OK, S.OK, S.OK, S.OK]);
    const again = await h.send(req);
    // The cached reply, byte for byte (not EXIST from a second CREATE).
    expect(h.statuses(again)).toEqual([S.OK, S.OK, S.OK, S.OK]);
    const bytes = (r: CompoundRes) => {
      const w = new XdrWriter(4096);
      encodeCompoundRes(w, r);
      return Buffer.from(w.finish());
    };
    expect(again.encoded).toBeDefined();
    expect(bytes(again)).toEqual(bytes(first));
    // A new request doing the same does run: the directory exists since the first.
    const fresh = await h.run([sequence(h.sessionid, seq + 1), PUTROOTFH, lookup('export'), mkdir('once')]);
    expect(h.statuses(fresh)).toEqual([S.OK, S.OK, S.OK, S.EXIST]);
  });

  it('refuses false retries, misordered seqids, bad slots, and uncached retries', async () => {
    const h = await session41();
    const seq = h.nextSeq();
    expect(h.statuses(await h.run([sequence(h.sessionid, seq), PUTROOTFH]))).toEqual([S.OK, S.OK]);
    // The same slot and seqid with other operations: a false retry.
    expect(h.statuses(await h.run([sequence(h.sessionid, seq), PUTROOTFH, GETFH]))).toEqual([S.SEQ_FALSE_RETRY]);
    expect(h.statuses(await h.run([sequence(h.sessionid, seq + 2)]))).toEqual([S.SEQ_MISORDERED]);
    expect(h.statuses(await h.run([sequence(h.sessionid, 1, 8)]))).toEqual([S.BADSLOT]);
    expect(h.statuses(await h.run([sequence(h.sessionid, seq + 1, 0, false), PUTROOTFH]))).toEqual([S.OK, S.OK]);
    expect(h.statuses(await h.run([sequence(h.sessionid, seq + 1, 0, false), PUTROOTFH]))).toEqual([
      S.RETRY_UNCACHED_REP,
    ]);
    // Other slots run independently.
    expect(h.statuses(await h.run([sequence(h.sessionid, 1, 3)]))).toEqual([S.OK]);
  });

  it('orders operations: SEQUENCE first, session operations alone, 4.0-only ones NOTSUPP', async () => {
    const h = await session41();
    expect(h.statuses(await h.run([PUTROOTFH]))).toEqual([S.OP_NOT_IN_SESSION]);
    expect(h.statuses(await h.inSession([PUTROOTFH, sequence(h.sessionid, 1)]))).toEqual([S.OK, S.OK, S.SEQUENCE_POS]);
    expect(h.statuses(await h.run([exchangeId('x'), PUTROOTFH]))).toEqual([S.NOT_ONLY_OP]);
    for (const only40 of [Op.SETCLIENTID, Op.SETCLIENTID_CONFIRM, Op.RENEW, Op.OPEN_CONFIRM, Op.RELEASE_LOCKOWNER]) {
      expect(h.statuses(await h.inSession([op(only40, (w) => void w.u64(1))]))).toEqual([S.OK, S.NOTSUPP]);
    }
    expect(h.statuses(await h.inSession([op(Op.LAYOUTGET)]))).toEqual([S.OK, S.NOTSUPP]);
    const v40 = await h.send(compound([op(Op.EXCHANGE_ID)], { minor: 0 }));
    expect(v40.status).toBe(S.OP_ILLEGAL);
    const minor9 = await h.send(compound([PUTROOTFH], { minor: 9 }));
    expect([minor9.status, minor9.results.length]).toEqual([S.MINOR_VERS_MISMATCH, 0]);
  });

  it('expires a silent client: its session answers BADSESSION, its client id STALE_CLIENTID', async () => {
    const h = await session41();
    expect(h.statuses(await h.inSession([]))).toEqual([S.OK]);
    h.advance(60_000);
    expect(h.statuses(await h.inSession([]))).toEqual([S.OK]); // SEQUENCE renewed the lease
    h.advance(91_000);
    expect(h.statuses(await h.inSession([]))).toEqual([S.BADSESSION]);
    expect(h.statuses(await h.run([createSession(h.clientid, 2)]))).toEqual([S.STALE_CLIENTID]);
    // The client starts over with EXCHANGE_ID.
    expect(h.body(await h.run([exchangeId('linux-guest')]), 0).flags & 0x80000000).toBe(0);
  });

  it('orders CREATE_SESSION by the client id sequence; destroys sessions and client ids', async () => {
    const h = await session41();
    const replay = await h.run([createSession(h.clientid, 1)]);
    expect(h.body(replay, 0).sessionid).toEqual(h.sessionid);
    expect(h.statuses(await h.run([createSession(h.clientid, 5)]))).toEqual([S.SEQ_MISORDERED]);
    const second = await h.run([createSession(h.clientid, 2)]);
    expect(h.statuses(second)).toEqual([S.OK]);
    expect(h.statuses(await h.run([destroyClientid(h.clientid)]))).toEqual([S.CLIENTID_BUSY]);
    expect(h.statuses(await h.run([destroySession(h.sessionid)]))).toEqual([S.OK]);
    expect(h.statuses(await h.inSession([]))).toEqual([S.BADSESSION]);
    expect(h.statuses(await h.run([destroySession(h.body(second, 0).sessionid)]))).toEqual([S.OK]);
    expect(h.statuses(await h.run([destroyClientid(h.clientid)]))).toEqual([S.OK]);
    expect(h.statuses(await h.run([createSession(h.clientid, 3)]))).toEqual([S.STALE_CLIENTID]);
  });

  it('a rebooted client (new verifier) replaces its old record once its new session exists', async () => {
    const h = await session41();
    await h.inSession([PUTROOTFH, lookup('export'), openCreate(h.clientid, 'o1', 0, 'held')]);
    const ex = await h.run([exchangeId('linux-guest', 2)]);
    const { clientid, sequenceid } = h.body(ex, 0);
    expect(clientid).not.toEqual(h.clientid);
    expect(h.statuses(await h.inSession([]))).toEqual([S.OK]); // the old one lives until then
    expect(h.statuses(await h.run([createSession(clientid, sequenceid)]))).toEqual([S.OK]);
    expect(h.statuses(await h.inSession([]))).toEqual([S.BADSESSION]);
    expect(h.server.state.counts().opens).toBe(0);
  });
});

describe('NFSv4.1 grace period', () => {
  it('a recorded client reclaims with CLAIM_PREVIOUS until RECLAIM_COMPLETE; others wait for the grace to end', async () => {
    const h = await harness({ minor: 1 });
    const auth = { uid: 1000, gid: 1000, gids: [], clientAddr: '127.0.0.1' };
    const file = await h.rt.metadata.create(auth, h.rt.root, 'kept41', { mode: 0o644 }, { kind: 'unchecked' });
    let saved = ['linux-guest'];
    const records = { load: () => saved, save: (names: string[]) => void (saved = names) };
    const mutable = h.server as { state: Nfs4State };
    mutable.state = new Nfs4State(90_000, h.rt.metadata.locks, runtimeOpenHolds(h.rt), {
      now: () => 1_000_000,
      records,
      graceMs: 15_000,
    });
    expect(mutable.state.inGrace()).toBe(true);
    const session = async (name: string) => {
      const ex = await h.run([exchangeId(name)]);
      const { clientid, sequenceid } = h.body(ex, 0);
      const cs = await h.run([createSession(clientid, sequenceid)]);
      let seq = 0;
      const sessionid = h.body(cs, 0).sessionid as Buffer;
      return { clientid: clientid as Buffer, run: (ops: Enc[]) => h.run([sequence(sessionid, ++seq), ...ops]) };
    };
    const putfh = op(Op.PUTFH, (w) => void w.opaque(file.handle));
    const reclaim = (clientid: Buffer, owner: string) =>
      op(Op.OPEN, (w) => {
        w.u32(0).u32(3).u32(0).opaqueFixed(clientid).opaque(Buffer.from(owner));
        w.u32(0).u32(1).u32(0); // NOCREATE, CLAIM_PREVIOUS, OPEN_DELEGATE_NONE
      });
    const known = await session('linux-guest');
    const stranger = await session('someone-else');
    expect(h.statuses(await known.run([putfh, reclaim(known.clientid, 'o')]))).toEqual([S.OK, S.OK, S.OK]);
    expect(h.statuses(await stranger.run([putfh, reclaim(stranger.clientid, 'x')]))).toEqual([
      S.OK,
      S.OK,
      S.RECLAIM_BAD,
    ]);
    const fresh = await stranger.run([PUTROOTFH, lookup('export'), openCreate(stranger.clientid, 'y', 0, 'new41')]);
    expect(h.statuses(fresh)).toEqual([S.OK, S.OK, S.OK, S.GRACE]);
    expect(h.statuses(await known.run([reclaimComplete()]))).toEqual([S.OK, S.OK]);
    expect(h.statuses(await known.run([putfh, reclaim(known.clientid, 'o2')]))).toEqual([S.OK, S.OK, S.NO_GRACE]);
  });
});

describe('hostile NFSv4.1 COMPOUNDs', () => {
  it('mutated session requests never throw and always encode', async () => {
    const h = await session41();
    let slot2 = 0;
    let ran = 0;
    // The third has a valid SEQUENCE on slot 2 (fresh seqid each time) before what is mutated, so that runs.
    const SEQUENCE_END = 52;
    const bases = [
      () => compound([exchangeId('fz')], { minor: 1 }),
      () => compound([createSession(h.clientid, 2)], { minor: 1 }),
      () =>
        compound(
          [
            sequence(h.sessionid, ++slot2, 2),
            bindConn(h.sessionid, 7),
            testStateid([{ seqid: 0, other: Buffer.alloc(12) }]),
            PUTROOTFH,
            secinfoNoName(0),
            freeStateid({ seqid: 1, other: Buffer.alloc(12, 3) }),
            reclaimComplete(),
          ],
          { minor: 1 },
        ),
    ];
    let seed = 4242;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 600; i++) {
      const m = bases[i % bases.length]!();
      const from = i % bases.length === 2 ? SEQUENCE_END : 0;
      for (let k = 0; k <= rnd(4); k++) {
        const at = from + rnd(m.length - from);
        if (rnd(2) === 0) m[at] = rnd(256);
        else m.writeUInt32BE([0xffffffff, 0x7fffffff, 0, 1, 53, 42, 43][rnd(7)]!, Math.min(at & ~3, m.length - 4));
      }
      const r = new XdrReader(m);
      decodeCompoundArgs(r);
      if (!r.ok) continue;
      const res = await h.send(m);
      if (from > 0) {
        expect(res.results[0]?.status).toBe(S.OK);
        ran += res.results.length - 1;
      }
    }
    expect(ran).toBeGreaterThan(200); // the mutated session operations did run
  });
});
