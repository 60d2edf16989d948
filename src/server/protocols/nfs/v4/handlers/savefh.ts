/** RFC 7530 §16.30 SAVEFH: remembers the current filehandle (for RENAME, LINK, RESTOREFH). */
import { currentFh } from '../context.ts';
import { noArgs, noBody, type Nfs4Op } from '../handler.ts';

export const savefh: Nfs4Op<undefined, undefined> = {
  name: 'SAVEFH',
  decode: noArgs,
  run(ctx) {
    ctx.saved = currentFh(ctx);
    return Promise.resolve(undefined);
  },
  encode: noBody,
};
