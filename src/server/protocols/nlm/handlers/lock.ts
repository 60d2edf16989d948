/**
 * XNFS 14 NLM_LOCK: a byte-range lock in the lock manager every protocol shares. During the
 * grace period after a restart only reclaims are served. A conflict is DENIED, or for a
 * blocking request BLOCKED: the request then waits, the lock is taken for the client when
 * it frees, and the client's retry is GRANTED (no NLM_GRANTED callback: the server never
 * connects to a client; see state.ts).
 */
import { decodeLockArgs, encodeRes, type Nlm4LockArgs, type Nlm4Res } from '../codec.ts';
import { Nlm4Stat } from '../constants.ts';
import { resOf, type NlmOp } from '../handler.ts';
import type { NlmState } from '../state.ts';
import type { RpcCall } from '../../rpc/program.ts';

export async function lockFor(nlm: NlmState, call: RpcCall, a: Nlm4LockArgs, mayBlock: boolean): Promise<Nlm4Res> {
  if (nlm.inGrace() !== a.reclaim) return resOf(a, Nlm4Stat.DENIED_GRACE_PERIOD);
  const t = await nlm.target(call, a.lock);
  const kind = a.exclusive ? 'write' : 'read';
  nlm.noteHost(a.lock.callerName, call.session.clientAddr);
  if (nlm.takeGrant(t)) return resOf(a, Nlm4Stat.GRANTED); // taken for it while it waited
  const conflict = await nlm.locks.lock(t.file, t.owner, kind, t.start, t.end);
  if (!conflict) return resOf(a, Nlm4Stat.GRANTED);
  if (!mayBlock || !a.block) return resOf(a, Nlm4Stat.DENIED);
  if (!nlm.locks.waiting(t.file, t.owner)) {
    const waiter = nlm.locks.wait(t.file, t.owner, [{ kind, start: t.start, end: t.end }]);
    void waiter.granted.then((granted) => granted && nlm.grantedWhileWaiting(t));
  }
  return resOf(a, Nlm4Stat.BLOCKED);
}

export const lock: NlmOp<Nlm4LockArgs, Nlm4Res> = {
  name: 'LOCK',
  decode: decodeLockArgs,
  run: (nlm, call, a) => lockFor(nlm, call, a, true),
  encode: encodeRes,
  failed: resOf,
};
