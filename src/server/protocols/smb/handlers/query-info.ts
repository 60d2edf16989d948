/**
 * MS-SMB2 §3.3.5.20 QUERY_INFO: file (MS-FSCC §2.4), file system (§2.5) and security
 * (a synthesized descriptor) information. Output longer than the client's buffer is
 * BUFFER_OVERFLOW with what fits for variable-length classes, INFO_LENGTH_MISMATCH otherwise.
 */
import { HEADER_SIZE, Status } from '../constants.ts';
import { openOf, SmbStatusError, type SmbHandler } from '../handler.ts';
import { encodeFileInfo, FileInfoClass } from '../info/file-info.ts';
import { encodeFsInfo } from '../info/fs-info.ts';
import { securityDescriptor } from '../info/security.ts';
import { LeReader } from '../reader.ts';
import { LeWriter } from '../writer.ts';

export const InfoType = { FILE: 1, FILESYSTEM: 2, SECURITY: 3, QUOTA: 4 } as const;

const VARIABLE: ReadonlySet<number> = new Set([
  FileInfoClass.ALL,
  FileInfoClass.NAME,
  FileInfoClass.NORMALIZED_NAME,
  FileInfoClass.STREAM,
]);

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
          false,
        );
      throw new SmbStatusError(Status.NOT_SUPPORTED);
    }
    const md = ctx.server.runtime.metadata;
    const attr = await md.getAttr(session.auth, open.handle);
    let data: Buffer;
    switch (type) {
      case InfoType.FILE:
        data = encodeFileInfo(cls, open, attr);
        break;
      case InfoType.FILESYSTEM: {
        const stat = await md.fsStat(session.auth, open.handle);
        const label = (open.share ?? '').replace(/^\/+/, '');
        data = encodeFsInfo(cls, stat, label, ctx.tree?.id ?? 0, ctx.server.startTime);
        break;
      }
      case InfoType.SECURITY:
        data = securityDescriptor(attr, additional);
        return reply(data, outputLength, true);
      default:
        throw new SmbStatusError(Status.NOT_SUPPORTED);
    }
    return reply(data, outputLength, type === InfoType.FILE && VARIABLE.has(cls));
  },
};

function reply(data: Buffer, outputLength: number, variable: boolean) {
  let status: number = Status.SUCCESS;
  let out = data;
  if (data.length > outputLength) {
    if (!variable) throw new SmbStatusError(Status.INFO_LENGTH_MISMATCH);
    status = Status.BUFFER_OVERFLOW;
    out = data.subarray(0, outputLength);
  }
  const head = new LeWriter(8)
    .u16(9)
    .u16(HEADER_SIZE + 8)
    .u32(out.length)
    .finish();
  return { status, body: Buffer.concat([head, out]) };
}
