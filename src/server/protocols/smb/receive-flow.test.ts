/**
 * The SMB adapter's receive limits over real TCP (receive-flow.ts): partially received
 * messages of all connections share one memory budget, a message that does not fit waits
 * without being read, small messages go on, and a message that does not arrive whole in time
 * closes its connection and frees its memory for the next.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { testRuntime } from '../testing/test-runtime.ts';
import { SmbAdapter } from './adapter.ts';
import { Command, Status } from './constants.ts';
import { framePrefix } from './framing.ts';
import { decodeHeader } from './header.ts';
import { serverContext, TestClient } from './testing.ts';
import { LeWriter } from './writer.ts';

const MiB = 1024 * 1024;
const adapters: SmbAdapter[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(adapters.splice(0).map((a) => a.stop(1000)));
});

async function start(settings: Record<string, unknown>): Promise<SmbAdapter> {
  const adapter = new SmbAdapter({ bind: '127.0.0.1', port: 0, settings }, await testRuntime());
  await adapter.serve();
  adapters.push(adapter);
  return adapter;
}

async function open(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed };
}

/** Sends the length prefix of a `declared`-byte message and `sent` bytes of it, then nothing. */
async function stall(port: number, declared: number, sent: number): Promise<{ closed: Promise<void> }> {
  const { socket, closed } = await open(port);
  socket.write(Buffer.concat([framePrefix(declared), Buffer.alloc(sent)]));
  return { closed };
}

/** The NTSTATUS of a NEGOTIATE on a new connection. */
async function negotiate(port: number): Promise<number> {
  const { socket } = await open(port);
  const body = new LeWriter().u16(36).u16(1).u16(1).u16(0).u32(0).bytes(randomBytes(16)).u64(0).u16(0x0210).finish();
  // A client of its own only to build the message (message ids, header fields).
  const msg = new TestClient(serverContext(await testRuntime())).message(Command.NEGOTIATE, Buffer.from(body));
  socket.write(Buffer.concat([framePrefix(msg.length), msg]));
  let got = Buffer.alloc(0);
  for await (const chunk of socket) {
    got = Buffer.concat([got, chunk as Buffer]);
    if (got.length >= 4 && got.length >= 4 + got.readUInt32BE(0)) break;
  }
  return decodeHeader(got, 4)!.status;
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 200) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('SMB receive limits', () => {
  it('makes a large message wait while stalled ones hold the memory; small messages go on', async () => {
    const adapter = await start({ maxPartialRecordBytes: MiB, recordTimeoutMs: 1000 });
    const stats = () => adapter.connectionLimits();
    const staller = await stall(adapter.port, MiB, MiB / 2);
    await until('the stalled message to hold the memory', () => stats().recordMemoryBytes === MiB);
    let waiterClosed = false;
    void (await stall(adapter.port, MiB / 2, 4096)).closed.then(() => (waiterClosed = true));
    await until('the second message to wait', () => stats().recordMemoryWaits === 1);
    // Messages of at most 64 KiB reserve nothing: served while the budget is taken.
    expect(await negotiate(adapter.port)).toBe(Status.SUCCESS);
    expect(stats().recordMemoryBytes).toBe(MiB);
    // The staller times out; the waiting message gets the memory, and then times out too.
    await staller.closed;
    await until('the waiting message to be admitted', () => stats().recordMemoryBytes === MiB / 2);
    expect(waiterClosed).toBe(false);
    await until('the admitted message to time out', () => waiterClosed);
    expect(stats()).toMatchObject({ recordMemoryBytes: 0, timedOut: { record: 2 } });
  });

  it('keeps a connection whose message arrives in time', async () => {
    const adapter = await start({ recordTimeoutMs: 1000 });
    expect(await negotiate(adapter.port)).toBe(Status.SUCCESS);
    await new Promise((r) => setTimeout(r, 1200));
    expect(adapter.connectionLimits().timedOut.record).toBe(0);
  });
});
