/**
 * MS-SMB2 §3.3.5.15 IOCTL: decodes the request, looks the control code up in the FSCTL table
 * (ioctl/table.ts, one handler per code), resolves the FileId the handler works on and
 * encodes the §2.2.32 response. Only FSCTLs are served (Flags SMB2_0_IOCTL_IS_FSCTL, else
 * NOT_SUPPORTED); a control code without a handler is NOT_SUPPORTED once the FileId is
 * known good, as Samba answers. A handler's failure status may carry output (copy chunk).
 */
import { HEADER_SIZE, Status } from '../constants.ts';
import { openOf, SmbStatusError, type SmbHandler } from '../handler.ts';
import type { FsctlHandler, FsctlReply, FsctlRequest } from '../ioctl/fsctl.ts';
import { FSCTLS } from '../ioctl/table.ts';
import { LeReader } from '../reader.ts';
import { LeWriter } from '../writer.ts';

const IS_FSCTL = 0x1;

function response(ctlCode: number, persistent: bigint, volatile: bigint, output: Buffer): Buffer {
  const at = HEADER_SIZE + 48;
  return new LeWriter(48 + output.length)
    .u16(49)
    .u16(0)
    .u32(ctlCode)
    .u64(persistent)
    .u64(volatile)
    .u32(at)
    .u32(0)
    .u32(at)
    .u32(output.length)
    .u32(0)
    .u32(0)
    .bytes(output)
    .finish();
}

/** The handler's reply and the FileId the response names (the open's, or the request's). */
async function dispatch(handler: FsctlHandler, req: FsctlRequest): Promise<[FsctlReply, bigint, bigint]> {
  if (handler.target === 'none') return [await handler.run(req), req.persistent, req.volatile];
  const open = openOf(req.ctx, req.persistent, req.volatile);
  if ((handler.target === 'pipe') !== (open.pipe !== undefined))
    throw new SmbStatusError(Status.INVALID_DEVICE_REQUEST);
  return [await handler.run(req, open), open.persistentId, open.volatileId];
}

export const ioctl: SmbHandler = {
  name: 'IOCTL',
  needsSession: true,
  needsTree: true,
  async run(ctx) {
    const r = new LeReader(ctx.msg, HEADER_SIZE);
    if (r.u16() !== 57) throw new SmbStatusError(Status.INVALID_PARAMETER);
    r.u16();
    const ctlCode = r.u32();
    const persistent = r.u64();
    const volatile = r.u64();
    const input = r.at(r.u32(), r.u32());
    r.skip(4 + 4 + 4);
    const maxOutput = r.u32();
    const flags = r.u32();
    if (!r.ok || maxOutput > ctx.server.settings.maxIoSize) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const handler = FSCTLS.get(ctlCode);
    if (flags !== IS_FSCTL || !handler) {
      // A closed or foreign FileId is reported before an unsupported control code.
      openOf(ctx, persistent, volatile);
      throw new SmbStatusError(Status.NOT_SUPPORTED);
    }
    const [reply, p, v] = await dispatch(handler, { ctx, ctlCode, persistent, volatile, input, maxOutput });
    if (reply.output.length > maxOutput) throw new SmbStatusError(Status.BUFFER_TOO_SMALL);
    return { status: reply.status, body: response(ctlCode, p, v, reply.output) };
  },
};
