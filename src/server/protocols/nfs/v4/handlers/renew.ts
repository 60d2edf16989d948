/** RFC 7530 §16.28 RENEW: renews a client's lease; EXPIRED once it ran out, STALE_CLIENTID for unknown ids. */
import { decodeClientId } from '../codec.ts';
import { noBody, type Nfs4Op } from '../handler.ts';

export const renew: Nfs4Op<Buffer, undefined> = {
  name: 'RENEW',
  decode: decodeClientId,
  run(ctx, clientid) {
    ctx.server.state.client(clientid);
    return Promise.resolve(undefined);
  },
  encode: noBody,
};
