/** RFC 7530 §16.37 RELEASE_LOCKOWNER: forgets a lock-owner and its lock stateids; LOCKS_HELD while it holds locks. */
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeClientId } from '../codec.ts';
import { NFS4_MAXOPAQUE } from '../constants.ts';
import { noBody, type Nfs4Op } from '../handler.ts';

export const releaseLockowner: Nfs4Op<{ clientid: Buffer; owner: Buffer }, undefined> = {
  name: 'RELEASE_LOCKOWNER',
  decode: (r: XdrReader) => {
    const clientid = decodeClientId(r);
    return { clientid, owner: Buffer.from(r.opaque(NFS4_MAXOPAQUE)) };
  },
  run(ctx, a) {
    const { state } = ctx.server;
    state.releaseLockOwner(state.client(a.clientid), a.owner);
    return Promise.resolve(undefined);
  },
  encode: noBody,
};
