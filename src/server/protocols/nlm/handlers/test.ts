/** XNFS 14 NLM_TEST: whether a lock could be granted; DENIED names the lock in the way (of any protocol). */
import { decodeTestArgs, encodeTestRes, type Nlm4TestArgs, type Nlm4TestRes } from '../codec.ts';
import { Nlm4Stat } from '../constants.ts';
import type { NlmOp } from '../handler.ts';
import { holderOf } from '../state.ts';

export const test: NlmOp<Nlm4TestArgs, Nlm4TestRes> = {
  name: 'TEST',
  decode: decodeTestArgs,
  async run(nlm, call, a) {
    if (nlm.inGrace()) return { cookie: a.cookie, stat: Nlm4Stat.DENIED_GRACE_PERIOD };
    const t = await nlm.target(call, a.lock);
    const conflict = await nlm.locks.conflict(t.file, t.owner, a.exclusive ? 'write' : 'read', t.start, t.end);
    if (!conflict) return { cookie: a.cookie, stat: Nlm4Stat.GRANTED };
    return { cookie: a.cookie, stat: Nlm4Stat.DENIED, holder: holderOf(conflict) };
  },
  encode: encodeTestRes,
  failed: (a, stat) => ({ cookie: a.cookie, stat }),
};
