/** XNFS 14 NLM_NM_LOCK: LOCK from a client that runs no status monitor; never blocks. */
import { decodeLockArgs, encodeRes, type Nlm4LockArgs, type Nlm4Res } from '../codec.ts';
import { resOf, type NlmOp } from '../handler.ts';
import { lockFor } from './lock.ts';

export const nmLock: NlmOp<Nlm4LockArgs, Nlm4Res> = {
  name: 'NM_LOCK',
  decode: decodeLockArgs,
  run: (nlm, call, a) => lockFor(nlm, call, a, false),
  encode: encodeRes,
  failed: resOf,
};
