/**
 * NLM and NSM over UDP from the NFS adapter: on the NFS port's number (or another when that
 * is taken on UDP), the locking programs only, and LOCK_MSG's LOCK_RES sent back to the
 * sender's own address and port.
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { parseReply, RpcTestClient } from '../testing/rpc-client.ts';
import { testRuntime } from '../testing/test-runtime.ts';
import { RpcUdpTestClient } from '../testing/udp-client.ts';
import { CALL_HEADER_BYTES } from '../rpc/outgoing-calls.ts';
import { XdrReader } from '../xdr/reader.ts';
import { XdrWriter } from '../xdr/writer.ts';
import { NfsAdapter } from './adapter.ts';

const NLM = { prog: 100021, vers: 4 };
const NSM = { prog: 100024, vers: 1 };
const sys = { uid: 1000, gid: 1000 };
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function start(port = 0, settings: Record<string, unknown> = {}): Promise<NfsAdapter> {
  const adapter = new NfsAdapter({ bind: '127.0.0.1', port, settings }, await testRuntime());
  await adapter.serve();
  cleanups.push(() => adapter.stop(1000));
  return adapter;
}

async function udpClient(port: number): Promise<RpcUdpTestClient> {
  const c = await RpcUdpTestClient.open(port);
  cleanups.push(() => c.close());
  return c;
}

async function rootHandle(port: number): Promise<Buffer> {
  const c = await RpcTestClient.connect(port);
  cleanups.push(() => c.close());
  const dirpath = new XdrWriter(64).string('/export').finish();
  const { body } = parseReply(
    await c.call({ xid: 1, prog: 100005, vers: 3, proc: 1, sys, args: Buffer.from(dirpath) }),
  );
  expect(body.u32()).toBe(0);
  return Buffer.from(body.opaque(64));
}

/** nlm4_lockargs: cookie, block, exclusive, alock (caller, fh, owner, svid, offset, length), reclaim, state. */
function lockArgs(fh: Buffer, host: string): Buffer {
  const w = new XdrWriter(512).opaque(Buffer.from('ck')).bool(false).bool(true);
  w.string(host).opaque(fh).opaque(Buffer.from('oh')).u32(7).u64(0).u64(10);
  return Buffer.from(w.bool(false).u32(1).finish());
}

describe('NFS adapter: NLM and NSM over UDP', () => {
  it('answers NLM and NSM on the NFS port number, and nothing else there', async () => {
    const adapter = await start();
    expect(adapter.udpPort).toBe(adapter.port);
    const c = await udpClient(adapter.port);
    expect(parseReply(await c.call({ xid: 1, ...NLM, proc: 0 })).stat).toBe(0);
    expect(parseReply(await c.call({ xid: 2, ...NSM, proc: 0 })).stat).toBe(0);
    expect(parseReply(await c.call({ xid: 3, prog: 100003, vers: 3, proc: 0 })).stat).toBe(1); // PROG_UNAVAIL
    expect(parseReply(await c.call({ xid: 4, prog: 100005, vers: 3, proc: 0 })).stat).toBe(1);
  });

  it('LOCK over UDP holds the lock; another host’s LOCK_MSG gets DENIED in a LOCK_RES sent to it alone', async () => {
    const adapter = await start();
    const fh = await rootHandle(adapter.port);
    const c = await udpClient(adapter.port);
    const locked = parseReply(await c.call({ xid: 10, ...NLM, proc: 2, sys, args: lockArgs(fh, 'host-a') }));
    expect(locked.stat).toBe(0);
    expect(locked.body.opaque(64)).toEqual(Buffer.from('ck'));
    expect(locked.body.u32()).toBe(0); // GRANTED
    const other = await udpClient(adapter.port);
    const msg = await other.call({ xid: 11, ...NLM, proc: 7, sys, args: lockArgs(fh, 'host-b') }); // LOCK_MSG
    expect(parseReply(msg).stat).toBe(0);
    await waitFor(() => other.unmatched.length > 0);
    const r = new XdrReader(other.unmatched[0] as Buffer);
    r.u32();
    expect([r.u32(), r.u32(), r.u32(), r.u32(), r.u32()]).toEqual([0, 2, 100021, 4, 12]); // CALL NLM4 LOCK_RES
    r.opaqueFixed(CALL_HEADER_BYTES - 24); // AUTH_NULL credential and verifier
    expect(r.opaque(64)).toEqual(Buffer.from('ck'));
    expect(r.u32()).toBe(1); // DENIED: host-a holds it
    expect(c.unmatched).toEqual([]);
  });

  it('over TCP, LOCK_MSG’s LOCK_RES comes on the same connection', async () => {
    const adapter = await start();
    const fh = await rootHandle(adapter.port);
    const c = await RpcTestClient.connect(adapter.port);
    cleanups.push(() => c.close());
    expect(parseReply(await c.call({ xid: 12, ...NLM, proc: 7, sys, args: lockArgs(fh, 'host-t') })).stat).toBe(0);
    await waitFor(() => c.unmatched.length > 0);
    const r = new XdrReader(c.unmatched[0] as Buffer);
    r.u32();
    expect([r.u32(), r.u32(), r.u32(), r.u32(), r.u32()]).toEqual([0, 2, 100021, 4, 12]); // CALL NLM4 LOCK_RES
    r.opaqueFixed(CALL_HEADER_BYTES - 24);
    expect(r.opaque(64)).toEqual(Buffer.from('ck'));
    expect(r.u32()).toBe(0); // GRANTED
  });

  it('takes another UDP port when the NFS port number is taken on UDP', async () => {
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => squatter.close(resolve)));
    const taken = squatter.address().port;
    const adapter = await start(taken);
    expect(adapter.port).toBe(taken);
    expect(adapter.udpPort).not.toBe(taken);
    const c = await udpClient(adapter.udpPort ?? 0);
    expect(parseReply(await c.call({ xid: 1, ...NLM, proc: 0 })).stat).toBe(0);
  });

  it('serves no UDP without NFSv3', async () => {
    const adapter = await start(0, { minVersion: '4.0' });
    expect(adapter.udpPort).toBeUndefined();
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
