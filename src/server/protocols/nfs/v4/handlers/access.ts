/** RFC 7530 §16.1 ACCESS: which of the requested rights the caller has; the pseudo filesystem is read and search only. */
import { ACCESS } from '../../../../metadata/types.ts';
import { currentFh } from '../context.ts';
import type { Nfs4Op } from '../handler.ts';

const ALL = 0x3f;
const PSEUDO_RIGHTS = ACCESS.READ | ACCESS.LOOKUP | ACCESS.EXECUTE;

export const access: Nfs4Op<number, { supported: number; access: number }> = {
  name: 'ACCESS',
  decode: (r) => r.u32(),
  async run(ctx, requested) {
    const cur = currentFh(ctx);
    const supported = requested & ALL;
    if (cur.kind === 'pseudo') return { supported, access: supported & PSEUDO_RIGHTS };
    ctx.share = cur.share.name;
    const { granted } = await ctx.server.runtime.metadata.access(ctx.auth, cur.fh, supported);
    return { supported, access: granted & supported };
  },
  encode: (w, res) => void w.u32(res.supported).u32(res.access),
};
