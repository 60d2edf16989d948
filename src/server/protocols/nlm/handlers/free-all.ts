/** XNFS 14 NLM_FREE_ALL: a host restarted (its statd said so); every lock and share it held is released. */
import { decodeNotify, type Nlm4Notify } from '../codec.ts';
import { encodeVoid, type RpcProcedure } from '../../rpc/program.ts';
import type { NlmState } from '../state.ts';

export function freeAllProcedure(nlm: NlmState): RpcProcedure<Nlm4Notify, undefined> {
  return {
    name: 'FREE_ALL',
    decode: decodeNotify,
    run: (_call, a) => {
      nlm.freeHost(a.name);
      return Promise.resolve(undefined);
    },
    encode: encodeVoid,
  };
}
