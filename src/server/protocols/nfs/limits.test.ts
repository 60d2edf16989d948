/**
 * The NFS adapter's connection limits over real TCP: connections past the total and
 * per-client limits are refused, idle connections and records that do not arrive in time are
 * closed, and a large record waits while stalled records hold the shared memory, small calls
 * still being served.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseReply, RpcTestClient } from '../testing/rpc-client.ts';
import { testRuntime, type TestRuntime } from '../testing/test-runtime.ts';
import { XdrWriter } from '../xdr/writer.ts';
import { NfsAdapter } from './adapter.ts';

const NFS = { prog: 100003, vers: 3 };
const sys = { uid: 1000, gid: 1000 };
const root = { uid: 0, gid: 0, gids: [], clientAddr: '' };

const adapters: NfsAdapter[] = [];
const clients: RpcTestClient[] = [];

async function start(settings: Record<string, unknown>): Promise<{ adapter: NfsAdapter; rt: TestRuntime }> {
  const rt = await testRuntime();
  const adapter = new NfsAdapter({ bind: '127.0.0.1', port: 0, settings }, rt);
  await adapter.serve();
  adapters.push(adapter);
  return { adapter, rt };
}

async function connect(port: number, from = '127.0.0.1'): Promise<RpcTestClient> {
  const c = await RpcTestClient.connect(port, '127.0.0.1', from);
  clients.push(c);
  return c;
}

afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of clients.splice(0)) c.close();
  await Promise.all(adapters.splice(0).map((a) => a.stop(1000)));
});

let xid = 1;

/** 'served' if the connection answers a NULL call, 'closed' if the server closed it. */
function probe(c: RpcTestClient): Promise<'served' | 'closed'> {
  return Promise.race([
    c.call({ xid: xid++, ...NFS, proc: 0 }).then(() => 'served' as const),
    c.closed.then(() => 'closed' as const),
  ]);
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 200) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends the header of a `declared`-byte record and `sent` bytes of it, then nothing. */
function stall(c: RpcTestClient, declared: number, sent: number): void {
  const header = Buffer.alloc(4);
  header.writeUInt32BE((0x80000000 | declared) >>> 0);
  c.socket.write(Buffer.concat([header, Buffer.alloc(sent)]));
}

/** A new connection from `from`, probed; a refused one may already fail to connect. */
async function attempt(port: number, from: string): Promise<'served' | 'closed'> {
  const c = await connect(port, from).catch(() => undefined);
  return c ? probe(c) : 'closed';
}

describe('NFS connection limits', () => {
  it('refuses connections past the per-client and the total limit, and admits again once one closes', async () => {
    const { adapter } = await start({ maxConnections: 5, maxConnectionsPerClient: 2 });
    const from1 = [await connect(adapter.port, '127.0.1.1'), await connect(adapter.port, '127.0.1.1')];
    for (const c of from1) expect(await probe(c)).toBe('served');
    expect(await attempt(adapter.port, '127.0.1.1')).toBe('closed');

    const others = [
      await connect(adapter.port, '127.0.1.2'),
      await connect(adapter.port, '127.0.1.2'),
      await connect(adapter.port, '127.0.1.3'),
    ];
    for (const c of others) expect(await probe(c)).toBe('served');
    expect(await attempt(adapter.port, '127.0.1.4')).toBe('closed');

    others[2]!.close();
    await until('the server to see the close', () => adapter.sessions().length === 4);
    expect(await attempt(adapter.port, '127.0.1.4')).toBe('served');
    expect(adapter.connectionLimits().refused).toEqual({ max_connections: 1, max_connections_per_client: 1 });
  });

  it('closes idle connections, but not one whose call is still running', async () => {
    const { adapter, rt } = await start({ idleTimeoutMs: 1000 });
    const idle = await connect(adapter.port);
    const busy = await connect(adapter.port);
    expect(await probe(idle)).toBe('served');
    const getAttr = rt.metadata.getAttr.bind(rt.metadata);
    vi.spyOn(rt.metadata, 'getAttr').mockImplementation(async (auth, h) => {
      await new Promise((r) => setTimeout(r, 2500));
      return getAttr(auth, h);
    });
    const fh = Buffer.from(rt.root);
    const reply = busy.call({ xid: xid++, ...NFS, proc: 1, sys, args: opaque(fh) });
    await idle.closed;
    expect(adapter.connectionLimits().timedOut.idle).toBe(1);
    expect(parseReply(await reply).body.u32()).toBe(0);
    // Answered, it is idle like any other.
    await busy.closed;
    expect(adapter.connectionLimits().timedOut.idle).toBe(2);
  });

  it('closes a connection whose record does not arrive whole in time', async () => {
    const { adapter } = await start({ recordTimeoutMs: 1000 });
    const slow = await connect(adapter.port);
    const healthy = await connect(adapter.port);
    stall(slow, 100, 50);
    await slow.closed;
    expect(adapter.connectionLimits().timedOut).toEqual({ idle: 0, record: 1 });
    expect(await probe(healthy)).toBe('served');
  });

  it('makes a large record wait while stalled records hold the memory; small calls go on', async () => {
    const MiB = 1024 * 1024;
    const { adapter, rt } = await start({ maxPartialRecordBytes: MiB, recordTimeoutMs: 1000 });
    const file = await rt.metadata.create(root, rt.root, 'f', { mode: 0o666 }, { kind: 'unchecked' });
    const staller = await connect(adapter.port, '127.0.1.1');
    stall(staller, MiB, MiB / 2);
    await until('the stalled record to hold the memory', () => adapter.connectionLimits().recordMemoryBytes === MiB);
    let stallerClosed = false;
    void staller.closed.then(() => (stallerClosed = true));

    const writer = await connect(adapter.port, '127.0.1.2');
    const data = Buffer.alloc(MiB / 2, 7);
    const wrote = writer.call({
      xid: xid++,
      ...NFS,
      proc: 7,
      sys,
      args: args((w) => w.opaque(file.handle).u64(0).u32(data.length).u32(2).opaque(data)),
    });
    await until('the write to wait', () => adapter.connectionLimits().recordMemoryWaits === 1);
    // Small calls need no memory from the budget: served while the write waits.
    expect(await attempt(adapter.port, '127.0.1.3')).toBe('served');
    // The write went through only once the stalled record had timed out and freed the memory.
    const { body } = parseReply(await wrote);
    expect(stallerClosed).toBe(true);
    expect(body.u32()).toBe(0);
    expect(adapter.connectionLimits().timedOut.record).toBe(1);
  });
});

function args(f: (w: XdrWriter) => void): Buffer {
  const w = new XdrWriter(2048);
  f(w);
  return Buffer.from(w.finish());
}

const opaque = (b: Buffer): Buffer => args((w) => w.opaque(b));
