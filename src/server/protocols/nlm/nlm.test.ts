// NLM v4 and NSM procedures against the shared lock manager: codec fixtures for LOCK and
// TEST, conflicts with locks of other protocols, blocking requests granted on the client's
// retry, CANCEL, UNLOCK, FREE_ALL and SM_NOTIFY releasing a host, the grace period after a
// restart, share reservations, *_MSG answered by a *_RES call on the same connection, and
// stale handles.
import { runProcedure } from '../testing/run-procedure.ts';
import { describe, expect, it } from 'vitest';
import { fileKey, ownerKey, TO_END } from '../../metadata/locks/lock-manager.ts';
import type { RpcCall, RpcProcedure } from '../rpc/program.ts';
import { hex } from '../testing/hex.ts';
import { SHARE, testCall, testRuntime } from '../testing/test-runtime.ts';
import { XdrWriter } from '../xdr/writer.ts';
import { NlmProc, Nlm4Stat } from './constants.ts';
import { StatusMonitor } from './nsm/monitor.ts';
import { nsmProgram } from './nsm/program.ts';
import { SmProc } from './nsm/constants.ts';
import { nlmProgram } from './program.ts';
import { NlmState, nlmOwner } from './state.ts';

const ALICE = { uid: 1000, gid: 1000, gids: [], clientAddr: '10.0.0.7' };

async function setup(opts: { hostsBefore?: string[]; now?: () => number } = {}) {
  const rt = await testRuntime();
  const saved: string[][] = [];
  const nlm = new NlmState(rt, {
    graceSeconds: 15,
    now: opts.now,
    records: { load: () => opts.hostsBefore ?? [], save: (names) => void saved.push(names) },
  });
  const sm = new StatusMonitor((name, addr) => nlm.hostRestarted(name, addr));
  const attr = await rt.metadata.getAttr(ALICE, rt.root);
  return { rt, nlm, prog: nlmProgram(nlm), nsm: nsmProgram(sm), sm, saved, file: fileKey(SHARE, attr.fileid) };
}

const callFrom = (clientAddr: string, sent: Buffer[] = []): RpcCall => {
  const call = testCall(100021, 0, clientAddr, 800);
  return {
    ...call,
    session: { ...call.session, sendCall: (_prog, _vers, proc, args) => void sent.push(Buffer.from([proc]), args) },
  };
};

const run = (p: RpcProcedure | undefined, args: Buffer, call = callFrom('10.0.0.7')): Promise<Buffer> =>
  runProcedure(p, args, call);

interface LockSpec {
  host?: string;
  svid?: number;
  exclusive?: boolean;
  block?: boolean;
  reclaim?: boolean;
  offset?: number;
  length?: number;
  fh: Buffer;
}

function alock(w: XdrWriter, s: LockSpec): XdrWriter {
  return w
    .string(s.host ?? 'guest')
    .opaque(s.fh)
    .opaque(Buffer.from('oh'))
    .u32(s.svid ?? 1)
    .u32(0)
    .u32(s.offset ?? 0)
    .u32(0)
    .u32(s.length ?? 0);
}

const lockArgs = (s: LockSpec): Buffer =>
  Buffer.from(
    alock(
      new XdrWriter(512)
        .opaque(Buffer.from('ck'))
        .bool(s.block ?? false)
        .bool(s.exclusive ?? true),
      s,
    )
      .bool(s.reclaim ?? false)
      .u32(1)
      .finish(),
  );
const testArgs = (s: LockSpec): Buffer =>
  Buffer.from(alock(new XdrWriter(512).opaque(Buffer.from('ck')).bool(s.exclusive ?? true), s).finish());
const cancelArgs = (s: LockSpec): Buffer =>
  Buffer.from(
    alock(
      new XdrWriter(512)
        .opaque(Buffer.from('ck'))
        .bool(true)
        .bool(s.exclusive ?? true),
      s,
    ).finish(),
  );
const unlockArgs = (s: LockSpec): Buffer =>
  Buffer.from(alock(new XdrWriter(512).opaque(Buffer.from('ck')), s).finish());
/** nlm4_res: cookie "ck" and a status. */
const res = (stat: number): Buffer => hex(`00000002 636b0000 ${stat.toString(16).padStart(8, '0')}`);

describe('NLM v4', () => {
  it('LOCK and TEST: wire fixtures, and a conflict reported with its holder', async () => {
    const { rt, prog } = await setup();
    const fh = rt.root.toString('hex');
    const lock = hex(`
      00000002 636b0000          # cookie "ck"
      00000000                   # block: false
      00000001                   # exclusive: true
      00000005 67756573 74000000 # caller_name "guest"
      00000019 ${fh} 000000      # fh (25 bytes + pad)
      00000002 6f680000          # oh "oh"
      0000002a                   # svid 42
      00000000 00000064          # l_offset 100
      00000000 0000000a          # l_len 10
      00000000                   # reclaim: false
      00000003                   # state 3
    `);
    expect(await run(prog.procedures[NlmProc.LOCK], lock)).toEqual(res(Nlm4Stat.GRANTED));
    const test = await run(prog.procedures[NlmProc.TEST], testArgs({ fh: rt.root, svid: 7, offset: 105, length: 1 }));
    expect(test).toEqual(
      Buffer.concat([
        hex(`
          00000002 636b0000     # cookie
          00000001              # NLM4_DENIED
          00000001              # holder: exclusive
          0000002a              # svid 42
        `),
        new XdrWriter(64).opaque(Buffer.from(nlmOwner('guest', 42))).finish(),
        hex(`00000000 00000064  00000000 0000000a # l_offset 100, l_len 10`),
      ]),
    );
    expect(await run(prog.procedures[NlmProc.TEST], testArgs({ fh: rt.root, svid: 7, offset: 110 }))).toEqual(
      res(Nlm4Stat.GRANTED),
    );
  });

  it('conflicts with SMB and NFSv4 locks on the same file, both ways', async () => {
    const { rt, prog, file } = await setup();
    const smb = ownerKey('smb', '5', '9');
    expect(await rt.metadata.locks.lock(file, smb, 'read', 0n, 50n)).toBeUndefined();
    expect(await run(prog.procedures[NlmProc.LOCK], lockArgs({ fh: rt.root, offset: 10, length: 1 }))).toEqual(
      res(Nlm4Stat.DENIED),
    );
    const shared = lockArgs({ fh: rt.root, exclusive: false, offset: 10, length: 1 });
    expect(await run(prog.procedures[NlmProc.LOCK], shared)).toEqual(res(Nlm4Stat.GRANTED));
    const test = await run(prog.procedures[NlmProc.TEST], testArgs({ fh: rt.root, svid: 3 }));
    expect(test.readUInt32BE(8)).toBe(Nlm4Stat.DENIED);
    expect(test.readUInt32BE(16)).toBe(0); // another protocol's owner: svid 0
    expect(await rt.metadata.locks.lock(file, ownerKey('nfs4', 'aa', 'bb'), 'write', 10n, 11n)).toMatchObject({
      owner: expect.stringMatching(/^(smb|nlm):/),
    });
  });

  it('a blocking LOCK is BLOCKED, granted for the client when the lock frees, GRANTED on its retry', async () => {
    const { rt, prog, file } = await setup();
    const other = ownerKey('nfs4', 'aa', 'bb');
    await rt.metadata.locks.lock(file, other, 'write', 0n, TO_END);
    const blocking = lockArgs({ fh: rt.root, block: true, svid: 5 });
    expect(await run(prog.procedures[NlmProc.LOCK], blocking)).toEqual(res(Nlm4Stat.BLOCKED));
    expect(await run(prog.procedures[NlmProc.LOCK], blocking)).toEqual(res(Nlm4Stat.BLOCKED)); // a retry waits once
    await rt.metadata.locks.unlock(file, other, 0n, TO_END);
    await Promise.resolve();
    expect(rt.metadata.locks.holds(file, nlmOwner('guest', 5))).toBe(true); // taken for it
    expect(await rt.metadata.locks.lock(file, other, 'read', 0n, 1n)).toBeDefined();
    expect(await run(prog.procedures[NlmProc.LOCK], blocking)).toEqual(res(Nlm4Stat.GRANTED));
    expect(await run(prog.procedures[NlmProc.UNLOCK], unlockArgs({ fh: rt.root, svid: 5 }))).toEqual(
      res(Nlm4Stat.GRANTED),
    );
    expect(await rt.metadata.locks.lock(file, other, 'write', 0n, TO_END)).toBeUndefined();
  });

  it('CANCEL drops a waiting request, and gives back a lock granted before the client retried', async () => {
    const { rt, prog, file } = await setup();
    const other = ownerKey('smb', '1', '1');
    await rt.metadata.locks.lockAll(file, other, [{ kind: 'write', start: 0n, end: 10n }]);
    const spec = { fh: rt.root, block: true, svid: 8, length: 5 };
    expect(await run(prog.procedures[NlmProc.LOCK], lockArgs(spec))).toEqual(res(Nlm4Stat.BLOCKED));
    expect(await run(prog.procedures[NlmProc.CANCEL], cancelArgs(spec))).toEqual(res(Nlm4Stat.GRANTED));
    expect(rt.metadata.locks.waiting(file, nlmOwner('guest', 8))).toBeUndefined();

    expect(await run(prog.procedures[NlmProc.LOCK], lockArgs(spec))).toEqual(res(Nlm4Stat.BLOCKED));
    await rt.metadata.locks.release(file, other);
    await Promise.resolve();
    expect(rt.metadata.locks.holds(file, nlmOwner('guest', 8))).toBe(true);
    await run(prog.procedures[NlmProc.CANCEL], cancelArgs(spec));
    expect(rt.metadata.locks.holds(file, nlmOwner('guest', 8))).toBe(false);
  });

  it('FREE_ALL and SM_NOTIFY release a restarted host’s locks, and only its', async () => {
    const { rt, prog, nsm, file } = await setup();
    await run(prog.procedures[NlmProc.LOCK], lockArgs({ fh: rt.root, host: 'a', length: 1 }));
    await run(prog.procedures[NlmProc.LOCK], lockArgs({ fh: rt.root, host: 'b', offset: 1, length: 1 }));
    await run(
      prog.procedures[NlmProc.LOCK],
      lockArgs({ fh: rt.root, host: 'c', offset: 2, length: 1 }),
      callFrom('10.9.9.9'),
    );
    const freeAll = Buffer.from(new XdrWriter(64).string('a').u32(7).finish());
    await run(prog.procedures[NlmProc.FREE_ALL], freeAll);
    expect(rt.metadata.locks.holds(file, nlmOwner('a', 1))).toBe(false);
    expect(rt.metadata.locks.holds(file, nlmOwner('b', 1))).toBe(true);
    // statd names the host differently than lockd did: the caller's address still matches.
    const notify = Buffer.from(new XdrWriter(64).string('c.example').u32(9).finish());
    await run(nsm.procedures[SmProc.NOTIFY], notify, callFrom('10.9.9.9'));
    expect(rt.metadata.locks.holds(file, nlmOwner('c', 1))).toBe(false);
    expect(rt.metadata.locks.holds(file, nlmOwner('b', 1))).toBe(true);
  });

  it('after a restart with lock holders: only reclaims in the grace period, then only new locks', async () => {
    let now = 1_000_000;
    const { rt, prog, saved } = await setup({ hostsBefore: ['guest'], now: () => now });
    expect(await run(prog.procedures[NlmProc.LOCK], lockArgs({ fh: rt.root, svid: 2 }))).toEqual(
      res(Nlm4Stat.DENIED_GRACE_PERIOD),
    );
    expect(await run(prog.procedures[NlmProc.TEST], testArgs({ fh: rt.root }))).toEqual(
      res(Nlm4Stat.DENIED_GRACE_PERIOD),
    );
    expect(await run(prog.procedures[NlmProc.LOCK], lockArgs({ fh: rt.root, svid: 1, reclaim: true }))).toEqual(
      res(Nlm4Stat.GRANTED),
    );
    now += 15_001;
    expect(await run(prog.procedures[NlmProc.LOCK], lockArgs({ fh: rt.root, svid: 3, reclaim: true }))).toEqual(
      res(Nlm4Stat.DENIED_GRACE_PERIOD),
    );
    expect(await run(prog.procedures[NlmProc.LOCK], lockArgs({ fh: rt.root, svid: 1, offset: 5 }))).toEqual(
      res(Nlm4Stat.GRANTED),
    );
    expect(saved).toEqual([[], ['guest']]); // cleared at start, the holder recorded again
  });

  it('no grace period when nobody held locks before', async () => {
    const { rt, prog } = await setup();
    expect(await run(prog.procedures[NlmProc.LOCK], lockArgs({ fh: rt.root }))).toEqual(res(Nlm4Stat.GRANTED));
  });

  it('SHARE reservations conflict by access and deny mode; UNSHARE frees them', async () => {
    const { rt, prog } = await setup();
    const shareArgs = (host: string, mode: number, access: number) =>
      Buffer.from(
        new XdrWriter(256)
          .opaque(Buffer.from('ck'))
          .string(host)
          .opaque(rt.root)
          .opaque(Buffer.from('oh'))
          .u32(mode)
          .u32(access)
          .bool(false)
          .finish(),
      );
    const shareRes = (stat: number) => Buffer.concat([res(stat), hex('00000000')]);
    expect(await run(prog.procedures[NlmProc.SHARE], shareArgs('a', 2, 3))).toEqual(shareRes(Nlm4Stat.GRANTED)); // deny write
    expect(await run(prog.procedures[NlmProc.SHARE], shareArgs('b', 0, 1))).toEqual(shareRes(Nlm4Stat.GRANTED));
    expect(await run(prog.procedures[NlmProc.SHARE], shareArgs('c', 0, 2))).toEqual(shareRes(Nlm4Stat.DENIED));
    expect(await run(prog.procedures[NlmProc.UNSHARE], shareArgs('a', 0, 0))).toEqual(shareRes(Nlm4Stat.GRANTED));
    expect(await run(prog.procedures[NlmProc.SHARE], shareArgs('c', 0, 2))).toEqual(shareRes(Nlm4Stat.GRANTED));
  });

  it('LOCK_MSG replies void and sends LOCK_RES on the same connection', async () => {
    const { rt, prog } = await setup();
    const sent: Buffer[] = [];
    const out = await run(prog.procedures[NlmProc.LOCK_MSG], lockArgs({ fh: rt.root }), callFrom('10.0.0.7', sent));
    expect(out.length).toBe(0);
    expect(sent).toEqual([Buffer.from([NlmProc.LOCK_RES]), res(Nlm4Stat.GRANTED)]);
    expect(await run(prog.procedures[NlmProc.LOCK_RES], res(Nlm4Stat.GRANTED))).toEqual(Buffer.alloc(0));
  });

  it('a handle of no share is STALE_FH; GRANTED from a client finds nothing waiting', async () => {
    const { rt, prog } = await setup();
    const bogus = Buffer.from(rt.root);
    bogus.writeUInt8(bogus.readUInt8(0) ^ 0xff, 0);
    expect(await run(prog.procedures[NlmProc.LOCK], lockArgs({ fh: bogus }))).toEqual(res(Nlm4Stat.STALE_FH));
    expect(await run(prog.procedures[NlmProc.GRANTED], testArgs({ fh: rt.root }))).toEqual(res(Nlm4Stat.DENIED));
  });
});

describe('NSM v1', () => {
  it('SM_MON, SM_STAT, SM_UNMON and SM_UNMON_ALL succeed with an odd state number', async () => {
    const { nsm, sm } = await setup();
    expect(sm.state % 2).toBe(1);
    const myId = (w: XdrWriter) => w.string('guest').u32(100021).u32(4).u32(16);
    const mon = Buffer.from(myId(new XdrWriter(256).string('server')).opaqueFixed(Buffer.alloc(16)).finish());
    const stateWord = sm.state.toString(16).padStart(8, '0');
    expect(await run(nsm.procedures[SmProc.MON], mon)).toEqual(hex(`00000000 ${stateWord} # stat_succ, state`));
    expect(sm.count()).toBe(1);
    const name = Buffer.from(new XdrWriter(64).string('server').finish());
    expect(await run(nsm.procedures[SmProc.STAT], name)).toEqual(hex(`00000000 ${stateWord}`));
    const monId = Buffer.from(myId(new XdrWriter(256).string('server')).finish());
    expect(await run(nsm.procedures[SmProc.UNMON], monId)).toEqual(hex(stateWord));
    expect(sm.count()).toBe(0);
    await run(nsm.procedures[SmProc.MON], mon);
    expect(await run(nsm.procedures[SmProc.UNMON_ALL], Buffer.from(myId(new XdrWriter(64)).finish()))).toEqual(
      hex(stateWord),
    );
    expect(sm.count()).toBe(0);
  });
});
