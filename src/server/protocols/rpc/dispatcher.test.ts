import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LogLimiter } from '../../logging/log-limiter.ts';
import { callMessage } from '../testing/rpc-client.ts';
import { XdrReader } from '../xdr/reader.ts';
import { AcceptStat, AuthStat, RejectStat, ReplyStat } from './constants.ts';
import { RpcDispatcher, type DispatchOutcome, type RpcReply } from './dispatcher.ts';
import { DuplicateRequestCache } from './drc.ts';
import { nullProcedure, type RpcProcedure, type RpcProgram, type RpcSession } from './program.ts';

const PROG = 400000;

function session(port = 800): RpcSession {
  return { clientAddr: '10.1.2.3', clientPort: port, localAddr: '10.0.0.1', localPort: 2049, shares: new Set() };
}

function testProgram(log: string[]): RpcProgram {
  const echo: RpcProcedure<number, number> = {
    name: 'ECHO',
    decode: (r) => r.u32(),
    run: (call, n) => Promise.resolve(n + call.auth.uid),
    encode: (w, n) => void w.u32(n),
  };
  const boom: RpcProcedure<undefined, undefined> = {
    name: 'BOOM',
    decode: () => undefined,
    run: () => Promise.reject(new Error('boom')),
    encode: () => undefined,
  };
  let gate: (() => void) | undefined;
  const mutate: RpcProcedure<number, number> = {
    name: 'MUTATE',
    nonIdempotent: true,
    decode: (r) => r.u32(),
    run: async (_call, n) => {
      log.push(`mutate ${n}`);
      if (n === 99) await new Promise<void>((resolve) => (gate = resolve));
      return n * 2;
    },
    encode: (w, n) => void w.u32(n),
  };
  const release: RpcProcedure<undefined, undefined> = {
    name: 'RELEASE',
    decode: () => undefined,
    run: () => {
      gate?.();
      return Promise.resolve(undefined);
    },
    encode: () => undefined,
  };
  // Lends a bulk chunk and takes it back through `sent`; argument 1 makes its encoder fail.
  const lend: RpcProcedure<number, { bulk: Buffer; fail: boolean }> = {
    name: 'LEND',
    decode: (r) => r.u32(),
    run: (_call, n) => Promise.resolve({ bulk: Buffer.from('bulk'), fail: n === 1 }),
    encode: (_w, res) => {
      if (res.fail) throw new Error('encode failed');
      return res.bulk;
    },
    sent: (res) => log.push(`sent ${res.bulk.toString()}`),
  };
  return { prog: PROG, vers: 2, procedures: [nullProcedure, echo, boom, mutate, release, lend] };
}

function setup(opts: { allowAuthNull?: boolean; drcSize?: number } = {}) {
  const log: string[] = [];
  const drc = new DuplicateRequestCache(opts.drcSize ?? 16);
  const programs = [testProgram(log), { ...testProgram(log), vers: 4 }];
  const logger = pino({ level: 'silent' });
  const d = new RpcDispatcher(programs, {
    logger,
    warnings: new LogLimiter(logger),
    drc,
    allowAuthNull: opts.allowAuthNull ?? true,
  });
  return { d, log, drc };
}

interface Reply {
  xid: number;
  stat: number;
  words: number[];
}

/** Parses a single-chunk reply after its record mark into xid, reply/accept/reject stat and the rest. */
async function reply(out: Promise<DispatchOutcome> | DispatchOutcome): Promise<Reply> {
  const o = await out;
  if (o === 'close' || o === 'ignore') throw new Error(o);
  const r = new XdrReader(Buffer.concat(o.chunks).subarray(4));
  const xid = r.u32();
  r.u32(); // REPLY
  const replyStat = r.u32();
  if (replyStat === ReplyStat.MSG_ACCEPTED) {
    r.u32();
    r.opaque(400);
  }
  const stat = replyStat === ReplyStat.MSG_ACCEPTED ? r.u32() : 100 + r.u32();
  const words: number[] = [];
  while (r.remaining >= 4) words.push(r.u32());
  return { xid, stat, words };
}

const sys = { uid: 5, gid: 5 };
const u32 = (n: number): Buffer => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

describe('RpcDispatcher', () => {
  it('runs a procedure and encodes its result', async () => {
    const { d } = setup();
    const r = await reply(
      d.dispatch(callMessage({ xid: 1, prog: PROG, vers: 2, proc: 1, sys, args: u32(10) }), session()),
    );
    expect(r).toEqual({ xid: 1, stat: AcceptStat.SUCCESS, words: [15] });
  });

  it('answers every RPC-level error', async () => {
    const { d } = setup({ allowAuthNull: false });
    const s = session();
    const call = (c: Parameters<typeof callMessage>[0]) => reply(d.dispatch(callMessage(c), s));
    expect((await call({ xid: 2, prog: 1234, vers: 2, proc: 0, sys })).stat).toBe(AcceptStat.PROG_UNAVAIL);
    expect(await call({ xid: 3, prog: PROG, vers: 3, proc: 0, sys })).toEqual({
      xid: 3,
      stat: AcceptStat.PROG_MISMATCH,
      words: [2, 4],
    });
    expect((await call({ xid: 4, prog: PROG, vers: 2, proc: 77, sys })).stat).toBe(AcceptStat.PROC_UNAVAIL);
    expect((await call({ xid: 5, prog: PROG, vers: 2, proc: 1, sys })).stat).toBe(AcceptStat.GARBAGE_ARGS);
    expect((await call({ xid: 6, prog: PROG, vers: 2, proc: 2, sys })).stat).toBe(AcceptStat.SYSTEM_ERR);
    expect(await call({ xid: 7, prog: PROG, vers: 2, proc: 1, args: u32(1) })).toEqual({
      xid: 7,
      stat: 100 + RejectStat.AUTH_ERROR,
      words: [AuthStat.AUTH_TOOWEAK],
    });
    // AUTH_NULL may still ping
    expect((await call({ xid: 8, prog: PROG, vers: 2, proc: 0 })).stat).toBe(AcceptStat.SUCCESS);

    const v3 = callMessage({ xid: 9, prog: PROG, vers: 2, proc: 0 });
    v3.writeUInt32BE(3, 8);
    expect(await reply(d.dispatch(v3, s))).toEqual({ xid: 9, stat: 100 + RejectStat.RPC_MISMATCH, words: [2, 2] });

    const gss = callMessage({ xid: 10, prog: PROG, vers: 2, proc: 0 });
    gss.writeUInt32BE(6, 24); // cred flavor RPCSEC_GSS
    expect(await reply(d.dispatch(gss, s))).toEqual({
      xid: 10,
      stat: 100 + RejectStat.AUTH_ERROR,
      words: [AuthStat.AUTH_BADCRED],
    });
  });

  it('closes on input that is not a call; ignores only replies to calls of ours on the connection', () => {
    const { d } = setup();
    expect(d.dispatch(Buffer.from([1, 2]), session())).toBe('close');
    const replyMsg = callMessage({ xid: 1, prog: PROG, vers: 2, proc: 0 });
    replyMsg.writeUInt32BE(1, 4);
    // A reply to no call of ours is not RPC traffic we can use.
    expect(d.dispatch(replyMsg, session())).toBe('close');
    const awaited = new Set([1]);
    const caller = { ...session(), takeReply: (xid: number) => awaited.delete(xid) };
    expect(d.dispatch(replyMsg, caller)).toBe('ignore');
    // Once: a second reply to the same call is not expected.
    expect(d.dispatch(replyMsg, caller)).toBe('close');
    replyMsg.writeUInt32BE(2, 4);
    expect(d.dispatch(replyMsg, session())).toBe('close');
  });

  it('replays a retransmitted non-idempotent call from the DRC', async () => {
    const { d, log } = setup();
    const msg = callMessage({ xid: 20, prog: PROG, vers: 2, proc: 3, sys, args: u32(4) });
    const first = await d.dispatch(msg, session());
    const again = await d.dispatch(msg, session());
    expect(log).toEqual(['mutate 4']);
    expect(Buffer.concat((again as RpcReply).chunks)).toEqual(Buffer.concat((first as RpcReply).chunks));
    // another client port is another client
    await d.dispatch(msg, session(801));
    expect(log).toEqual(['mutate 4', 'mutate 4']);
  });

  it('gives a retransmission of a running call the same reply', async () => {
    const { d, log } = setup();
    const msg = callMessage({ xid: 21, prog: PROG, vers: 2, proc: 3, sys, args: u32(99) });
    const a = d.dispatch(msg, session());
    const b = d.dispatch(msg, session());
    await d.dispatch(callMessage({ xid: 22, prog: PROG, vers: 2, proc: 4, sys }), session());
    expect((await reply(a)).words).toEqual([198]);
    expect((await reply(b)).words).toEqual([198]);
    expect(log).toEqual(['mutate 99']);
  });

  it("hands a procedure's result back through sent once its reply is written, or its encoding failed", async () => {
    const { d, log } = setup();
    const out = await d.dispatch(callMessage({ xid: 30, prog: PROG, vers: 2, proc: 5, sys, args: u32(0) }), session());
    const r = out as RpcReply;
    expect(r.chunks[1]?.toString()).toBe('bulk');
    expect(log).toEqual([]);
    r.sent?.();
    expect(log).toEqual(['sent bulk']);
    const failed = d.dispatch(callMessage({ xid: 31, prog: PROG, vers: 2, proc: 5, sys, args: u32(1) }), session());
    expect((await reply(failed)).stat).toBe(AcceptStat.SYSTEM_ERR);
    expect(log).toEqual(['sent bulk', 'sent bulk']);
  });

  it('keeps the DRC bounded', async () => {
    const { d, drc } = setup({ drcSize: 3 });
    for (let xid = 100; xid < 110; xid++)
      await d.dispatch(callMessage({ xid, prog: PROG, vers: 2, proc: 3, sys, args: u32(1) }), session());
    expect(drc.size).toBe(3);
  });
});
