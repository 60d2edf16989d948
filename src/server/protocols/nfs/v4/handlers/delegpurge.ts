/** RFC 7530 §16.5 DELEGPURGE: no delegations are ever handed out, so there is nothing to purge (NOTSUPP, as the RFC allows). */
import { decodeClientId } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import { noBody, type Nfs4Op } from '../handler.ts';

export const delegpurge: Nfs4Op<Buffer, undefined> = {
  name: 'DELEGPURGE',
  decode: decodeClientId,
  run: () => Promise.reject(new Nfs4Error(Nfs4Status.NOTSUPP)),
  encode: noBody,
};
