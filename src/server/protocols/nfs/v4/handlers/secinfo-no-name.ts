/**
 * RFC 8881 §18.45 SECINFO_NO_NAME: the security flavours for the current filehandle
 * (SECINFO_STYLE4_CURRENT_FH) or its parent (SECINFO_STYLE4_PARENT) — AUTH_SYS everywhere,
 * as SECINFO. Like SECINFO it consumes the current filehandle.
 */
import { Nfs4Status } from '../constants.ts';
import { currentFh } from '../context.ts';
import { Nfs4Error } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';
import { secinfo } from './secinfo.ts';

const SECINFO_STYLE4_PARENT = 1;

export const secinfoNoName: Nfs4Op<number, undefined> = {
  name: 'SECINFO_NO_NAME',
  decode: (r) => r.enumBelow(2),
  run(ctx, style) {
    const cur = currentFh(ctx);
    if (style === SECINFO_STYLE4_PARENT && cur.kind === 'pseudo' && cur.path === '') {
      throw new Nfs4Error(Nfs4Status.NOENT, 'the root has no parent');
    }
    ctx.current = undefined;
    return Promise.resolve(undefined);
  },
  encode: secinfo.encode,
};
