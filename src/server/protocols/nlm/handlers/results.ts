/**
 * XNFS 14 NLM_TEST_RES, LOCK_RES, CANCEL_RES, UNLOCK_RES, GRANTED_RES: results of *_MSG calls a
 * server made. This server makes none, so they are accepted and dropped.
 */
import { encodeVoid, type RpcProcedure } from '../../rpc/program.ts';
import { decodeRes, type Nlm4Res } from '../codec.ts';

export function resultProcedure(name: string): RpcProcedure<Nlm4Res, undefined> {
  return { name, decode: decodeRes, run: () => Promise.resolve(undefined), encode: encodeVoid };
}
