// SMB2 LOCK through the connection core, in the lock manager all protocols share: a lock
// held over NFSv4 refuses an SMB lock and SMB I/O; a blocking SMB lock (no FAIL_IMMEDIATELY)
// goes asynchronous and is granted when the other owner unlocks, or ends STATUS_CANCELLED on
// CANCEL and STATUS_RANGE_NOT_LOCKED on CLOSE; a closed connection releases its locks.
import { describe, expect, it } from 'vitest';
import { fileKey, ownerKey, TO_END } from '../../metadata/locks/lock-manager.ts';
import { SHARE, type TestRuntime } from '../testing/test-runtime.ts';
import { Command, Flags, HEADER_SIZE, Status } from './constants.ts';
import { decodeHeader } from './header.ts';
import { Disposition } from './handlers/create.ts';
import { LockFlag } from './handlers/lock.ts';
import { createBody, TestClient } from './testing.ts';
import { LeWriter } from './writer.ts';

const ALICE = { uid: 1000, gid: 1000, gids: [], clientAddr: '127.0.0.1' };

interface FileId {
  persistent: bigint;
  volatile: bigint;
}

const lockBody = (id: FileId, offset: bigint, length: bigint, flags: number): Buffer =>
  Buffer.from(
    new LeWriter()
      .u16(48)
      .u16(1)
      .u32(0)
      .u64(id.persistent)
      .u64(id.volatile)
      .u64(offset)
      .u64(length)
      .u32(flags)
      .u32(0)
      .finish(),
  );

const readBody = (id: FileId, length: number, offset: number): Buffer =>
  Buffer.from(
    new LeWriter()
      .u16(49)
      .u8(0)
      .u8(0)
      .u32(length)
      .u64(BigInt(offset))
      .u64(id.persistent)
      .u64(id.volatile)
      .u32(0)
      .u32(0)
      .u32(0)
      .u16(0)
      .u16(0)
      .u8(0)
      .finish(),
  );

function writeBody(id: FileId, data: Buffer): Buffer {
  const w = new LeWriter()
    .u16(49)
    .u16(HEADER_SIZE + 48)
    .u32(data.length)
    .u64(0n)
    .u64(id.persistent)
    .u64(id.volatile);
  return Buffer.from(w.u32(0).u32(0).u16(0).u16(0).u32(0).bytes(data).finish());
}

async function openFile(c: TestClient, name: string): Promise<FileId> {
  await c.login();
  await c.treeConnect();
  const r = await c.send(Command.CREATE, createBody(name, Disposition.OPEN_IF, 0, 0x3, 7));
  expect(r.hdr.status).toBe(Status.SUCCESS);
  return { persistent: r.body.readBigUInt64LE(64), volatile: r.body.readBigUInt64LE(72) };
}

function nextAsync(c: TestClient): Promise<number> {
  return new Promise((resolve) => (c.conn.onAsync = (out) => resolve(decodeHeader(Buffer.concat(out))!.status)));
}

const EXCLUSIVE_NOW = LockFlag.EXCLUSIVE | LockFlag.FAIL_IMMEDIATELY;

describe('SMB2 LOCK', () => {
  it('conflicts with an NFSv4 lock on the same file, for locks and for reads', async () => {
    const a = await TestClient.create();
    const id = await openFile(a, 'shared.bin');
    const rt = a.server.runtime as TestRuntime;
    expect((await a.send(Command.WRITE, writeBody(id, Buffer.alloc(100)))).hdr.status).toBe(Status.SUCCESS);
    const { attr } = await rt.metadata.lookup(ALICE, rt.root, 'shared.bin');
    const nfsOwner = ownerKey('nfs4', 'c0ffee', '01');
    expect(await rt.metadata.locks.lock(fileKey(SHARE, attr.fileid), nfsOwner, 'write', 10n, 20n)).toBeUndefined();
    expect((await a.send(Command.LOCK, lockBody(id, 15n, 1n, EXCLUSIVE_NOW))).hdr.status).toBe(Status.LOCK_NOT_GRANTED);
    expect((await a.send(Command.LOCK, lockBody(id, 20n, 5n, EXCLUSIVE_NOW))).hdr.status).toBe(Status.SUCCESS);
    // SMB holds 20..25 now: NFSv4 cannot take it.
    expect(await rt.metadata.locks.lock(fileKey(SHARE, attr.fileid), nfsOwner, 'read', 0n, TO_END)).toMatchObject({
      start: 20n,
      end: 25n,
    });
    expect((await a.send(Command.READ, readBody(id, 4, 12))).hdr.status).toBe(Status.FILE_LOCK_CONFLICT);
    expect((await a.send(Command.READ, readBody(id, 4, 30))).hdr.status).toBe(Status.SUCCESS);
  });

  it('a blocking lock waits (STATUS_PENDING) and is granted when the holder unlocks', async () => {
    const a = await TestClient.create();
    const b = new TestClient(a.server);
    const ida = await openFile(a, 'wait.bin');
    const idb = await openFile(b, 'wait.bin');
    expect((await a.send(Command.LOCK, lockBody(ida, 0n, 10n, EXCLUSIVE_NOW))).hdr.status).toBe(Status.SUCCESS);
    const interim = await b.send(Command.LOCK, lockBody(idb, 5n, 1n, LockFlag.EXCLUSIVE));
    expect(interim.hdr.status).toBe(Status.PENDING);
    expect(interim.hdr.flags & Flags.ASYNC_COMMAND).toBeTruthy();
    const final = nextAsync(b);
    expect((await a.send(Command.LOCK, lockBody(ida, 0n, 10n, LockFlag.UNLOCK))).hdr.status).toBe(Status.SUCCESS);
    expect(await final).toBe(Status.SUCCESS);
    // b holds it now: a's attempt fails at once.
    expect((await a.send(Command.LOCK, lockBody(ida, 5n, 1n, EXCLUSIVE_NOW))).hdr.status).toBe(Status.LOCK_NOT_GRANTED);
  });

  it('CANCEL ends a waiting lock (CANCELLED), CLOSE too (RANGE_NOT_LOCKED); a closed connection frees its locks', async () => {
    const a = await TestClient.create();
    const b = new TestClient(a.server);
    const ida = await openFile(a, 'cancel.bin');
    const idb = await openFile(b, 'cancel.bin');
    await a.send(Command.LOCK, lockBody(ida, 0n, 10n, EXCLUSIVE_NOW));
    const interim = await b.send(Command.LOCK, lockBody(idb, 0n, 1n, LockFlag.SHARED));
    expect(interim.hdr.status).toBe(Status.PENDING);
    let final = nextAsync(b);
    const cancel = b.message(Command.CANCEL, Buffer.from([4, 0, 0, 0]), {
      flags: Flags.ASYNC_COMMAND,
      asyncId: interim.hdr.asyncId,
    });
    await b.raw(cancel);
    expect(await final).toBe(Status.CANCELLED);

    expect((await b.send(Command.LOCK, lockBody(idb, 0n, 1n, LockFlag.SHARED))).hdr.status).toBe(Status.PENDING);
    final = nextAsync(b);
    const close = Buffer.from(new LeWriter().u16(24).u16(0).u32(0).u64(idb.persistent).u64(idb.volatile).finish());
    expect((await b.send(Command.CLOSE, close)).hdr.status).toBe(Status.SUCCESS);
    expect(await final).toBe(Status.RANGE_NOT_LOCKED); // as Windows and Samba answer

    await a.conn.close(); // the connection went away
    const idb2 = await (async () => {
      const r = await b.send(Command.CREATE, createBody('cancel.bin', Disposition.OPEN, 0, 0x3, 7));
      return { persistent: r.body.readBigUInt64LE(64), volatile: r.body.readBigUInt64LE(72) };
    })();
    expect((await b.send(Command.LOCK, lockBody(idb2, 0n, 10n, EXCLUSIVE_NOW))).hdr.status).toBe(Status.SUCCESS);
  });
});
