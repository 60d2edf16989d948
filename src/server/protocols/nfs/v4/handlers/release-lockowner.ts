/** RFC 7530 §16.37 RELEASE_LOCKOWNER: no byte-range locks are held here, so only the client's lease is renewed. */
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeClientId } from '../codec.ts';
import { NFS4_MAXOPAQUE } from '../constants.ts';
import { noBody, type Nfs4Op } from '../handler.ts';

export const releaseLockowner: Nfs4Op<{ clientid: Buffer }, undefined> = {
  name: 'RELEASE_LOCKOWNER',
  decode: (r: XdrReader) => {
    const clientid = decodeClientId(r);
    r.opaque(NFS4_MAXOPAQUE);
    return { clientid };
  },
  run(ctx, a) {
    ctx.server.state.client(a.clientid);
    return Promise.resolve(undefined);
  },
  encode: noBody,
};
