// The connection core without sockets: NEGOTIATE, NTLMv2 login as the test runtime's user,
// tree connect, a related compound CREATE + WRITE + READ + CLOSE, share modes across
// connections, and bad input: requests before NEGOTIATE, ids outside the credit window,
// commands without a session, truncated bodies, and thousands of mutated messages.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Command, Flags, HEADER_SIZE, Status } from './constants.ts';
import { decodeHeader, encodeHeader } from './header.ts';
import { framePrefix } from './framing.ts';
import { RecordDecoder } from '../rpc/record.ts';
import { Disposition } from './handlers/create.ts';
import { createBody, readBody, TestClient } from './testing.ts';
import { LeWriter } from './writer.ts';

const ALL = 0xffffffffffffffffn;

function writeBody(data: Buffer, offset = 0): Buffer {
  const w = new LeWriter()
    .u16(49)
    .u16(HEADER_SIZE + 48)
    .u32(data.length)
    .u64(offset)
    .u64(ALL)
    .u64(ALL);
  return Buffer.from(w.u32(0).u32(0).u16(0).u16(0).u32(0).bytes(data).finish());
}

const closeBody = (): Buffer => Buffer.from(new LeWriter().u16(24).u16(1).u32(0).u64(ALL).u64(ALL).finish());

/** Chains request messages as a compound (8-byte aligned, NextCommand set). */
function compound(messages: Buffer[], related: boolean): Buffer {
  const parts = messages.map((m, i) => {
    const last = i === messages.length - 1;
    const len = last ? m.length : (m.length + 7) & ~7;
    const p = Buffer.alloc(len);
    m.copy(p);
    if (!last) p.writeUInt32LE(len, 20);
    if (related && i > 0) p.writeUInt32LE(p.readUInt32LE(16) | Flags.RELATED_OPERATIONS, 16);
    return p;
  });
  return Buffer.concat(parts);
}

describe('SMB2 header and framing', () => {
  it('a header round-trips; short or foreign bytes are not a header', () => {
    const b = Buffer.alloc(64);
    const hdr = {
      creditCharge: 2,
      status: 0xc0000022,
      command: Command.READ,
      credits: 31,
      flags: Flags.SERVER_TO_REDIR,
      nextCommand: 0,
      messageId: 0x1_0000_0005n,
      asyncId: 0n,
      treeId: 7,
      sessionId: 0xfeedn,
      signature: Buffer.alloc(16),
    };
    encodeHeader(hdr, b);
    expect(decodeHeader(b)).toMatchObject({ ...hdr, signature: Buffer.alloc(16) });
    expect(decodeHeader(b.subarray(0, 63))).toBeUndefined();
    expect(decodeHeader(Buffer.alloc(64))).toBeUndefined();
  });

  it('frames split anywhere are reassembled; an oversized length or another message type is refused', () => {
    const d = new RecordDecoder(1000, undefined, 'smb');
    const msg = randomBytes(300);
    const wire = Buffer.concat([framePrefix(300), msg, framePrefix(2), Buffer.from('ok')]);
    const got: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 7) {
      d.push(wire.subarray(i, i + 7));
      for (let m = d.next(); m !== undefined; m = d.next()) got.push(Buffer.from(m));
    }
    expect(got).toEqual([msg, Buffer.from('ok')]);
    const big = new RecordDecoder(1000, undefined, 'smb');
    big.push(framePrefix(1001));
    expect(big.next()).toBeUndefined();
    expect(big.error).toMatch(/more than 1000 bytes/);
    const keepAlive = new RecordDecoder(1000, undefined, 'smb');
    keepAlive.push(Buffer.from([0x85, 0, 0, 0]));
    expect(keepAlive.next()).toBeUndefined();
    expect(keepAlive.error).toBe('not an SMB session message');
  });
});

describe('SMB2 connection', () => {
  it('logs in with NTLMv2, connects the share, and refuses a wrong password', async () => {
    const c = await TestClient.create();
    const ok = await c.login();
    expect(ok.hdr.status).toBe(Status.SUCCESS);
    expect(ok.hdr.flags & Flags.SIGNED).toBeTruthy(); // the final SESSION_SETUP response is signed
    expect((await c.treeConnect()).hdr.status).toBe(Status.SUCCESS);
    expect((await c.treeConnect('nope')).hdr.status).toBe(Status.BAD_NETWORK_NAME);

    const bad = await TestClient.create();
    expect((await bad.login('not it')).hdr.status).toBe(Status.LOGON_FAILURE);
    expect((await (await TestClient.create()).login('x', 'mallory')).hdr.status).toBe(Status.LOGON_FAILURE);
  });

  it('runs a related compound CREATE + WRITE + READ + CLOSE on the new FileId', async () => {
    const c = await TestClient.create();
    await c.login();
    await c.treeConnect();
    const data = Buffer.from('hello over SMB');
    const chain = compound(
      [
        c.message(Command.CREATE, createBody('a.txt', Disposition.CREATE)),
        c.message(Command.WRITE, writeBody(data)),
        c.message(Command.READ, readBody(100)),
        c.message(Command.CLOSE, closeBody()),
      ],
      true,
    );
    const replies = await c.raw(chain);
    if (replies === 'closed') throw new Error('closed');
    expect(replies.map((r) => r.hdr.status)).toEqual([0, 0, 0, 0]);
    const read = replies[2]!.body;
    expect(read.subarray(16, 16 + read.readUInt32LE(4))).toEqual(data);
    // After the CLOSE the file exists with the data; creating it again collides.
    expect((await c.send(Command.CREATE, createBody('A.TXT', Disposition.CREATE))).hdr.status).toBe(
      Status.OBJECT_NAME_COLLISION,
    );
  });

  it('a failed CREATE fails the related requests after it with its status', async () => {
    const c = await TestClient.create();
    await c.login();
    await c.treeConnect();
    const replies = await c.raw(
      compound(
        [c.message(Command.CREATE, createBody('missing.txt', Disposition.OPEN)), c.message(Command.CLOSE, closeBody())],
        true,
      ),
    );
    expect(replies !== 'closed' && replies.map((r) => r.hdr.status)).toEqual([
      Status.OBJECT_NAME_NOT_FOUND,
      Status.OBJECT_NAME_NOT_FOUND,
    ]);
  });

  it('share modes conflict across connections (SHARING_VIOLATION)', async () => {
    const a = await TestClient.create();
    const b = new TestClient(a.server);
    for (const c of [a, b]) {
      await c.login();
      await c.treeConnect();
    }
    // a opens for read+write sharing only read; b then wants to write.
    expect((await a.send(Command.CREATE, createBody('locked.txt', Disposition.OPEN_IF, 0, 0x3, 1))).hdr.status).toBe(0);
    expect((await b.send(Command.CREATE, createBody('locked.txt', Disposition.OPEN, 0, 0x2, 7))).hdr.status).toBe(
      Status.SHARING_VIOLATION,
    );
    expect((await b.send(Command.CREATE, createBody('locked.txt', Disposition.OPEN, 0, 0x1, 7))).hdr.status).toBe(0);
  });

  it('closes on a request before NEGOTIATE and on a message id outside the credit window', async () => {
    const c = await TestClient.create();
    expect(await c.raw(c.message(Command.ECHO, Buffer.from([4, 0, 0, 0])))).toBe('closed');
    const d = await TestClient.create();
    await d.negotiate();
    expect(await d.raw(d.message(Command.ECHO, Buffer.from([4, 0, 0, 0]), { messageId: 100_000n }))).toBe('closed');
    const e = await TestClient.create();
    await e.negotiate();
    expect(await e.raw(e.message(Command.ECHO, Buffer.from([4, 0, 0, 0]), { messageId: 0n }))).toBe('closed'); // replayed id
  });

  it('refuses commands without a session or tree, and truncated bodies, with a status', async () => {
    const c = await TestClient.create();
    await c.negotiate();
    expect((await c.treeConnect()).hdr.status).toBe(Status.USER_SESSION_DELETED);
    await c.login();
    expect((await c.send(Command.CREATE, createBody('x', Disposition.OPEN_IF))).hdr.status).toBe(
      Status.NETWORK_NAME_DELETED,
    );
    await c.treeConnect();
    for (const cmd of [
      Command.CREATE,
      Command.READ,
      Command.WRITE,
      Command.CLOSE,
      Command.QUERY_DIRECTORY,
      Command.QUERY_INFO,
      Command.SET_INFO,
      Command.IOCTL,
      Command.TREE_CONNECT,
    ]) {
      const r = await c.send(cmd, Buffer.from([1, 2, 3]));
      expect(r.hdr.status, `command ${cmd}`).not.toBe(Status.SUCCESS);
    }
  });

  it('survives thousands of mutated messages and still serves a healthy client', async () => {
    const healthy = await TestClient.create();
    await healthy.login();
    await healthy.treeConnect();
    const seeds = [
      healthy.message(Command.CREATE, createBody('fuzz.txt', Disposition.OPEN_IF)),
      healthy.message(Command.WRITE, writeBody(Buffer.from('abc'))),
      healthy.message(Command.READ, readBody(10)),
      healthy.message(
        Command.QUERY_INFO,
        Buffer.from(
          new LeWriter().u16(41).u8(1).u8(18).u32(4096).u16(0).u16(0).u32(0).u32(0).u32(0).u64(ALL).u64(ALL).finish(),
        ),
      ),
      healthy.message(
        Command.NEGOTIATE,
        Buffer.from(new LeWriter().u16(36).u16(1).u16(0).u16(0).u32(0).zeros(16).u64(0).u16(0x311).finish()),
      ),
    ];
    let closed = 0;
    let answered = 0;
    for (let i = 0; i < 3000; i++) {
      const victim = new TestClient(healthy.server);
      victim.conn.state.sessions.set(healthy.sessionId, healthy.conn.state.sessions.get(healthy.sessionId)!);
      victim.conn.state.dialect = healthy.conn.state.dialect;
      victim.conn.state.grant(1_000_000); // let mutated message ids reach the handlers
      const m = Buffer.from(seeds[i % seeds.length]!);
      for (let k = 0; k < 1 + (i % 6); k++) m.writeUInt8(randomBytes(1)[0]!, Math.floor(Math.random() * m.length));
      const cut = i % 5 === 0 ? m.subarray(0, Math.floor(Math.random() * m.length)) : m;
      const r = await victim.raw(cut);
      if (r === 'closed') closed++;
      else {
        answered++;
        // An unexpected exception in a handler would answer UNSUCCESSFUL: bad input gets a precise status.
        for (const reply of r) expect(reply.hdr.status, `seed ${i % seeds.length}`).not.toBe(Status.UNSUCCESSFUL);
      }
    }
    expect(closed).toBeGreaterThan(0);
    expect(answered).toBeGreaterThan(1000);
    const r = await healthy.send(Command.CREATE, createBody('still-fine.txt', Disposition.CREATE));
    expect(r.hdr.status).toBe(Status.SUCCESS);
  });
});
