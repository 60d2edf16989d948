/**
 * MS-SMB2 §3.3.5.15 IOCTL: FSCTL_VALIDATE_NEGOTIATE_INFO (§3.3.5.15.12, the signed check
 * that NEGOTIATE was not tampered with) and FSCTL_PIPE_TRANSCEIVE (a DCE/RPC round trip on
 * a pipe), FSCTL_CREATE_OR_GET_OBJECT_ID (an object id derived from the file id); every
 * other control code is NOT_SUPPORTED.
 */
import { HEADER_SIZE, Status } from '../constants.ts';
import { openOf, SmbStatusError, type SmbContext, type SmbHandler } from '../handler.ts';
import { LeReader } from '../reader.ts';
import { LeWriter } from '../writer.ts';

export const Fsctl = {
  CREATE_OR_GET_OBJECT_ID: 0x000900c0,
  PIPE_TRANSCEIVE: 0x0011c017,
  VALIDATE_NEGOTIATE_INFO: 0x00140204,
} as const;

function response(ctlCode: number, persistent: bigint, volatile: bigint, output: Buffer): Buffer {
  const w = new LeWriter(48 + output.length).u16(49).u16(0).u32(ctlCode).u64(persistent).u64(volatile);
  const at = HEADER_SIZE + 48;
  w.u32(at).u32(0).u32(at).u32(output.length).u32(0).u32(0).bytes(output);
  return Buffer.from(w.finish());
}

function validateNegotiate(ctx: SmbContext, input: Buffer): Buffer {
  const st = ctx.conn;
  const r = new LeReader(input);
  const capabilities = r.u32();
  const guid = r.bytes(16);
  const securityMode = r.u16();
  const count = r.u16();
  const dialects = Array.from({ length: count }, () => r.u16());
  const same =
    r.ok &&
    capabilities === st.clientCapabilities &&
    guid.equals(st.clientGuid) &&
    securityMode === st.clientSecurityMode &&
    dialects.length === st.clientDialects.length &&
    dialects.every((d, i) => d === st.clientDialects[i]);
  // §3.3.5.15.12: a mismatch means the NEGOTIATE was altered; the client drops the connection.
  if (!same) throw new SmbStatusError(Status.ACCESS_DENIED);
  return Buffer.from(
    new LeWriter(24)
      .u32(st.serverCapabilities)
      .bytes(ctx.server.serverGuid)
      .u16(st.serverSecurityMode)
      .u16(st.dialect ?? 0)
      .finish(),
  );
}

/**
 * MS-FSCC §2.1.3.1 FILE_OBJECTID_BUFFER: ObjectId (the file id, stable for the file's life and
 * unique in the share), BirthVolumeId, BirthObjectId (the ObjectId: ids are never moved) and
 * DomainId (none).
 */
function objectId(fileid: number): Buffer {
  const id = new LeWriter(16).u64(fileid).u64(0).finish();
  return Buffer.from(new LeWriter(64).bytes(id).zeros(16).bytes(id).zeros(16).finish());
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
    if (!r.ok) throw new SmbStatusError(Status.INVALID_PARAMETER);
    switch (ctlCode) {
      case Fsctl.VALIDATE_NEGOTIATE_INFO:
        return { status: Status.SUCCESS, body: response(ctlCode, persistent, volatile, validateNegotiate(ctx, input)) };
      case Fsctl.PIPE_TRANSCEIVE: {
        const open = openOf(ctx, persistent, volatile);
        if (!open.pipe) throw new SmbStatusError(Status.INVALID_DEVICE_REQUEST);
        open.pipe.write(input);
        const out = open.pipe.read(maxOutput) ?? Buffer.alloc(0);
        const status = open.pipe.pending > 0 ? Status.BUFFER_OVERFLOW : Status.SUCCESS;
        return { status, body: response(ctlCode, open.persistentId, open.volatileId, out) };
      }
      case Fsctl.CREATE_OR_GET_OBJECT_ID: {
        const open = openOf(ctx, persistent, volatile);
        if (open.pipe) throw new SmbStatusError(Status.INVALID_DEVICE_REQUEST);
        if (maxOutput < 64) throw new SmbStatusError(Status.BUFFER_TOO_SMALL);
        return {
          status: Status.SUCCESS,
          body: response(ctlCode, open.persistentId, open.volatileId, objectId(open.fileid)),
        };
      }
      default:
        // A closed or foreign FileId is reported before an unsupported control code.
        openOf(ctx, persistent, volatile);
        throw new SmbStatusError(Status.NOT_SUPPORTED);
    }
  },
};
