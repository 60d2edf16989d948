/**
 * RFC 8881 §18.38 FREE_STATEID: forgets a lock stateid whose locks are all released;
 * LOCKS_HELD for an open stateid or one that still holds locks (state.ts).
 */
import { decodeStateid } from '../codec.ts';
import { noBody, type Nfs4Op } from '../handler.ts';
import type { Stateid } from '../state-types.ts';

export const freeStateid: Nfs4Op<Stateid, undefined> = {
  name: 'FREE_STATEID',
  decode: decodeStateid,
  run(ctx, sid) {
    ctx.server.state.freeStateid(sid);
    return Promise.resolve(undefined);
  },
  encode: noBody,
};
