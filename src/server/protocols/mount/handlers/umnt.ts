/** RFC 1813 §5.2.3 MOUNTPROC3_UMNT: forget a client's mount of one export. */
import { encodeVoid, type RpcCall, type RpcProcedure } from '../../rpc/program.ts';
import { findExport } from '../access.ts';
import { decodeDirpath, type MountDeps } from '../deps.ts';

export function umntProcedure({ runtime }: MountDeps): RpcProcedure<string, undefined> {
  return {
    name: 'UMNT',
    decode: decodeDirpath,
    run: (call: RpcCall, dirpath) => {
      const match = findExport(runtime.shares, dirpath);
      if (match) runtime.mounts.remove('nfs3', call.session.clientAddr, match.share.name);
      return Promise.resolve(undefined);
    },
    encode: encodeVoid,
  };
}
