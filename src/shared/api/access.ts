/**
 * Effective share access of a user, computed the same way by the server (NFS callers by
 * uid, SMB sessions, the permission grid of the API) and the renderer.
 *
 * Rules, in order:
 *  1. a disabled user has no access;
 *  2. the user's own entry wins, whatever the groups say ('none' is an explicit deny);
 *  3. else the most permissive entry among the user's groups;
 *  4. else what the share gives everyone else: its default access, or its guest access if
 *     that is more (anything a guest may do, a signed-in user may too).
 * Callers who are no user at all (an NFS uid no user has) get rule 4 (`othersAccess`); SMB
 * guest and anonymous sessions get the share's guest access alone (`guestAccess`).
 * A read-only share lowers 'write' to 'read'.
 */
import type { PermissionEntry, ShareAccess } from './schemas.ts';

export const ACCESS_RANK: Record<ShareAccess, number> = { none: 0, read: 1, write: 2 };

export interface AccessSubject {
  username: string;
  enabled: boolean;
  /** Names of the user's groups. */
  groups: readonly string[];
}

export interface AccessShare {
  readOnly: boolean;
  guestAccess: ShareAccess;
  /** What anyone without an entry of their own or of a group may do. */
  defaultAccess: ShareAccess;
}

export interface AccessDecision {
  access: ShareAccess;
  source: string;
  readOnlyShare: boolean;
}

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function capped(share: Pick<AccessShare, 'readOnly'>, access: ShareAccess, source: string): AccessDecision {
  return share.readOnly && access === 'write'
    ? { access: 'read', source, readOnlyShare: true }
    : { access, source, readOnlyShare: false };
}

/** What a guest or anonymous SMB session may do: the share's guest access, read-only on a read-only share. */
export function guestAccess(share: Pick<AccessShare, 'readOnly' | 'guestAccess'>): AccessDecision {
  return capped(share, share.guestAccess, 'guest');
}

/** Rule 4: what the share gives anyone without an entry ('default' or 'guest', whichever gives more). */
export function othersAccess(share: AccessShare): AccessDecision {
  return ACCESS_RANK[share.guestAccess] > ACCESS_RANK[share.defaultAccess]
    ? guestAccess(share)
    : capped(share, share.defaultAccess, 'default');
}

export function effectiveAccess(
  share: AccessShare,
  user: AccessSubject,
  entries: readonly PermissionEntry[],
): AccessDecision {
  if (!user.enabled) return { access: 'none', source: 'disabled', readOnlyShare: false };
  const own = entries.find((e) => e.principalType === 'user' && sameName(e.principal, user.username));
  if (own) return capped(share, own.access, 'user');

  let best: PermissionEntry | undefined;
  for (const e of entries) {
    if (e.principalType !== 'group' || !user.groups.some((g) => sameName(g, e.principal))) continue;
    if (!best || ACCESS_RANK[e.access] > ACCESS_RANK[best.access]) best = e;
  }
  if (best) return capped(share, best.access, `group:${best.principal}`);
  return othersAccess(share);
}
