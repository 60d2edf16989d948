/**
 * RFC 1813 §5.2.1 MOUNTPROC3_MNT: the file handle of an export's root, or of a directory
 * inside it (looked up as the caller, like LOOKUP would), for a client the export rules
 * allow and a caller the share grants access (after squash). The mount is recorded in the
 * mounts registry.
 */
import { nfs3StatusOf } from '../../../../shared/errors.ts';
import { FileType } from '../../../metadata/types.ts';
import type { RpcCall, RpcProcedure } from '../../rpc/program.ts';
import type { XdrWriter } from '../../xdr/writer.ts';
import { mountRefusal } from '../../nfs/admission.ts';
import { findExport } from '../access.ts';
import { MountStat } from '../constants.ts';
import { decodeDirpath, type MountDeps } from '../deps.ts';

export interface MntResult {
  status: number;
  /** Present when status is OK. */
  handle: Buffer | undefined;
  authFlavors: readonly number[];
}

const MOUNT_STATUSES = new Set<number>(Object.values(MountStat));

/** mountstat3 for an error; codes without a MOUNT equivalent become SERVERFAULT. */
function mountStatusOf(err: unknown): number {
  const s = nfs3StatusOf(err);
  return MOUNT_STATUSES.has(s) ? s : MountStat.SERVERFAULT;
}

export function encodeMntResult(w: XdrWriter, res: MntResult): undefined {
  w.u32(res.status);
  if (res.status !== MountStat.OK || !res.handle) return;
  w.opaque(res.handle);
  w.u32(res.authFlavors.length);
  for (const f of res.authFlavors) w.u32(f);
}

export function mntProcedure(deps: MountDeps): RpcProcedure<string, MntResult> {
  const { runtime } = deps;
  const fail = (status: number): MntResult => ({ status, handle: undefined, authFlavors: [] });
  return {
    name: 'MNT',
    decode: decodeDirpath,
    async run(call: RpcCall, dirpath) {
      const clientAddr = call.session.clientAddr;
      const match = findExport(runtime.shares, dirpath);
      if (!match) return fail(MountStat.NOENT);
      const { share, below } = match;
      const refusal = mountRefusal(share, clientAddr, call.auth);
      if (refusal === 'network') {
        deps.warnings.info('mount-refused', clientAddr, { share: share.name }, 'mount refused by export rules');
        return fail(MountStat.ACCES);
      }
      if (refusal === 'access') {
        deps.warnings.info(
          'mount-no-access',
          clientAddr,
          { share: share.name, uid: call.auth.uid },
          'mount refused: no access',
        );
        return fail(MountStat.ACCES);
      }
      let handle: Buffer;
      try {
        handle = await runtime.metadata.rootHandle(share.name);
        for (const name of below) {
          const entry = await runtime.metadata.lookup(call.auth, handle, name);
          if (entry.attr.type !== FileType.Directory) return fail(MountStat.NOTDIR);
          handle = entry.handle;
        }
      } catch (err) {
        return fail(mountStatusOf(err));
      }
      runtime.mounts.add({
        protocol: 'nfs3',
        clientAddr,
        share: share.name,
        user: String(call.auth.uid),
        version: '3',
      });
      call.session.shares.add(share.name);
      return { status: MountStat.OK, handle, authFlavors: deps.authFlavors };
    },
    encode: encodeMntResult,
  };
}
