/** RFC 7530 §16.38 ILLEGAL: the operation number reserved for "not an operation"; answers OP_ILLEGAL. */
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import { noArgs, noBody, type Nfs4Op } from '../handler.ts';

export const illegal: Nfs4Op<undefined, undefined> = {
  name: 'ILLEGAL',
  decode: noArgs,
  run: () => Promise.reject(new Nfs4Error(Nfs4Status.OP_ILLEGAL)),
  encode: noBody,
};
