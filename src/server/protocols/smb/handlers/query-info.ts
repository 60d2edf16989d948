/**
 * MS-SMB2 §3.3.5.20 QUERY_INFO: file (MS-FSCC §2.4), file system (§2.5) and security
 * (a synthesized descriptor) information. Output longer than the client's buffer is
 * BUFFER_OVERFLOW with what fits for variable-length classes, INFO_LENGTH_MISMATCH otherwise.
 */
import { HEADER_SIZE, InfoType, Status } from '../constants.ts';
import { openOf, outputBuffer, SmbStatusError, type SmbHandler } from '../handler.ts';
import { encodeFileInfo, FileInfoClass, VARIABLE_FILE_INFO } from '../info/file-info.ts';
import { encodeFsInfo, VARIABLE_FS_INFO } from '../info/fs-info.ts';
import { accessNeededForQuery } from '../info/query-access.ts';
import { securityDescriptor } from '../info/security.ts';
import { fileStreamInfo } from '../info/stream-info.ts';
import { openAttr } from '../stream-io.ts';
import { LeReader } from '../reader.ts';
import { LeWriter } from '../writer.ts';
import { shownAttr } from '../write-time.ts';
import { shareModeKey } from './close.ts';

export { InfoType };

export const queryInfo: SmbHandler = {
  name: 'QUERY_INFO',
  needsSession: true,
  needsTree: true,
  async run(ctx) {
    const r = new LeReader(ctx.msg, HEADER_SIZE);
    if (r.u16() !== 41) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const type = r.u8();
    const cls = r.u8();
    const outputLength = r.u32();
    r.skip(2 + 2 + 4);
    const additional = r.u32();
    r.u32();
    const open = openOf(ctx, r.u64(), r.u64());
    if (!r.ok) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const session = ctx.session;
    if (!session) throw new SmbStatusError(Status.USER_SESSION_DELETED);
    if (open.pipe) {
      if (type === InfoType.FILE && cls === FileInfoClass.STANDARD)
        return reply(
          Buffer.from(new LeWriter(24).u64(4096).u64(0).u32(1).u8(0).u8(0).u16(0).finish()),
          outputLength,
          undefined,
        );
      throw new SmbStatusError(Status.NOT_SUPPORTED);
    }
    const needed = accessNeededForQuery(type, cls, additional);
    if ((open.desiredAccess & needed) !== needed) throw new SmbStatusError(Status.ACCESS_DENIED);
    const md = ctx.server.runtime.metadata;
    const fileAttr = await md.getAttr(session.auth, open.handle);
    const attr = await openAttr(md, session.auth, open, fileAttr);
    switch (type) {
      case InfoType.FILE: {
        const pending = ctx.server.shareModes.isDeletePending(shareModeKey(open));
        const data =
          cls === FileInfoClass.STREAM
            ? await fileStreamInfo(md, session.auth, open.handle, shownAttr(open, fileAttr))
            : encodeFileInfo(cls, open, shownAttr(open, attr), pending);
        return reply(data, outputLength, VARIABLE_FILE_INFO.get(cls));
      }
      case InfoType.FILESYSTEM: {
        const stat = await md.fsStat(session.auth, open.handle);
        const label = (open.share ?? '').replace(/^\/+/, '');
        const streams = md.streams.supported(open.handle);
        const data = encodeFsInfo(cls, stat, label, ctx.tree?.id ?? 0, ctx.server.startTime, streams);
        return reply(data, outputLength, VARIABLE_FS_INFO.get(cls));
      }
      case InfoType.SECURITY: {
        const data = securityDescriptor(attr, additional);
        // §3.3.5.20.3: too small a buffer is BUFFER_TOO_SMALL carrying the size needed.
        if (data.length > outputLength) {
          const need = new LeWriter(12).u16(9).u8(0).u8(0).u32(4).u32(data.length).finish();
          return { status: Status.BUFFER_TOO_SMALL, body: Buffer.from(need) };
        }
        return reply(data, outputLength, 0);
      }
      default:
        throw new SmbStatusError(Status.NOT_SUPPORTED);
    }
  },
};

/** `fixedPart`: for variable-length output, the part that must fit (else the whole must fit). */
function reply(data: Buffer, outputLength: number, fixedPart: number | undefined) {
  let status: number = Status.SUCCESS;
  let out = data;
  if (data.length > outputLength) {
    if (fixedPart === undefined || outputLength < fixedPart) throw new SmbStatusError(Status.INFO_LENGTH_MISMATCH);
    status = Status.BUFFER_OVERFLOW;
    out = data.subarray(0, outputLength);
  }
  return outputBuffer(status, out);
}
