/** XNFS 14 NLM_SHARE: a DOS share reservation on a whole file (share-reservations.ts); reclaims only in grace. */
import { fileKey } from '../../../metadata/locks/lock-manager.ts';
import { admitHandle } from '../../nfs/admission.ts';
import type { RpcCall } from '../../rpc/program.ts';
import { decodeShareArgs, encodeShareRes, type Nlm4ShareArgs, type Nlm4ShareRes } from '../codec.ts';
import { Nlm4Stat } from '../constants.ts';
import type { NlmOp } from '../handler.ts';
import type { NlmState } from '../state.ts';

/** The file a share request names, admitted for the caller. */
export async function sharedFile(nlm: NlmState, call: RpcCall, a: Nlm4ShareArgs): Promise<string> {
  const share = admitHandle(nlm.runtime, call, a.fh);
  const attr = await nlm.runtime.metadata.getAttr(call.auth, a.fh);
  return fileKey(share.name, attr.fileid);
}

export const shareRes = (a: Nlm4ShareArgs, stat: number): Nlm4ShareRes => ({ cookie: a.cookie, stat, sequence: 0 });

export const share: NlmOp<Nlm4ShareArgs, Nlm4ShareRes> = {
  name: 'SHARE',
  decode: decodeShareArgs,
  async run(nlm, call, a) {
    if (nlm.inGrace() !== a.reclaim) return shareRes(a, Nlm4Stat.DENIED_GRACE_PERIOD);
    const file = await sharedFile(nlm, call, a);
    nlm.noteHost(a.callerName, call.session.clientAddr);
    const ok = nlm.shares.share(file, a.callerName, a.oh, a.mode, a.access);
    return shareRes(a, ok ? Nlm4Stat.GRANTED : Nlm4Stat.DENIED);
  },
  encode: encodeShareRes,
  failed: shareRes,
};
