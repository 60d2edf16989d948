/** RFC 7530 §16.31 SECINFO: AUTH_SYS is the flavour for every name; the current filehandle is consumed. */
import { AuthFlavor } from '../../../rpc/constants.ts';
import { checkComponent, decodeComponent } from '../codec.ts';
import { currentFh } from '../context.ts';
import type { Nfs4Op } from '../handler.ts';

export const secinfo: Nfs4Op<string, undefined> = {
  name: 'SECINFO',
  decode: decodeComponent,
  run(ctx, name) {
    currentFh(ctx);
    checkComponent(name);
    ctx.current = undefined;
    return Promise.resolve(undefined);
  },
  encode: (w) => void w.u32(1).u32(AuthFlavor.AUTH_SYS),
};
