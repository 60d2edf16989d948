/**
 * Which shares an NFS client may use: the export rules (allowed networks) and the share's
 * grants for the caller. NFSv3 MOUNT, NFSv3 handles and the NFSv4 pseudo filesystem all
 * decide through here, so a share a client cannot mount is also one it cannot see.
 */
import type { AuthContext, FileHandle } from '../../metadata/types.ts';
import { shareAccessOf } from '../../metadata/identity.ts';
import type { ProtocolRuntime, ShareInfo } from '../../runtime/types.ts';
import { DittoError } from '../../../shared/errors.ts';
import { clientAllowed } from '../mount/access.ts';
import type { RpcCall } from '../rpc/program.ts';

/**
 * Resolves the share a handle belongs to and applies its export rules, whichever share the
 * client mounted (a handle names its share, see metadata/handles.ts). A share that does not
 * admit the client is, for it, not exported: STALE, "access to it has been revoked" (RFC
 * 1813 §2.6), as knfsd answers for an export the client has no entry in.
 */
export function admitHandle(runtime: ProtocolRuntime, call: RpcCall, fh: FileHandle): ShareInfo {
  const share = runtime.metadata.shareOf(fh);
  const info = runtime.shares.get(share);
  if (!info || !info.enabled) throw new DittoError('STALE_HANDLE', `share ${share} is not exported`);
  if (!clientAllowed(info, call.session.clientAddr)) {
    throw new DittoError('STALE_HANDLE', `share ${share} does not admit client ${call.session.clientAddr}`);
  }
  call.session.shares.add(share);
  return info;
}

/** Why a client may not mount (or, over NFSv4, see) a share; undefined when it may. */
export function mountRefusal(
  share: ShareInfo,
  clientAddr: string,
  auth: AuthContext,
): 'network' | 'access' | undefined {
  if (!share.enabled || !clientAllowed(share, clientAddr)) return 'network';
  if (shareAccessOf(auth, share.export) === 'none') return 'access';
  return undefined;
}
