/**
 * RFC 8881 §18.48 TEST_STATEID: the status each stateid would get if used (OK, BAD_STATEID,
 * OLD_STATEID, EXPIRED, ...), so a client can find which of its state survived.
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeStateid } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { nfs4StatusOf } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';
import type { Stateid } from '../state-types.ts';

/** More than a client could hold usefully in one COMPOUND reply. */
const MAX_STATEIDS = 1024;

export function decodeStateids(r: XdrReader): Stateid[] {
  const n = r.u32();
  if (n > MAX_STATEIDS) {
    r.fail('too-long');
    return [];
  }
  const out: Stateid[] = [];
  for (let i = 0; i < n && r.ok; i++) out.push(decodeStateid(r));
  return out;
}

export const testStateid: Nfs4Op<Stateid[], number[]> = {
  name: 'TEST_STATEID',
  decode: decodeStateids,
  run(ctx, sids) {
    return Promise.resolve(
      sids.map((sid) => {
        try {
          ctx.server.state.stateOf(sid);
          return Nfs4Status.OK;
        } catch (err) {
          return nfs4StatusOf(err);
        }
      }),
    );
  },
  encode(w, statuses) {
    w.u32(statuses.length);
    for (const s of statuses) w.u32(s);
  },
};
