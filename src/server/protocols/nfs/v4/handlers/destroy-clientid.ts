/**
 * RFC 8881 §18.50 DESTROY_CLIENTID: forgets a client id that has no sessions and no state
 * left (CLIENTID_BUSY otherwise); STALE_CLIENTID when unknown.
 */
import { decodeClientId } from '../codec.ts';
import { noBody, type Nfs4Op } from '../handler.ts';

export const destroyClientid: Nfs4Op<Buffer, undefined> = {
  name: 'DESTROY_CLIENTID',
  decode: (r) => Buffer.from(decodeClientId(r)),
  run(ctx, clientid) {
    const { state } = ctx.server;
    state.destroyClient(state.clientRecord(clientid));
    return Promise.resolve(undefined);
  },
  encode: noBody,
};
