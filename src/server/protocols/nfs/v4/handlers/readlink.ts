/** RFC 7530 §16.25 READLINK: a symlink's target. */
import { Nfs4Status } from '../constants.ts';
import { shareFh } from '../context.ts';
import { noArgs, type Nfs4Op } from '../handler.ts';

export const readlink: Nfs4Op<undefined, string> = {
  name: 'READLINK',
  decode: noArgs,
  async run(ctx) {
    const cur = shareFh(ctx, Nfs4Status.INVAL);
    return (await ctx.server.runtime.metadata.readLink(ctx.auth, cur.fh)).target;
  },
  encode: (w, target) => void w.string(target),
};
