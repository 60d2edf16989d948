/** RFC 7530 §16.6 DELEGRETURN: no stateid of this server is a delegation; known ones are BAD_STATEID. */
import { decodeStateid } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import { noBody, type Nfs4Op } from '../handler.ts';
import type { Stateid } from '../state-types.ts';

export const delegreturn: Nfs4Op<Stateid, undefined> = {
  name: 'DELEGRETURN',
  decode: decodeStateid,
  run(ctx, sid) {
    // Unknown or stale stateids get their own error; an open stateid is not a delegation.
    ctx.server.state.openState(sid);
    return Promise.reject(new Nfs4Error(Nfs4Status.BAD_STATEID));
  },
  encode: noBody,
};
