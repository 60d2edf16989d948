/**
 * XNFS 14 the asynchronous forms NLM_TEST_MSG, LOCK_MSG, CANCEL_MSG, UNLOCK_MSG and
 * GRANTED_MSG: the call gets an empty reply and its result goes back as a call of the
 * matching *_RES procedure. The server never connects to a client, so the *_RES call is
 * sent on the connection the *_MSG came on (session.sendCall), and nowhere else.
 */
import { encodeVoid, type RpcProcedure } from '../../rpc/program.ts';
import { XdrWriter } from '../../xdr/writer.ts';
import type { Nlm4Res } from '../codec.ts';
import { NLM_PROG, NLM_V4 } from '../constants.ts';
import { runOp, type NlmOp } from '../handler.ts';
import type { NlmState } from '../state.ts';

export function messageProcedure<A extends { cookie: Buffer }, R extends Nlm4Res>(
  op: NlmOp<A, R>,
  resultProc: number,
  nlm: NlmState,
): RpcProcedure<A, undefined> {
  return {
    name: `${op.name}_MSG`,
    decode: (r) => op.decode(r),
    async run(call, args) {
      const res = await runOp(op, nlm, call, args);
      const w = new XdrWriter(1024);
      op.encode(w, res);
      call.session.sendCall?.(NLM_PROG, NLM_V4, resultProc, w.finish());
      return undefined;
    },
    encode: encodeVoid,
  };
}
