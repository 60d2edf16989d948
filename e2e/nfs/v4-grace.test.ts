// NFSv4.0 state across a restart of the dfs process, at the protocol level (a raw RPC client:
// the kernel client cannot be made to hold an open across a host-side restart from the guest
// job). Before: a client id and an open. After: the old client id is stale; the same client
// (by name) reclaims its open with CLAIM_PREVIOUS during the grace period, while a new open
// waits (GRACE) — the grace period runs because the data dir recorded a client with state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReply, RpcTestClient } from '../../src/server/protocols/testing/rpc-client.ts';
import { XdrWriter } from '../../src/server/protocols/xdr/writer.ts';
import { startTarget, tail, type NfsTarget } from './target.ts';

const OK = 0;
const GRACE = 10013;
const STALE_CLIENTID = 10022;
const sys = { uid: 0, gid: 0 };
let xid = 1;

type Enc = (w: XdrWriter) => void;

async function compound(
  port: number,
  ops: Enc[],
): Promise<{ status: number; body: ReturnType<typeof parseReply>['body'] }> {
  const w = new XdrWriter(4096);
  w.u32(0).u32(0).u32(ops.length); // tag "", minor version 0
  for (const o of ops) o(w);
  const c = await RpcTestClient.connect(port);
  try {
    const reply = parseReply(
      await c.call({ xid: xid++, prog: 100003, vers: 4, proc: 1, sys, args: Buffer.from(w.finish()) }),
    );
    expect(reply.stat).toBe(0);
    const status = reply.body.u32();
    reply.body.opaque(1024); // tag
    reply.body.u32(); // result count
    return { status, body: reply.body };
  } finally {
    c.close();
  }
}

const setclientid =
  (name: string): Enc =>
  (w) =>
    void w
      .u32(35)
      .opaqueFixed(Buffer.alloc(8, 1))
      .opaque(Buffer.from(name))
      .u32(0)
      .string('tcp')
      .string('127.0.0.1.0.0')
      .u32(0);
const putroot: Enc = (w) => void w.u32(24);
const lookup =
  (name: string): Enc =>
  (w) =>
    void w.u32(15).string(name);
const openNull =
  (clientid: Buffer, owner: string, name: string): Enc =>
  (w) =>
    void w
      .u32(18)
      .u32(1)
      .u32(3)
      .u32(0)
      .opaqueFixed(clientid)
      .opaque(Buffer.from(owner))
      .u32(1)
      .u32(0)
      .u32(0)
      .u32(0)
      .u32(0)
      .string(name);
const openPrevious =
  (clientid: Buffer, owner: string): Enc =>
  (w) =>
    void w.u32(18).u32(1).u32(3).u32(0).opaqueFixed(clientid).opaque(Buffer.from(owner)).u32(0).u32(1).u32(0);
const renew =
  (clientid: Buffer): Enc =>
  (w) =>
    void w.u32(30).opaqueFixed(clientid);

async function establish(port: number, name: string): Promise<Buffer> {
  const set = await compound(port, [setclientid(name)]);
  expect(set.status).toBe(OK);
  set.body.u32(); // op
  set.body.u32(); // status
  const clientid = Buffer.from(set.body.opaqueFixed(8));
  const confirm = Buffer.from(set.body.opaqueFixed(8));
  const conf = await compound(port, [(w) => void w.u32(36).opaqueFixed(clientid).opaqueFixed(confirm)]);
  expect(conf.status).toBe(OK);
  return clientid;
}

describe('NFSv4.0 state across a restart of dfs', () => {
  let target: NfsTarget | undefined;

  beforeAll(async () => {
    target = await startTarget('dfs');
  }, 120_000);

  afterAll(async () => {
    await target?.stop();
  });

  it('refuses the old client id, lets the client reclaim in grace and holds new opens back', async () => {
    const t = target!;
    const share = t.exportPath.replace(/^\//, '');
    const before = await establish(t.nfsPort, 'grace-host');
    const opened = await compound(t.nfsPort, [putroot, lookup(share), openNull(before, 'owner', 'held.txt')]);
    expect(opened.status, tail(t.logs())).toBe(OK);

    expect(await t.restart()).toBe(0);
    expect((await compound(t.nfsPort, [renew(before)])).status).toBe(STALE_CLIENTID);
    const after = await establish(t.nfsPort, 'grace-host');
    const reclaimed = await compound(t.nfsPort, [
      putroot,
      lookup(share),
      lookup('held.txt'),
      openPrevious(after, 'owner'),
    ]);
    expect(reclaimed.status, tail(t.logs())).toBe(OK);
    const other = await establish(t.nfsPort, 'newcomer');
    const waits = await compound(t.nfsPort, [putroot, lookup(share), openNull(other, 'o2', 'new.txt')]);
    expect(waits.status).toBe(GRACE);
  }, 120_000);
});
