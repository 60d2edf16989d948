// CHANGE_NOTIFY through the connection core: a watch with nothing new goes asynchronous
// (interim STATUS_PENDING with an AsyncId) and completes with FILE_NOTIFY_INFORMATION once
// the directory changes through MetadataService (as an NFS client would change it); CANCEL
// completes a waiting request with STATUS_CANCELLED; the listing diff reports renames.
import { describe, expect, it } from 'vitest';
import { Command, Flags, HEADER_SIZE, Status } from './constants.ts';
import { decodeHeader } from './header.ts';
import { Disposition, CreateOption } from './handlers/create.ts';
import { diff, NotifyAction } from './notify.ts';
import { createBody, TestClient } from './testing.ts';
import { LeWriter } from './writer.ts';
import type { TestRuntime } from '../testing/test-runtime.ts';

const notifyBody = (persistent: bigint, volatile: bigint): Buffer =>
  Buffer.from(new LeWriter().u16(32).u16(0).u32(4096).u64(persistent).u64(volatile).u32(0x17).u32(0).finish());

async function watchRoot(c: TestClient) {
  await c.login();
  await c.treeConnect();
  const open = await c.send(Command.CREATE, createBody('', Disposition.OPEN, CreateOption.DIRECTORY_FILE, 0x1));
  expect(open.hdr.status).toBe(Status.SUCCESS);
  return { persistent: open.body.readBigUInt64LE(64), volatile: open.body.readBigUInt64LE(72) };
}

function nextAsync(c: TestClient): Promise<Buffer> {
  return new Promise((resolve) => (c.conn.onAsync = (out) => resolve(Buffer.concat(out))));
}

describe('CHANGE_NOTIFY', () => {
  it('waits, then reports a file created by another protocol', async () => {
    const c = await TestClient.create();
    const id = await watchRoot(c);
    const interim = await c.send(Command.CHANGE_NOTIFY, notifyBody(id.persistent, id.volatile));
    expect(interim.hdr.status).toBe(Status.PENDING);
    expect(interim.hdr.flags & Flags.ASYNC_COMMAND).toBeTruthy();
    const final = nextAsync(c);
    const rt = c.server.runtime as TestRuntime;
    await rt.metadata.create(
      { uid: 1000, gid: 1000, gids: [], clientAddr: '127.0.0.1' },
      rt.root,
      'from-nfs.txt',
      {},
      { kind: 'unchecked' },
    );
    const msg = await final;
    const hdr = decodeHeader(msg)!;
    expect(hdr.status).toBe(Status.SUCCESS);
    expect(hdr.asyncId).toBe(interim.hdr.asyncId);
    const info = msg.subarray(msg.readUInt16LE(HEADER_SIZE + 2));
    expect(info.readUInt32LE(4)).toBe(NotifyAction.ADDED);
    expect(info.subarray(12, 12 + info.readUInt32LE(8)).toString('utf16le')).toBe('from-nfs.txt');
  });

  it('CANCEL completes a waiting request with STATUS_CANCELLED', async () => {
    const c = await TestClient.create();
    const id = await watchRoot(c);
    const interim = await c.send(Command.CHANGE_NOTIFY, notifyBody(id.persistent, id.volatile));
    const final = nextAsync(c);
    const cancel = c.message(Command.CANCEL, Buffer.from([4, 0, 0, 0]), {
      flags: Flags.ASYNC_COMMAND,
      asyncId: interim.hdr.asyncId,
    });
    expect(await c.raw(cancel)).toEqual([]);
    expect(decodeHeader(await final)?.status).toBe(Status.CANCELLED);
  });

  it('the listing diff turns a name gone and one come with the same file id into a rename', () => {
    const e = (fileid: number) => ({ fileid, mtime: '1.0', size: 0 });
    const changes = diff(
      new Map([
        ['a', e(1)],
        ['b', e(2)],
      ]),
      new Map([
        ['c', e(1)],
        ['b', { ...e(2), size: 5 }],
      ]),
    );
    expect(changes).toEqual([
      { action: NotifyAction.RENAMED_OLD_NAME, name: 'a' },
      { action: NotifyAction.RENAMED_NEW_NAME, name: 'c' },
      { action: NotifyAction.MODIFIED, name: 'b' },
    ]);
  });
});
