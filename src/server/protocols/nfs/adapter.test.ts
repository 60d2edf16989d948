/**
 * The NFS adapter over real TCP against the real services over in-memory stores: end-to-end calls, concurrency,
 * backpressure, stop/disconnect, and robustness against thousands of malformed records.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileType } from '../../metadata/types.ts';
import { callMessage, frame, parseReply, RpcTestClient, type CallSpec } from '../testing/rpc-client.ts';
import { testRuntime, type TestRuntime } from '../testing/test-runtime.ts';
import { XdrWriter } from '../xdr/writer.ts';
import { NfsAdapter, NfsSettings } from './adapter.ts';

const NFS = { prog: 100003, vers: 3 };
const MOUNT = { prog: 100005, vers: 3 };
const sys = { uid: 1000, gid: 1000 };

const adapters: NfsAdapter[] = [];
const clients: RpcTestClient[] = [];

async function start(settings: Record<string, unknown> = {}): Promise<{ adapter: NfsAdapter; rt: TestRuntime }> {
  const rt = await testRuntime();
  const adapter = new NfsAdapter({ bind: '127.0.0.1', port: 0, settings }, rt);
  await adapter.serve();
  adapters.push(adapter);
  return { adapter, rt };
}

async function connect(port: number): Promise<RpcTestClient> {
  const c = await RpcTestClient.connect(port);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(adapters.splice(0).map((a) => a.stop(1000)));
});

function args(f: (w: XdrWriter) => void): Buffer {
  const w = new XdrWriter(2048);
  f(w);
  return Buffer.from(w.finish());
}

const fhArgs = (fh: Buffer): Buffer => args((w) => w.opaque(fh));

async function mount(c: RpcTestClient, xid = 1): Promise<Buffer> {
  const { stat, body } = parseReply(
    await c.call({ xid, ...MOUNT, proc: 1, sys, args: args((w) => w.string('/export')) }),
  );
  expect(stat).toBe(0);
  expect(body.u32()).toBe(0);
  return Buffer.from(body.opaque(64));
}

async function getattrType(c: RpcTestClient, xid: number, fh: Buffer): Promise<number> {
  const { stat, body } = parseReply(await c.call({ xid, ...NFS, proc: 1, sys, args: fhArgs(fh) }));
  expect(stat).toBe(0);
  expect(body.u32()).toBe(0);
  return body.u32();
}

describe('NFS adapter over TCP', () => {
  it('mounts, creates, writes and reads back (odd-sized data, bulk chunk)', async () => {
    const { adapter, rt } = await start();
    const c = await connect(adapter.port);
    const root = await mount(c);
    expect(rt.mounts.list()).toHaveLength(1);
    expect(await getattrType(c, 2, root)).toBe(FileType.Directory);

    const created = parseReply(
      await c.call({
        xid: 3,
        ...NFS,
        proc: 8,
        sys,
        args: args((w) => w.opaque(root).string('f.bin').u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0)),
      }),
    );
    expect(created.body.u32()).toBe(0);
    expect(created.body.bool()).toBe(true);
    const fh = Buffer.from(created.body.opaque(64));

    const data = Buffer.alloc(100_001, 7);
    data.write('start', 0);
    const wrote = parseReply(
      await c.call({
        xid: 4,
        ...NFS,
        proc: 7,
        sys,
        args: args((w) => w.opaque(fh).u64(0).u32(data.length).u32(2).opaque(data)),
      }),
    );
    expect(wrote.body.u32()).toBe(0);

    const readReply = await c.call({
      xid: 5,
      ...NFS,
      proc: 6,
      sys,
      args: args((w) => w.opaque(fh).u64(0).u32(200_000)),
    });
    const read = parseReply(readReply);
    expect(read.body.u32()).toBe(0);
    expect(read.body.bool()).toBe(true);
    read.body.opaqueFixed(84);
    expect(read.body.u32()).toBe(data.length);
    expect(read.body.bool()).toBe(true);
    expect(read.body.opaque(1 << 20).equals(data)).toBe(true);
    expect(read.body.remaining).toBe(0);

    const stats = adapter.sessions();
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({ clientAddr: '127.0.0.1', ops: 5, shares: ['/export'] });
    expect(stats[0]?.bytesIn).toBeGreaterThan(100_000);
  });

  it('serves many calls in flight on one connection', async () => {
    const { adapter } = await start();
    const c = await connect(adapter.port);
    const root = await mount(c);
    const specs: CallSpec[] = Array.from({ length: 200 }, (_, i) => ({
      xid: 1000 + i,
      ...NFS,
      proc: 1,
      sys,
      args: fhArgs(root),
    }));
    const replies = specs.map((s) => c.expect(s.xid));
    c.socket.write(Buffer.concat(specs.map((s) => frame(callMessage(s)))));
    for (const r of await Promise.all(replies)) expect(parseReply(r).stat).toBe(0);
  });

  it('stops reading while the client does not read its replies', async () => {
    const { adapter, rt } = await start({ maxInFlight: 8 });
    const c = await connect(adapter.port);
    const root = await mount(c);
    const file = await rt.metadata.create(
      { uid: 0, gid: 0, gids: [], clientAddr: '' },
      root,
      'big',
      {},
      { kind: 'unchecked' },
    );
    await rt.metadata.commitWrite({ uid: 0, gid: 0, gids: [], clientAddr: '' }, file.handle, 1 << 20);
    c.socket.pause();
    const n = 32;
    const replies = Array.from({ length: n }, (_, i) => c.expect(5000 + i));
    for (let i = 0; i < n; i++)
      c.socket.write(
        frame(
          callMessage({
            xid: 5000 + i,
            ...NFS,
            proc: 6,
            sys,
            args: args((w) =>
              w
                .opaque(file.handle)
                .u64(0)
                .u32(1 << 20),
            ),
          }),
        ),
      );
    await new Promise((r) => setTimeout(r, 300));
    const ops = adapter.sessions()[0]?.ops ?? 0;
    expect(ops).toBeLessThan(n);
    c.socket.resume();
    expect((await Promise.all(replies)).length).toBe(n);
  });

  it('lets in-flight calls finish on stop, then refuses connections', async () => {
    const { adapter, rt } = await start();
    const c = await connect(adapter.port);
    const root = await mount(c);
    const getAttr = rt.metadata.getAttr.bind(rt.metadata);
    vi.spyOn(rt.metadata, 'getAttr').mockImplementation(async (auth, h) => {
      await new Promise((r) => setTimeout(r, 200));
      return getAttr(auth, h);
    });
    const pending = c.call({ xid: 9, ...NFS, proc: 1, sys, args: fhArgs(root) });
    await new Promise((r) => setTimeout(r, 20));
    const stopped = adapter.stop(5000);
    expect(parseReply(await pending).stat).toBe(0);
    await stopped;
    await c.closed;
    await expect(RpcTestClient.connect(adapter.port)).rejects.toThrow();
  });

  it('disconnects the connections that used a share', async () => {
    const { adapter } = await start();
    const a = await connect(adapter.port);
    const b = await connect(adapter.port);
    await mount(a);
    expect(parseReply(await b.call({ xid: 1, ...NFS, proc: 0 })).stat).toBe(0);
    expect(adapter.disconnect({ share: '/export' })).toBe(1);
    await a.closed;
    expect(parseReply(await b.call({ xid: 2, ...NFS, proc: 0 })).stat).toBe(0);
    expect(adapter.disconnect({ clientAddr: '127.0.0.1' })).toBe(1);
    await b.closed;
  });

  it('serves only the NFS versions of its minVersion / maxVersion settings', async () => {
    expect(() => NfsSettings.parse({ minVersion: '4.2', maxVersion: '4.0' })).toThrow(/minVersion/);
    expect(() => NfsSettings.parse({ maxVersion: '4.3' })).toThrow();
    const { adapter } = await start({ minVersion: '4.1', maxVersion: '4.1' });
    const c = await connect(adapter.port);
    const accepted = async (xid: number, call: { prog: number; vers: number; proc: number; args?: Buffer }) =>
      parseReply(await c.call({ xid, sys, args: Buffer.alloc(0), ...call }));
    expect((await accepted(1, { ...NFS, proc: 0 })).stat).toBe(2); // PROG_MISMATCH: no NFSv3
    expect((await accepted(2, { ...MOUNT, proc: 0 })).stat).toBe(1); // PROG_UNAVAIL: MOUNT goes with v3
    const putrootfh = (minor: number) => args((w) => w.string('t').u32(minor).u32(1).u32(24));
    const compoundStatus = async (xid: number, minor: number) => {
      const { stat, body } = await accepted(xid, { prog: 100003, vers: 4, proc: 1, args: putrootfh(minor) });
      expect(stat).toBe(0);
      return body.u32();
    };
    expect(await compoundStatus(3, 0)).toBe(10021); // MINOR_VERS_MISMATCH
    expect(await compoundStatus(4, 1)).toBe(10071); // OP_NOT_IN_SESSION: 4.1 is served
    expect(await compoundStatus(5, 2)).toBe(10021);
  });

  it('can serve MOUNT on a port of its own', async () => {
    const { adapter } = await start({ mountPort: 0 });
    expect(adapter.mountPort).not.toBe(adapter.port);
    const m = await connect(adapter.mountPort);
    const root = await mount(m);
    expect(parseReply(await m.call({ xid: 2, ...NFS, proc: 1, sys, args: fhArgs(root) })).stat).toBe(1); // PROG_UNAVAIL
    const n = await connect(adapter.port);
    expect(await getattrType(n, 3, root)).toBe(FileType.Directory);
  });
});

describe('robustness', () => {
  /** Deterministic PRNG so failures reproduce. */
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  it('survives thousands of malformed records; a healthy client keeps being served', async () => {
    const { adapter } = await start({ maxRecordSize: 256 * 1024 });
    const healthy = await connect(adapter.port);
    const root = await mount(healthy, 1);
    const rand = rng(42);
    const int = (n: number): number => Math.floor(rand() * n);
    const valid = (xid: number): Buffer => {
      const kinds: CallSpec[] = [
        { xid, ...NFS, proc: 1, sys, args: fhArgs(root) },
        { xid, ...NFS, proc: 3, sys, args: args((w) => w.opaque(root).string('x')) },
        {
          xid,
          ...NFS,
          proc: 8,
          sys,
          args: args((w) => w.opaque(root).string(`f${xid}`).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0)),
        },
        { xid, ...NFS, proc: 16, sys, args: args((w) => w.opaque(root).u64(0).opaqueFixed(Buffer.alloc(8)).u32(4096)) },
        { xid, ...MOUNT, proc: 1, sys, args: args((w) => w.string('/export')) },
        { xid, ...MOUNT, proc: 5 },
      ];
      return callMessage(kinds[int(kinds.length)] as CallSpec);
    };
    const mutate = (xid: number): { wire: Buffer; endAfter: boolean; xid: number } => {
      const msg = valid(xid);
      switch (int(8)) {
        case 0: {
          // random bytes: the server can only answer what starts with an xid
          const junk = Buffer.from(Array.from({ length: int(200) }, () => int(256)));
          return { wire: frame(junk), endAfter: false, xid: junk.length >= 4 ? junk.readUInt32BE(0) : -1 };
        }
        case 1: {
          // flipped bytes (never the xid, so the reply can be matched)
          for (let i = 0, n = 1 + int(6); i < n; i++) msg[4 + int(msg.length - 4)] = int(256);
          return { wire: frame(msg), endAfter: false, xid };
        }
        case 2: // truncated XDR
          return { wire: frame(msg.subarray(0, 4 + int(msg.length - 4))), endAfter: false, xid };
        case 3: // wrong program / version / procedure
          msg.writeUInt32BE([100003, 100005, 100000, 7][int(4)] as number, 12);
          msg.writeUInt32BE(int(6), 16);
          msg.writeUInt32BE(int(40), 20);
          return { wire: frame(msg), endAfter: false, xid };
        case 4: // bad credentials: flavour or length
          msg.writeUInt32BE(int(2) === 0 ? 2 + int(10) : 1, 24);
          if (int(2) === 0) msg.writeUInt32BE(401 + int(100000), 28);
          return { wire: frame(msg), endAfter: false, xid };
        case 5: {
          // huge fragment header, then whatever
          const h = Buffer.alloc(4);
          h.writeUInt32BE((0x80000000 | (256 * 1024 + 1 + int(0x7ffc0000))) >>> 0);
          return { wire: Buffer.concat([h, msg]), endAfter: false, xid };
        }
        case 6: {
          // a fragment promising more than is sent, then end of stream
          const h = Buffer.alloc(4);
          h.writeUInt32BE((0x80000000 | (msg.length + 1 + int(1000))) >>> 0);
          return { wire: Buffer.concat([h, msg]), endAfter: true, xid };
        }
        default: {
          // a valid call split over two fragments
          const cut = 1 + int(msg.length - 1);
          const a = Buffer.alloc(4);
          a.writeUInt32BE(cut);
          return { wire: Buffer.concat([a, msg.subarray(0, cut), frame(msg.subarray(cut))]), endAfter: false, xid };
        }
      }
    };

    const TOTAL = 3000;
    const WORKERS = 6;
    let replies = 0;
    let closes = 0;
    let next = 0;
    let checks = 0;
    const worker = async (): Promise<void> => {
      let c = await RpcTestClient.connect(adapter.port);
      while (next < TOTAL) {
        const xid = 100_000 + next++;
        const { wire, endAfter, xid: expected } = mutate(xid);
        const outcome = Promise.race([
          c.expect(expected).then(() => 'reply' as const),
          c.closed.then(() => 'close' as const),
          new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3000)),
        ]);
        c.socket.write(wire);
        if (endAfter) c.socket.end();
        const o = await outcome;
        expect(o).not.toBe('timeout');
        if (o === 'reply') replies++;
        else {
          closes++;
          c.close();
          c = await RpcTestClient.connect(adapter.port);
        }
        if (next % 100 === 0) expect(await getattrType(healthy, 50_000 + checks++, root)).toBe(FileType.Directory);
      }
      c.close();
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    expect(replies + closes).toBe(TOTAL);
    expect(replies).toBeGreaterThan(TOTAL / 3);
    expect(closes).toBeGreaterThan(TOTAL / 20);
    expect(parseReply(await healthy.call({ xid: 7, ...NFS, proc: 0 })).stat).toBe(0);
    expect(await getattrType(healthy, 8, root)).toBe(FileType.Directory);
  }, 30_000);

  it('answers GARBAGE_ARGS and RPC errors on a connection that stays open', async () => {
    const { adapter } = await start();
    const c = await connect(adapter.port);
    expect(parseReply(await c.call({ xid: 1, ...NFS, proc: 1, sys, args: Buffer.from([0, 0, 0, 65]) })).stat).toBe(4);
    const mismatch = parseReply(await c.call({ xid: 2, prog: 100003, vers: 5, proc: 0 })).body;
    expect([mismatch.u32(), mismatch.u32()]).toEqual([3, 4]); // versions 3 to 4 served
    expect(parseReply(await c.call({ xid: 3, ...NFS, proc: 22 })).stat).toBe(3);
    expect(parseReply(await c.call({ xid: 4, prog: 99, vers: 1, proc: 0 })).stat).toBe(1);
    expect(parseReply(await c.call({ xid: 5, ...NFS, proc: 0 })).stat).toBe(0);
  });

  it('closes on a 2 GiB fragment header without allocating for it', async () => {
    const { adapter } = await start();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 5; i++) {
      const c = await connect(adapter.port);
      c.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]));
      c.socket.write(Buffer.alloc(64 * 1024));
      await c.closed;
    }
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(grown).toBeLessThan(32 * 1024 * 1024);
    const ok = await connect(adapter.port);
    expect(parseReply(await ok.call({ xid: 1, ...NFS, proc: 0 })).stat).toBe(0);
  });
});
