/** RFC 7530 §16.8 GETFH: the current filehandle. */
import { currentFh } from '../context.ts';
import { noArgs, type Nfs4Op } from '../handler.ts';

export const getfh: Nfs4Op<undefined, Buffer> = {
  name: 'GETFH',
  decode: noArgs,
  run: (ctx) => Promise.resolve(currentFh(ctx).fh),
  encode: (w, fh) => void w.opaque(fh),
};
