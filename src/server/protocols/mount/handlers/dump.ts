/** RFC 1813 §5.2.2 MOUNTPROC3_DUMP: the NFS mounts the server knows of. */
import type { MountRecord } from '../../../runtime/types.ts';
import { decodeVoid, type RpcProcedure } from '../../rpc/program.ts';
import type { XdrWriter } from '../../xdr/writer.ts';
import { exportPath } from '../access.ts';
import type { MountDeps } from '../deps.ts';

/** mountlist: optional-data chain of { ml_hostname, ml_directory }. */
export function encodeMountList(w: XdrWriter, mounts: readonly MountRecord[]): undefined {
  for (const m of mounts) w.bool(true).string(m.clientAddr).string(exportPath(m.share));
  w.bool(false);
  return undefined;
}

export function dumpProcedure({ runtime }: MountDeps): RpcProcedure<undefined, MountRecord[]> {
  return {
    name: 'DUMP',
    decode: decodeVoid,
    run: () => Promise.resolve(runtime.mounts.list().filter((m) => m.protocol === 'nfs3')),
    encode: encodeMountList,
  };
}
