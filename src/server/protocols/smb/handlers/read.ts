/**
 * MS-SMB2 §3.3.5.12 READ: bytes from the payload (clipped at end of file; at or past it
 * END_OF_FILE), sent after the response body without copying; on a pipe, the pending
 * DCE/RPC reply; on a named stream, bytes of the stream (stream-io.ts). Large reads land in pooled buffers given back once the reply is written:
 * a stream of 8 MiB READs neither allocates nor page-faults fresh memory for each.
 */
import { FileType } from '../../../metadata/types.ts';
import { BufferPool } from '../../../payload/buffer-pool.ts';
import { HEADER_SIZE, Status } from '../constants.ts';
import { openOf, SmbStatusError, type SmbHandler } from '../handler.ts';
import { fileKey } from '../../../metadata/locks/lock-manager.ts';
import { LeReader } from '../reader.ts';
import { lockOwner } from './lock.ts';
import { INT64_MAX, openCanRead } from '../share-modes.ts';
import { MAX_IO_SIZE } from '../settings.ts';
import { streamData } from '../stream-io.ts';
import { LeWriter } from '../writer.ts';

const EMPTY = Buffer.alloc(0);
/** Reads this large use a pooled buffer; smaller ones allocate (Node pools small buffers itself). */
const POOLED_MIN = 64 * 1024;
/**
 * Pooled buffers out at once, across connections (past that, reads allocate); an idle pool
 * keeps none, so a finished download leaves no 8 MiB buffers behind.
 */
const buffers = new BufferPool(MAX_IO_SIZE, 8, false, 0);

function response(data: Buffer): Buffer {
  // DataOffset 0x50: the data follows the 16-byte body right after the header.
  return Buffer.from(new LeWriter(16).u16(17).u8(0x50).u8(0).u32(data.length).u32(0).u32(0).finish());
}

export const read: SmbHandler = {
  name: 'READ',
  needsSession: true,
  needsTree: true,
  async run(ctx) {
    const r = new LeReader(ctx.msg, HEADER_SIZE);
    if (r.u16() !== 49) throw new SmbStatusError(Status.INVALID_PARAMETER);
    r.u8();
    r.u8();
    const length = r.u32();
    const offset64 = r.u64();
    const open = openOf(ctx, r.u64(), r.u64());
    const minimum = r.u32();
    if (!r.ok) throw new SmbStatusError(Status.INVALID_PARAMETER);
    // Offsets are signed 64-bit on the wire (MS-FSA): past INT64_MAX, or a range reaching past it, is invalid.
    if (length > ctx.server.settings.maxIoSize || offset64 + BigInt(length) > INT64_MAX)
      throw new SmbStatusError(Status.INVALID_PARAMETER);
    if (open.pipe) {
      const data = open.pipe.read(length);
      if (!data) throw new SmbStatusError(Status.END_OF_FILE);
      const status = open.pipe.pending > 0 ? Status.BUFFER_OVERFLOW : Status.SUCCESS;
      return { status, body: response(data), tail: data };
    }
    if (open.isDirectory) throw new SmbStatusError(Status.INVALID_DEVICE_REQUEST);
    if (!openCanRead(open)) throw new SmbStatusError(Status.ACCESS_DENIED);
    // A zero-length read succeeds anywhere unless it asks for a minimum.
    if (length === 0) {
      if (minimum > 0) throw new SmbStatusError(Status.END_OF_FILE);
      return { status: Status.SUCCESS, body: response(EMPTY) };
    }
    const offset = offset64 > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(offset64);
    const session = ctx.session;
    const share = open.share;
    if (!session || share === undefined) throw new SmbStatusError(Status.FILE_CLOSED);
    const { metadata, payload } = ctx.server.runtime;
    if (open.stream !== undefined) {
      const all = await streamData(metadata, session.auth, { ...open, stream: open.stream });
      const data = all.subarray(Math.min(offset, all.length), Math.min(offset + length, all.length));
      if (data.length === 0 || data.length < minimum) throw new SmbStatusError(Status.END_OF_FILE);
      ctx.bytesRead = data.length;
      open.position = offset + data.length;
      return { status: Status.SUCCESS, body: response(data), tail: data };
    }
    const attr = await metadata.prepareRead(session.auth, open.handle);
    if (attr.type !== FileType.Regular) throw new SmbStatusError(Status.INVALID_DEVICE_REQUEST);
    const count = Math.max(0, Math.min(length, attr.size - offset));
    if (count === 0 || count < minimum) throw new SmbStatusError(Status.END_OF_FILE);
    if (!metadata.locks.allows(fileKey(share, open.fileid), lockOwner(open), offset64, offset64 + BigInt(count), false))
      throw new SmbStatusError(Status.FILE_LOCK_CONFLICT);
    const lent = count >= POOLED_MIN ? buffers.tryAcquire() : undefined;
    let data: Buffer;
    try {
      data = await payload.readAt(share, attr.payloadId, offset, count, lent);
    } catch (err) {
      if (lent !== undefined) buffers.release(lent);
      throw err;
    }
    ctx.bytesRead = data.length;
    open.position = offset + data.length;
    return {
      status: Status.SUCCESS,
      body: response(data),
      tail: data,
      ...(lent && { release: () => buffers.release(lent) }),
    };
  },
};
