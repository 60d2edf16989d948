/** XNFS 14 NLM_UNLOCK: releases the owner's locks over a range (the parts outside it stay); always GRANTED. */
import { decodeUnlockArgs, encodeRes, type Nlm4Res, type Nlm4UnlockArgs } from '../codec.ts';
import { Nlm4Stat } from '../constants.ts';
import { resOf, type NlmOp } from '../handler.ts';

export const unlock: NlmOp<Nlm4UnlockArgs, Nlm4Res> = {
  name: 'UNLOCK',
  decode: decodeUnlockArgs,
  async run(nlm, call, a) {
    const t = await nlm.target(call, a.lock);
    nlm.takeGrant(t);
    nlm.locks.waiting(t.file, t.owner)?.cancel();
    await nlm.locks.unlock(t.file, t.owner, t.start, t.end);
    return resOf(a, Nlm4Stat.GRANTED);
  },
  encode: encodeRes,
  failed: resOf,
};
