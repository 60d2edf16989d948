/**
 * RFC 8881 §18.51 RECLAIM_COMPLETE: the client has reclaimed what it held before the
 * restart; from now on its reclaims are NO_GRACE. A second one for the whole client is
 * COMPLETE_ALREADY; the per-file-system form (rca_one_fs) is accepted and changes nothing,
 * as the grace period is server-wide.
 */
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import { noBody, type Nfs4Op } from '../handler.ts';

export const reclaimComplete: Nfs4Op<boolean, undefined> = {
  name: 'RECLAIM_COMPLETE',
  decode: (r) => r.bool(),
  run(ctx, oneFs) {
    const client = ctx.slot?.session.client;
    if (!client) throw new Nfs4Error(Nfs4Status.OP_NOT_IN_SESSION);
    if (oneFs) return Promise.resolve(undefined);
    if (client.reclaimComplete) throw new Nfs4Error(Nfs4Status.COMPLETE_ALREADY);
    client.reclaimComplete = true;
    return Promise.resolve(undefined);
  },
  encode: noBody,
};
