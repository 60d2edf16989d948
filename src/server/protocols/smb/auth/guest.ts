/**
 * Logons that become guest sessions (MS-SMB2 §3.3.5.5.3): an anonymous AUTHENTICATE, or
 * the account name "guest" when no user of that name exists, and only while the control
 * plane enables guests. A wrong password for a real user is never mapped to guest (unlike
 * Samba's `map to guest = bad user`): it stays a failed logon.
 */
import type { GuestIdentity } from '../../../runtime/types.ts';
import type { AuthenticateMessage } from './ntlm.ts';

/** §2.2.1.3 SessionFlags of the SESSION_SETUP response. */
export const SessionFlag = { IS_GUEST: 0x1, IS_NULL: 0x2, ENCRYPT_DATA: 0x4 } as const;

export type GuestKind = 'guest' | 'anonymous';

/** MS-NLMP §3.3.1: anonymous when the user name and NtChallengeResponse are empty and LmChallengeResponse is empty or Z(1). */
export function isAnonymous(auth: AuthenticateMessage): boolean {
  const lm = auth.lmResponse;
  return auth.user === '' && auth.ntResponse.length === 0 && (lm.length === 0 || (lm.length === 1 && lm[0] === 0));
}

/**
 * The guest session a logon becomes, or undefined when it must authenticate as a user.
 * `knownUser`: a control-plane user has the logon's name (a "guest" user then logs in as itself).
 */
export function guestKind(auth: AuthenticateMessage, knownUser: boolean, guest: GuestIdentity): GuestKind | undefined {
  if (!guest.enabled || knownUser) return undefined;
  if (isAnonymous(auth)) return 'anonymous';
  return auth.user.toLowerCase() === 'guest' ? 'guest' : undefined;
}

/** §2.2.6 SessionFlags for a guest (IS_GUEST) or anonymous (IS_NULL) session. */
export function guestSessionFlags(kind: GuestKind): number {
  return kind === 'anonymous' ? SessionFlag.IS_NULL : SessionFlag.IS_GUEST;
}
