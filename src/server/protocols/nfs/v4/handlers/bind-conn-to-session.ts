/**
 * RFC 8881 §18.34 BIND_CONN_TO_SESSION: associates the connection with a session. Sessions
 * here are not tied to connections (SP4_NONE), so this only checks the session and answers
 * the direction asked for; a backchannel binding is accepted and, like the session's
 * backchannel, never used (the server never calls clients back).
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeSessionId } from '../codec.ts';
import type { Nfs4Op } from '../handler.ts';

const CDFC4_FORE = 0x1;
const CDFC4_BACK = 0x2;
const CDFS4_BOTH = 0x3;

export interface BindConnArgs {
  sessionid: Buffer;
  dir: number;
}

export const bindConnToSession: Nfs4Op<BindConnArgs, BindConnArgs> = {
  name: 'BIND_CONN_TO_SESSION',
  decode: (r: XdrReader) => {
    const sessionid = decodeSessionId(r);
    const dir = r.u32();
    if (dir !== CDFC4_FORE && dir !== CDFC4_BACK && dir !== 3 && dir !== 7) r.fail('range');
    r.bool(); // use_conn_in_rdma_mode: never RDMA
    return { sessionid, dir };
  },
  run(ctx, a) {
    const session = ctx.server.state.sessions.get(a.sessionid);
    // FORE_OR_BOTH (3) and BACK_OR_BOTH (7) get both.
    const dir = a.dir === CDFC4_FORE || a.dir === CDFC4_BACK ? a.dir : CDFS4_BOTH;
    return Promise.resolve({ sessionid: session.id, dir });
  },
  encode: (w, res) => void w.opaqueFixed(res.sessionid).u32(res.dir).bool(false),
};
