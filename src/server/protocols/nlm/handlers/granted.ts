/**
 * XNFS 14 NLM_GRANTED: a server tells its client that a blocked lock was granted. This
 * server makes no blocked requests of its own, so there is nothing to wake: DENIED, as a
 * client answers for a grant it did not wait for.
 */
import { decodeTestArgs, encodeRes, type Nlm4Res, type Nlm4TestArgs } from '../codec.ts';
import { Nlm4Stat } from '../constants.ts';
import { resOf, type NlmOp } from '../handler.ts';

export const granted: NlmOp<Nlm4TestArgs, Nlm4Res> = {
  name: 'GRANTED',
  decode: decodeTestArgs,
  run: (_nlm, _call, a) => Promise.resolve(resOf(a, Nlm4Stat.DENIED)),
  encode: encodeRes,
  failed: resOf,
};
