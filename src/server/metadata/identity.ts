/** The credentials permission checks use: the caller after the share's squash rule. */
import type { AuthContext, ShareAccess, ShareExportOptions } from './types.ts';

export interface Cred {
  readonly uid: number;
  readonly gid: number;
  readonly gids: readonly number[];
}

/**
 * `root_to_guest` maps uid 0 to the anonymous user and gid 0 to the anonymous group (as
 * knfsd's root_squash does); `all_to_guest` maps everyone; `none` keeps the caller.
 */
export function squash(auth: AuthContext, opts: ShareExportOptions): Cred {
  switch (opts.squash) {
    case 'none':
      return auth;
    case 'all_to_guest':
      return { uid: opts.anonUid, gid: opts.anonGid, gids: [] };
    case 'root_to_guest':
      if (auth.uid === 0) return { uid: opts.anonUid, gid: opts.anonGid, gids: [] };
      if (auth.gid !== 0 && !auth.gids.includes(0)) return auth;
      return {
        uid: auth.uid,
        gid: auth.gid === 0 ? opts.anonGid : auth.gid,
        gids: auth.gids.map((g) => (g === 0 ? opts.anonGid : g)),
      };
  }
}

/** What the share's grants let the caller do, decided on the squashed identity (a squashed root is the anonymous user). */
export function shareAccessOf(auth: AuthContext, opts: ShareExportOptions): ShareAccess {
  return opts.access(squash(auth, opts));
}
