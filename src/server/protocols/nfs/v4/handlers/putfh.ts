/** RFC 7530 §16.20 PUTFH: a filehandle from the client becomes current (checked against the export rules). */
import { NFS4_FHSIZE } from '../constants.ts';
import { resolveFh } from '../context.ts';
import { noBody, type Nfs4Op } from '../handler.ts';

export const putfh: Nfs4Op<Buffer, undefined> = {
  name: 'PUTFH',
  decode: (r) => r.opaque(NFS4_FHSIZE),
  run(ctx, fh) {
    const cur = resolveFh(ctx, Buffer.from(fh));
    if (cur.kind === 'share') ctx.share = cur.share.name;
    ctx.current = cur;
    return Promise.resolve(undefined);
  },
  encode: noBody,
};
