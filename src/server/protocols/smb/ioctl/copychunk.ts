/**
 * MS-SMB2 §3.3.5.15.6 FSCTL_SRV_COPYCHUNK and FSCTL_SRV_COPYCHUNK_WRITE: server-side copy
 * from the open a resume key names (resume-key.ts, any tree of this session) into this one,
 * chunk by chunk, without the data crossing the network.
 *
 * Limits (§3.3.3.1): 256 chunks, 1 MiB a chunk, 16 MiB a request; beyond them, or a chunk of
 * length 0, the answer is INVALID_PARAMETER carrying the limits (§3.3.5.15.6.2). The source
 * must be readable (FILE_READ_DATA or FILE_EXECUTE, as READ), the destination writable, and
 * for COPYCHUNK (not _WRITE) readable too. Each chunk is read whole before it is written, so
 * overlapping ranges of one file copy as if through a buffer. A source range past the
 * source's end stops the copy with INVALID_VIEW_SIZE, a byte-range lock in the way with
 * FILE_LOCK_CONFLICT (as Windows 2012 and Samba); every failure still carries the response,
 * counting the chunks written before it. Like WRITE, the destination's new size and time
 * are kept in memory until FLUSH or CLOSE.
 */
import { DittoError } from '../../../../shared/errors.ts';
import { fileKey } from '../../../metadata/locks/lock-manager.ts';
import { FileType } from '../../../metadata/types.ts';
import { copyRange } from '../../content-range.ts';
import { Status } from '../constants.ts';
import { SmbStatusError, statusOf, type SmbContext } from '../handler.ts';
import { lockOwner } from '../handlers/lock.ts';
import { MAX_FILE_SIZE } from '../handlers/write.ts';
import { LeReader } from '../reader.ts';
import { Access } from '../share-modes.ts';
import type { Open } from '../state.ts';
import { noteWrite } from '../write-time.ts';
import { LeWriter } from '../writer.ts';
import { fileScope, requireAccess, requireWrite, type FsctlReply, type OpenFsctl } from './fsctl.ts';
import { openOfResumeKey, RESUME_KEY_SIZE } from './resume-key.ts';

const MAX_CHUNKS = 256;
const MAX_CHUNK_SIZE = 1024 * 1024;
const MAX_DATA_SIZE = 16 * 1024 * 1024;
/** SRV_COPYCHUNK_COPY before its chunks, one SRV_COPYCHUNK, and SRV_COPYCHUNK_RESPONSE. */
const COPY_HEADER = 32;
const CHUNK = 24;
const RESPONSE = 12;

interface Chunk {
  src: number;
  dst: number;
  length: number;
}

function reply(status: number, chunks: number, chunkBytes: number, total: number): FsctlReply {
  return { status, output: new LeWriter(RESPONSE).u32(chunks).u32(chunkBytes).u32(total).finish() };
}

/** The chunks, or undefined where a limit is broken (§3.3.5.15.6.2). */
function decodeChunks(input: Buffer): Chunk[] | undefined {
  const r = new LeReader(input, RESUME_KEY_SIZE);
  const count = r.u32();
  r.skip(4);
  if (!r.ok || count > MAX_CHUNKS || input.length < COPY_HEADER + count * CHUNK) return undefined;
  const chunks: Chunk[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const src = r.u64();
    const dst = r.u64();
    const length = r.u32();
    r.skip(4);
    const n = BigInt(length);
    if (length === 0 || length > MAX_CHUNK_SIZE || src + n > MAX_FILE_SIZE || dst + n > MAX_FILE_SIZE) return undefined;
    total += length;
    chunks.push({ src: Number(src), dst: Number(dst), length });
  }
  return total > MAX_DATA_SIZE ? undefined : chunks;
}

async function copyChunks(
  ctx: SmbContext,
  src: Open,
  dst: Open,
  chunks: Chunk[],
  done: { chunks: number; bytes: number },
) {
  if (src.isDirectory || dst.isDirectory) throw new SmbStatusError(Status.INVALID_DEVICE_REQUEST);
  const from = fileScope(ctx, src);
  const to = fileScope(ctx, dst);
  const { metadata, payload } = ctx.server.runtime;
  const source = await metadata.prepareRead(from.auth, src.handle);
  const before = await metadata.prepareWrite(to.auth, dst.handle);
  if (source.type !== FileType.Regular || before.type !== FileType.Regular)
    throw new SmbStatusError(Status.INVALID_DEVICE_REQUEST);
  const srcKey = fileKey(from.share, source.fileid);
  const dstKey = fileKey(to.share, before.fileid);
  const sameFile = srcKey === dstKey;
  let srcSize = source.size;
  noteWrite(dst, before);
  for (const c of chunks) {
    if (c.src + c.length > srcSize) throw new SmbStatusError(Status.INVALID_VIEW_SIZE);
    const srcEnd = BigInt(c.src + c.length);
    const dstEnd = c.dst + c.length;
    if (
      !metadata.locks.allows(srcKey, lockOwner(src), BigInt(c.src), srcEnd, false) ||
      !metadata.locks.allows(dstKey, lockOwner(dst), BigInt(c.dst), BigInt(dstEnd), true)
    )
      throw new SmbStatusError(Status.FILE_LOCK_CONFLICT);
    const srcRef = { share: from.share, payloadId: source.payloadId };
    await copyRange(payload, srcRef, c.src, { share: to.share, payloadId: before.payloadId }, c.dst, c.length);
    await metadata.commitWrite(to.auth, dst.handle, dstEnd, false);
    dst.written = true;
    if (sameFile) srcSize = Math.max(srcSize, dstEnd);
    done.chunks++;
    done.bytes += c.length;
  }
}

function copychunk(name: string, destinationReads: boolean): OpenFsctl {
  return {
    name,
    target: 'file',
    async run({ ctx, input, maxOutput }, dst) {
      const src = openOfResumeKey(ctx, input.subarray(0, RESUME_KEY_SIZE));
      if (maxOutput < RESPONSE) throw new SmbStatusError(Status.INVALID_PARAMETER);
      const chunks = decodeChunks(input);
      if (!chunks) return reply(Status.INVALID_PARAMETER, MAX_CHUNKS, MAX_CHUNK_SIZE, MAX_DATA_SIZE);
      const done = { chunks: 0, bytes: 0 };
      let status: number = Status.SUCCESS;
      try {
        requireWrite(ctx, dst, Access.WRITE_DATA);
        if (destinationReads) requireAccess(dst, Access.READ_DATA);
        requireAccess(src, Access.READ_DATA | Access.EXECUTE);
        await copyChunks(ctx, src, dst, chunks, done);
      } catch (err) {
        if (!(err instanceof SmbStatusError || err instanceof DittoError)) throw err;
        status = statusOf(err);
      }
      ctx.bytesRead = ctx.bytesWritten = done.bytes;
      return reply(status, done.chunks, 0, done.bytes);
    },
  };
}

export const srvCopychunk = copychunk('SRV_COPYCHUNK', true);
export const srvCopychunkWrite = copychunk('SRV_COPYCHUNK_WRITE', false);
