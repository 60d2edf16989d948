/**
 * XNFS 14 NLM_CANCEL: the client gives up a blocked LOCK. A waiting request is dropped; one
 * already granted for the client (it had not retried yet) gives its lock back.
 */
import { decodeCancelArgs, encodeRes, type Nlm4CancelArgs, type Nlm4Res } from '../codec.ts';
import { Nlm4Stat } from '../constants.ts';
import { resOf, type NlmOp } from '../handler.ts';

export const cancel: NlmOp<Nlm4CancelArgs, Nlm4Res> = {
  name: 'CANCEL',
  decode: decodeCancelArgs,
  async run(nlm, call, a) {
    const t = await nlm.target(call, a.lock);
    const waiter = nlm.locks.waiting(t.file, t.owner);
    if (waiter) {
      waiter.cancel();
      return resOf(a, Nlm4Stat.GRANTED);
    }
    if (nlm.takeGrant(t)) await nlm.locks.unlock(t.file, t.owner, t.start, t.end);
    return resOf(a, Nlm4Stat.GRANTED);
  },
  encode: encodeRes,
  failed: resOf,
};
