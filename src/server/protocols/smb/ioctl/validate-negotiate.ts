/**
 * MS-SMB2 §3.3.5.15.12 FSCTL_VALIDATE_NEGOTIATE_INFO: the signed check that NEGOTIATE was not
 * tampered with. A mismatch is ACCESS_DENIED, and the client drops the connection.
 */
import { Status } from '../constants.ts';
import { SmbStatusError } from '../handler.ts';
import { LeReader } from '../reader.ts';
import { LeWriter } from '../writer.ts';
import type { ConnectionFsctl } from './fsctl.ts';

export const validateNegotiate: ConnectionFsctl = {
  name: 'VALIDATE_NEGOTIATE_INFO',
  target: 'none',
  async run({ ctx, input }) {
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
    if (!same) throw new SmbStatusError(Status.ACCESS_DENIED);
    const output = new LeWriter(24)
      .u32(st.serverCapabilities)
      .bytes(ctx.server.serverGuid)
      .u16(st.serverSecurityMode)
      .u16(st.dialect ?? 0)
      .finish();
    return { status: Status.SUCCESS, output };
  },
};
