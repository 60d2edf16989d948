/** RFC 8881 §18.37 DESTROY_SESSION: ends a session; its slots and reply cache go with it. BADSESSION when unknown. */
import { decodeSessionId } from '../codec.ts';
import { noBody, type Nfs4Op } from '../handler.ts';

export const destroySession: Nfs4Op<Buffer, undefined> = {
  name: 'DESTROY_SESSION',
  decode: decodeSessionId,
  run(ctx, id) {
    const { sessions } = ctx.server.state;
    sessions.destroy(sessions.get(id));
    return Promise.resolve(undefined);
  },
  encode: noBody,
};
