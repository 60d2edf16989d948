/**
 * Effective share access of a user, computed the same way by the server (SMB sessions, the
 * permission grid of the API) and the renderer (a live preview while editing the grid).
 *
 * Rules, in order:
 *  1. a disabled user has no access;
 *  2. the user's own entry wins, whatever the groups say ('none' is an explicit deny);
 *  3. else the most permissive entry among the user's groups;
 *  4. else the share's guest access (anything a guest may do, a signed-in user may too);
 *  5. else none.
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
}

export interface AccessDecision {
  access: ShareAccess;
  source: string;
  readOnlyShare: boolean;
}

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function effectiveAccess(
  share: AccessShare,
  user: AccessSubject,
  entries: readonly PermissionEntry[],
): AccessDecision {
  const cap = (access: ShareAccess, source: string): AccessDecision =>
    share.readOnly && access === 'write'
      ? { access: 'read', source, readOnlyShare: true }
      : { access, source, readOnlyShare: false };

  if (!user.enabled) return { access: 'none', source: 'disabled', readOnlyShare: false };
  const own = entries.find((e) => e.principalType === 'user' && sameName(e.principal, user.username));
  if (own) return cap(own.access, 'user');

  let best: PermissionEntry | undefined;
  for (const e of entries) {
    if (e.principalType !== 'group' || !user.groups.some((g) => sameName(g, e.principal))) continue;
    if (!best || ACCESS_RANK[e.access] > ACCESS_RANK[best.access]) best = e;
  }
  if (best) return cap(best.access, `group:${best.principal}`);
  if (share.guestAccess !== 'none') return cap(share.guestAccess, 'guest');
  return { access: 'none', source: 'default', readOnlyShare: false };
}
