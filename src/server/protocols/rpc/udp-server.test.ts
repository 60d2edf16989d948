import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LogLimiter } from '../../logging/log-limiter.ts';
import { callMessage } from '../testing/rpc-client.ts';
import { RpcUdpTestClient } from '../testing/udp-client.ts';
import { AcceptStat, MsgType } from './constants.ts';
import { RpcDispatcher } from './dispatcher.ts';
import { DuplicateRequestCache } from './drc.ts';
import { nullProcedure, type RpcProcedure } from './program.ts';
import { RpcUdpServer } from './udp-server.ts';

const PROG = 400001;
const logger = pino({ level: process.env['UDP_TEST_LOG'] ?? 'silent' });

interface Fixture {
  server: RpcUdpServer;
  client: RpcUdpTestClient;
  runs: number[];
  release: () => void;
}

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function start(opts: { maxInFlight?: number; maxDatagramSize?: number } = {}): Promise<Fixture> {
  const runs: number[] = [];
  let gates: (() => void)[] = [];
  const mutate: RpcProcedure<number, number> = {
    name: 'MUTATE',
    nonIdempotent: true,
    decode: (r) => r.u32(),
    run: async (_call, n) => {
      runs.push(n);
      if (n >= 1000) await new Promise<void>((resolve) => gates.push(resolve));
      return n * 2;
    },
    encode: (w, n) => void w.u32(n),
  };
  // Answers, then sends the caller a call of ours (as NLM *_MSG does with its *_RES).
  const callBack: RpcProcedure<undefined, undefined> = {
    name: 'CALLBACK',
    decode: () => undefined,
    run: (call) => {
      call.session.sendCall?.(PROG, 1, 0, Buffer.from([0, 0, 0, 7]));
      return Promise.resolve(undefined);
    },
    encode: () => undefined,
  };
  const dispatcher = new RpcDispatcher([{ prog: PROG, vers: 1, procedures: [nullProcedure, mutate, callBack] }], {
    logger,
    warnings: new LogLimiter(logger),
    drc: new DuplicateRequestCache(16),
    allowAuthNull: true,
  });
  const server = new RpcUdpServer(dispatcher, {
    bind: '127.0.0.1',
    maxInFlight: opts.maxInFlight ?? 8,
    logger,
    ...opts,
  });
  await server.listen(0);
  open.push({ close: () => server.stop(0) });
  const client = await RpcUdpTestClient.open(server.port);
  open.push(client);
  const release = () => {
    for (const g of gates) g();
    gates = [];
  };
  return { server, client, runs, release };
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** The accept_stat of an accepted reply datagram (no record mark: xid, REPLY, ACCEPTED, verf, stat). */
const acceptStat = (reply: Buffer) => reply.readUInt32BE(20);

describe('RPC over UDP', () => {
  it('answers a call with one datagram, without record marking', async () => {
    const { client } = await start();
    const reply = await client.call({ xid: 0x1234, prog: PROG, vers: 1, proc: 0 });
    expect(reply.length).toBe(24);
    expect(reply.readUInt32BE(0)).toBe(0x1234);
    expect(reply.readUInt32BE(4)).toBe(MsgType.REPLY);
    expect(acceptStat(reply)).toBe(AcceptStat.SUCCESS);
    const mutated = await client.call({ xid: 2, prog: PROG, vers: 1, proc: 1, args: u32(21) });
    expect(mutated.readUInt32BE(24)).toBe(42);
  });

  it('drops datagrams that are not calls or are too large, answers malformed calls, and keeps serving', async () => {
    const { client } = await start({ maxDatagramSize: 256 });
    client.send(Buffer.from([1, 2, 3]));
    client.send(Buffer.alloc(8, 0xff)); // xid and a message type that is neither CALL nor REPLY
    const tooLarge = callMessage({ xid: 3, prog: PROG, vers: 1, proc: 1, args: Buffer.alloc(300) });
    await expect(client.call({ xid: 3, prog: PROG, vers: 1, proc: 1, args: Buffer.alloc(300) }, 300)).rejects.toThrow(
      /no reply/,
    );
    expect(tooLarge.length).toBeGreaterThan(256);
    const truncated = await client.call({ xid: 4, prog: PROG, vers: 1, proc: 1 });
    expect(acceptStat(truncated)).toBe(AcceptStat.GARBAGE_ARGS);
    const ok = await client.call({ xid: 5, prog: PROG, vers: 1, proc: 0 });
    expect(acceptStat(ok)).toBe(AcceptStat.SUCCESS);
    expect(client.unmatched).toEqual([]);
  });

  it('answers a retransmission from the duplicate request cache, keyed by xid and sender', async () => {
    const { server, client, runs } = await start();
    const first = await client.call({ xid: 7, prog: PROG, vers: 1, proc: 1, args: u32(5) });
    const again = await client.call({ xid: 7, prog: PROG, vers: 1, proc: 1, args: u32(5) });
    expect(again).toEqual(first);
    expect(runs).toEqual([5]);
    const other = await RpcUdpTestClient.open(server.port);
    open.push(other);
    await other.call({ xid: 7, prog: PROG, vers: 1, proc: 1, args: u32(5) });
    expect(runs).toEqual([5, 5]);
  });

  it('sends calls of ours only to the sender, from the server socket, and ignores the replies to them', async () => {
    const { server, client } = await start();
    const reply = await client.call({ xid: 9, prog: PROG, vers: 1, proc: 2 });
    expect(acceptStat(reply)).toBe(AcceptStat.SUCCESS);
    await waitFor(() => client.unmatched.length === 1);
    const ours = client.unmatched[0] as Buffer;
    expect(ours.readUInt32BE(4)).toBe(MsgType.CALL);
    expect([ours.readUInt32BE(12), ours.readUInt32BE(16), ours.readUInt32BE(20)]).toEqual([PROG, 1, 0]);
    expect(ours.subarray(40)).toEqual(u32(7));
    // The client's reply to it is expected, and answered with nothing.
    const xid = ours.readUInt32BE(0);
    client.send(Buffer.concat([u32(xid), u32(MsgType.REPLY), Buffer.alloc(16)]));
    const ok = await client.call({ xid: 10, prog: PROG, vers: 1, proc: 0 });
    expect(acceptStat(ok)).toBe(AcceptStat.SUCCESS);
    expect(client.unmatched.length).toBe(1);
    expect(server.port).toBeGreaterThan(0);
  });

  it('drops calls past maxInFlight, and stop waits for the running ones', async () => {
    const { server, client, runs, release } = await start({ maxInFlight: 2 });
    const held = [1000, 1001].map((n, i) => client.call({ xid: 20 + i, prog: PROG, vers: 1, proc: 1, args: u32(n) }));
    await waitFor(() => runs.length === 2);
    await expect(client.call({ xid: 30, prog: PROG, vers: 1, proc: 0 }, 300)).rejects.toThrow(/no reply/);
    const stopped = server.stop(5000);
    release();
    const replies = await Promise.all(held);
    expect(replies.map((r) => r.readUInt32BE(24))).toEqual([2000, 2002]);
    await stopped;
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
