/**
 * MS-SMB2 §3.3.5.13 WRITE: bytes into the payload; the size / mtime change is kept in
 * memory like an NFS UNSTABLE write (visible at once) and stored at FLUSH or CLOSE. With
 * SMB2_WRITEFLAG_WRITE_THROUGH both are durable before the reply. On a pipe: a DCE/RPC request.
 * On a named stream: into the stream, committed at once (durable at FLUSH, or now with WRITE_THROUGH).
 */
import { FileType } from '../../../metadata/types.ts';
import { HEADER_SIZE, Status } from '../constants.ts';
import { openOf, SmbStatusError, type SmbHandler } from '../handler.ts';
import { fileKey } from '../../../metadata/locks/lock-manager.ts';
import { LeReader } from '../reader.ts';
import { lockOwner } from './lock.ts';
import { INT64_MAX, openCanWrite } from '../share-modes.ts';
import { LeWriter } from '../writer.ts';
import { noteWrite } from '../write-time.ts';
import { updateOpenStream } from '../stream-io.ts';

const WRITE_THROUGH = 0x1;
/** MS-FSA's largest file size (0xfffffff0000, what NTFS and Samba allow). */
export const MAX_FILE_SIZE = 0xfffffff0000n;

function response(count: number): Buffer {
  return Buffer.from(new LeWriter(16).u16(17).u16(0).u32(count).u32(0).u16(0).u16(0).finish());
}

export const write: SmbHandler = {
  name: 'WRITE',
  needsSession: true,
  needsTree: true,
  async run(ctx) {
    const r = new LeReader(ctx.msg, HEADER_SIZE);
    if (r.u16() !== 49) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const dataOffset = r.u16();
    const length = r.u32();
    const offset64 = r.u64();
    const open = openOf(ctx, r.u64(), r.u64());
    r.skip(4 + 4 + 2 + 2);
    const flags = r.u32();
    const data = r.at(dataOffset, length);
    if (!r.ok || length > ctx.server.settings.maxIoSize) throw new SmbStatusError(Status.INVALID_PARAMETER);
    if (open.pipe) {
      open.pipe.write(data);
      return { status: Status.SUCCESS, body: response(data.length) };
    }
    if (ctx.tree?.access !== 'write' || !openCanWrite(open)) throw new SmbStatusError(Status.ACCESS_DENIED);
    // Offsets are signed 64-bit (MS-FSA); a write must end below the largest file size.
    if (offset64 > INT64_MAX) throw new SmbStatusError(Status.INVALID_PARAMETER);
    if (data.length === 0) return { status: Status.SUCCESS, body: response(0) };
    if (offset64 + BigInt(data.length) > MAX_FILE_SIZE) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const offset = Number(offset64);
    if (open.isDirectory) throw new SmbStatusError(Status.INVALID_DEVICE_REQUEST);
    const session = ctx.session;
    const share = open.share;
    if (!session || share === undefined) throw new SmbStatusError(Status.FILE_CLOSED);
    const end = offset + data.length;
    const { metadata, payload } = ctx.server.runtime;
    const stable = (flags & WRITE_THROUGH) !== 0;
    if (open.stream !== undefined) {
      const stream = { ...open, stream: open.stream };
      await updateOpenStream(metadata, session.auth, stream, { write: { offset, data } }, { lazy: !stable });
      ctx.bytesWritten = data.length;
      open.position = end;
      return { status: Status.SUCCESS, body: response(data.length) };
    }
    if (
      !metadata.locks.allows(
        fileKey(share, open.fileid),
        lockOwner(open),
        offset64,
        offset64 + BigInt(data.length),
        true,
      )
    )
      throw new SmbStatusError(Status.FILE_LOCK_CONFLICT);
    const before = await metadata.prepareWrite(session.auth, open.handle);
    if (before.type !== FileType.Regular) throw new SmbStatusError(Status.INVALID_DEVICE_REQUEST);
    noteWrite(open, before);
    await payload.writeAt(share, before.payloadId, data, offset);
    await Promise.all([
      metadata.commitWrite(session.auth, open.handle, end, stable),
      stable ? payload.flush(share, before.payloadId) : undefined,
    ]);
    open.written = !stable || open.written;
    ctx.bytesWritten = data.length;
    open.position = end;
    return { status: Status.SUCCESS, body: response(data.length) };
  },
};
