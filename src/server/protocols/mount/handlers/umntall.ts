/** RFC 1813 §5.2.4 MOUNTPROC3_UMNTALL: forget all of a client's mounts. */
import { decodeVoid, encodeVoid, type RpcCall, type RpcProcedure } from '../../rpc/program.ts';
import type { MountDeps } from '../deps.ts';

export function umntallProcedure({ runtime }: MountDeps): RpcProcedure<undefined, undefined> {
  return {
    name: 'UMNTALL',
    decode: decodeVoid,
    run: (call: RpcCall) => {
      runtime.mounts.remove('nfs3', call.session.clientAddr);
      return Promise.resolve(undefined);
    },
    encode: encodeVoid,
  };
}
