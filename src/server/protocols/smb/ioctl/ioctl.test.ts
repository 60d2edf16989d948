// SMB2 IOCTL through the connection core, for what smbtorture's smb2.ioctl does not reach
// here: the NETWORK_INTERFACE_INFO entry itself (smbtorture skips it without multichannel),
// QUERY_ALLOCATED_RANGES answering BUFFER_OVERFLOW with the ranges that fit, a request that is
// not an FSCTL, and random input for every control code answered without a crash.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Command, HEADER_SIZE, Status } from '../constants.ts';
import { Disposition } from '../handlers/create.ts';
import { createBody, TestClient } from '../testing.ts';
import { LeWriter } from '../writer.ts';
import { Fsctl } from './fsctl.ts';
import { FSCTLS } from './table.ts';

const ALL = 0xffffffffffffffffn;

interface FileId {
  persistent: bigint;
  volatile: bigint;
}

function ioctlBody(ctlCode: number, id: FileId, input: Buffer, maxOutput: number, flags = 1): Buffer {
  return new LeWriter()
    .u16(57)
    .u16(0)
    .u32(ctlCode)
    .u64(id.persistent)
    .u64(id.volatile)
    .u32(HEADER_SIZE + 56)
    .u32(input.length)
    .u32(0)
    .u32(0)
    .u32(0)
    .u32(maxOutput)
    .u32(flags)
    .u32(0)
    .bytes(input)
    .finish();
}

/** The response's output buffer (§2.2.32: OutputOffset at 32, OutputCount at 36, from the header). */
const outputOf = (msg: Buffer): Buffer => {
  const body = msg.subarray(HEADER_SIZE);
  const at = body.readUInt32LE(32);
  return msg.subarray(at, at + body.readUInt32LE(36));
};

async function session(): Promise<TestClient> {
  const c = await TestClient.create();
  await c.login();
  await c.treeConnect();
  return c;
}

async function openFile(c: TestClient, name: string): Promise<FileId> {
  const r = await c.send(Command.CREATE, createBody(name, Disposition.OPEN_IF));
  expect(r.hdr.status).toBe(Status.SUCCESS);
  return { persistent: r.body.readBigUInt64LE(64), volatile: r.body.readBigUInt64LE(72) };
}

describe('SMB2 IOCTL', () => {
  it('QUERY_NETWORK_INTERFACE_INFO names the address the client connected to', async () => {
    const c = await session();
    const query = () =>
      c.send(
        Command.IOCTL,
        ioctlBody(Fsctl.QUERY_NETWORK_INTERFACE_INFO, { persistent: ALL, volatile: ALL }, Buffer.alloc(0), 65536),
      );
    let r = await query();
    expect(r.hdr.status).toBe(Status.SUCCESS);
    let out = outputOf(r.msg);
    expect(out.length).toBe(152);
    expect(out.readUInt32LE(0)).toBe(0); // Next: the only entry
    expect(out.readBigUInt64LE(16)).toBe(10_000_000_000n);
    expect(out.readUInt16LE(24)).toBe(0x0002);
    expect([...out.subarray(28, 32)]).toEqual([127, 0, 0, 1]);

    c.conn.state.localAddr = 'fd00::1:2';
    r = await query();
    out = outputOf(r.msg);
    expect(out.readUInt16LE(24)).toBe(0x0017);
    expect(out.subarray(32, 48).toString('hex')).toBe('fd000000000000000000000000010002');
  });

  it('QUERY_ALLOCATED_RANGES of a sparse file: the ranges that fit, then BUFFER_OVERFLOW', async () => {
    const c = await session();
    const id = await openFile(c, 'holes.bin');
    const write = (offset: number) =>
      c.send(
        Command.WRITE,
        new LeWriter()
          .u16(49)
          .u16(HEADER_SIZE + 48)
          .u32(4096)
          .u64(BigInt(offset))
          .u64(id.persistent)
          .u64(id.volatile)
          .u32(0)
          .u32(0)
          .u16(0)
          .u16(0)
          .u32(0)
          .bytes(Buffer.alloc(4096, 7))
          .finish(),
      );
    for (const offset of [0, 16384, 32768]) expect((await write(offset)).hdr.status).toBe(Status.SUCCESS);
    const sparse = await c.send(Command.IOCTL, ioctlBody(Fsctl.SET_SPARSE, id, Buffer.from([1]), 0));
    expect(sparse.hdr.status).toBe(Status.SUCCESS);
    const range = new LeWriter().u64(0).u64(65536).finish();
    const all = await c.send(Command.IOCTL, ioctlBody(Fsctl.QUERY_ALLOCATED_RANGES, id, range, 1024));
    expect(all.hdr.status).toBe(Status.SUCCESS);
    expect(outputOf(all.msg).length).toBe(48);
    const some = await c.send(Command.IOCTL, ioctlBody(Fsctl.QUERY_ALLOCATED_RANGES, id, range, 40));
    expect(some.hdr.status).toBe(Status.BUFFER_OVERFLOW);
    const out = outputOf(some.msg);
    expect(out.length).toBe(32);
    expect([out.readBigUInt64LE(16), out.readBigUInt64LE(24)]).toEqual([16384n, 4096n]);
  });

  it('answers an IOCTL that is not an FSCTL, and an unknown control code, NOT_SUPPORTED', async () => {
    const c = await session();
    const id = await openFile(c, 'plain.bin');
    const notFsctl = await c.send(Command.IOCTL, ioctlBody(Fsctl.GET_COMPRESSION, id, Buffer.alloc(0), 2, 0));
    expect(notFsctl.hdr.status).toBe(Status.NOT_SUPPORTED);
    const unknown = await c.send(Command.IOCTL, ioctlBody(0x00090000, id, Buffer.alloc(0), 64));
    expect(unknown.hdr.status).toBe(Status.NOT_SUPPORTED);
    const closed = await c.send(
      Command.IOCTL,
      ioctlBody(0x00090000, { persistent: 1n, volatile: 99n }, Buffer.alloc(0), 64),
    );
    expect(closed.hdr.status).toBe(Status.FILE_CLOSED);
  });

  it('answers random input for every control code without failing the connection', async () => {
    const c = await session();
    const id = await openFile(c, 'fuzz.bin');
    for (const code of FSCTLS.keys()) {
      for (let i = 0; i < 60; i++) {
        const input = randomBytes(Math.floor(Math.random() * 80));
        const r = await c.send(Command.IOCTL, ioctlBody(code, id, input, Math.floor(Math.random() * 300)));
        expect(r.hdr.status, `FSCTL 0x${code.toString(16)}`).not.toBe(Status.INTERNAL_ERROR);
        expect(r.hdr.status, `FSCTL 0x${code.toString(16)}`).not.toBe(Status.UNSUCCESSFUL);
      }
    }
    expect((await c.send(Command.ECHO, Buffer.from([4, 0, 0, 0]))).hdr.status).toBe(Status.SUCCESS);
  });
});
