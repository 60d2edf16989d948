/** XNFS 14 NLM_UNSHARE: drops the owner's share reservation on a file; always GRANTED. */
import { decodeShareArgs, encodeShareRes, type Nlm4ShareArgs, type Nlm4ShareRes } from '../codec.ts';
import { Nlm4Stat } from '../constants.ts';
import type { NlmOp } from '../handler.ts';
import { sharedFile, shareRes } from './share.ts';

export const unshare: NlmOp<Nlm4ShareArgs, Nlm4ShareRes> = {
  name: 'UNSHARE',
  decode: decodeShareArgs,
  async run(nlm, call, a) {
    nlm.shares.unshare(await sharedFile(nlm, call, a), a.callerName, a.oh);
    return shareRes(a, Nlm4Stat.GRANTED);
  },
  encode: encodeShareRes,
  failed: shareRes,
};
