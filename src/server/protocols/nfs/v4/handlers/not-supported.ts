/**
 * Operations a minor version defines but this server does not offer: the NFSv4.0-only ones
 * in NFSv4.1+ (RFC 8881 §18.35.1 ff.: SETCLIENTID, RENEW, OPEN_CONFIRM, ... "MUST NOT be
 * used"), pNFS (no layouts are handed out), delegations and SSV. They answer NOTSUPP; as a
 * failing operation ends the COMPOUND, their arguments need not be decoded.
 */
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import { noArgs, noBody, type Nfs4Op } from '../handler.ts';

export function notSupported(name: string): Nfs4Op<undefined, undefined> {
  return {
    name,
    decode: noArgs,
    run: () => Promise.reject(new Nfs4Error(Nfs4Status.NOTSUPP, name)),
    encode: noBody,
  };
}
