/**
 * RFC 1813 §5.2.5 MOUNTPROC3_EXPORT: the enabled exports with the client groups allowed to
 * mount them (the allowedNetworks entries; no groups means everyone).
 */
import type { ShareInfo } from '../../../runtime/types.ts';
import { decodeVoid, type RpcProcedure } from '../../rpc/program.ts';
import type { XdrWriter } from '../../xdr/writer.ts';
import { exportPath } from '../access.ts';
import type { MountDeps } from '../deps.ts';

/** exports: optional-data chain of { ex_dir, ex_groups (chain of names), ex_next }. */
export function encodeExports(w: XdrWriter, shares: readonly ShareInfo[]): undefined {
  for (const s of shares) {
    w.bool(true).string(exportPath(s.name));
    for (const g of s.export.allowedNetworks) w.bool(true).string(g);
    w.bool(false);
  }
  w.bool(false);
  return undefined;
}

export function exportProcedure({ runtime }: MountDeps): RpcProcedure<undefined, ShareInfo[]> {
  return {
    name: 'EXPORT',
    decode: decodeVoid,
    run: () => Promise.resolve(runtime.shares.list().filter((s) => s.enabled)),
    encode: encodeExports,
  };
}
