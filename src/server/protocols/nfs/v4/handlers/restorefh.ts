/** RFC 7530 §16.29 RESTOREFH: the saved filehandle becomes current. */
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import { noArgs, noBody, type Nfs4Op } from '../handler.ts';

export const restorefh: Nfs4Op<undefined, undefined> = {
  name: 'RESTOREFH',
  decode: noArgs,
  run(ctx) {
    if (!ctx.saved) throw new Nfs4Error(Nfs4Status.RESTOREFH);
    ctx.current = ctx.saved;
    return Promise.resolve(undefined);
  },
  encode: noBody,
};
