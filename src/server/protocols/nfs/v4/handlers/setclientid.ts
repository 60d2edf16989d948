/**
 * RFC 7530 §16.33 SETCLIENTID: a client id and a confirm verifier for the client's name and
 * boot verifier. The callback address is ignored: no delegations, so no callbacks.
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeVerifier } from '../codec.ts';
import { NFS4_MAXOPAQUE } from '../constants.ts';
import type { Nfs4Op } from '../handler.ts';

export interface SetClientIdArgs {
  verifier: Buffer;
  name: string;
}

const MAX_NETID = 64;

export function decodeSetClientIdArgs(r: XdrReader): SetClientIdArgs {
  const verifier = Buffer.from(decodeVerifier(r));
  const name = r.opaque(NFS4_MAXOPAQUE).toString('latin1');
  r.u32(); // cb_program
  r.string(MAX_NETID); // r_netid
  r.string(MAX_NETID); // r_addr
  r.u32(); // callback_ident
  return { verifier, name };
}

export const setclientid: Nfs4Op<SetClientIdArgs, { clientid: Buffer; confirm: Buffer }> = {
  name: 'SETCLIENTID',
  decode: decodeSetClientIdArgs,
  run: (ctx, a) => Promise.resolve(ctx.server.state.setClientId(a.name, a.verifier, ctx.call.session.clientAddr)),
  encode: (w, res) => void w.opaqueFixed(res.clientid).opaqueFixed(res.confirm),
};
