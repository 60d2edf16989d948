/** RFC 7530 §16.34 SETCLIENTID_CONFIRM: confirms a client id; a previous client of the same name loses its state. */
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeClientId, decodeVerifier } from '../codec.ts';
import { noBody, type Nfs4Op } from '../handler.ts';

export const setclientidConfirm: Nfs4Op<{ clientid: Buffer; confirm: Buffer }, undefined> = {
  name: 'SETCLIENTID_CONFIRM',
  decode: (r: XdrReader) => ({ clientid: decodeClientId(r), confirm: decodeVerifier(r) }),
  run(ctx, a) {
    ctx.server.state.confirmClientId(a.clientid, a.confirm);
    return Promise.resolve(undefined);
  },
  encode: noBody,
};
