/**
 * A change in the control plane reaching sessions already logged on. A session whose
 * identity is no longer allowed (guests turned off; its user disabled or deleted) is closed
 * as MS-SMB2 §3.3.4.12 (Server Application Requests Closing a Session) says; a tree connect
 * the session may no longer make (the share's guestAccess now none, a grant removed, the
 * client's address now denied, the share no longer served over SMB) is disconnected, as
 * Samba's `smbcontrol close-denied-share` (conn_force_tdis) does. The connection stays up:
 * the next request on the session fails USER_SESSION_DELETED (§3.3.5.2.9), on the tree
 * NETWORK_NAME_DELETED (§3.3.5.2.11), and a client that logs on or connects again meets the
 * new rules. Closing the connection instead would also end the other sessions it carries (a
 * user's beside a guest's), and tells the client less.
 */
import type { IdentityLookup } from '../../runtime/types.ts';
import type { SmbConnectionState } from './connection-state.ts';
import type { SmbServerContext } from './handler.ts';
import { endSession } from './handlers/logoff.ts';
import { endTree } from './handlers/tree-disconnect.ts';
import { smbShares } from './shares.ts';
import type { Session } from './state.ts';
import { treeAccess } from './tree-access.ts';

/**
 * Asks the control plane about the identities of these sessions: guests on, each user there
 * and enabled. Whether a session may stay logged on.
 */
async function sessionVerdict(
  identities: IdentityLookup,
  sessions: Iterable<Session>,
): Promise<(session: Session) => boolean> {
  const guestsEnabled = (await identities.guest()).enabled;
  const usersEnabled = new Map<string, boolean>();
  for (const s of sessions) {
    if (s.state !== 'valid' || s.guest || usersEnabled.has(s.username)) continue;
    usersEnabled.set(s.username, (await identities.byName(s.username))?.enabled === true);
  }
  return (s) => (s.guest ? guestsEnabled : (usersEnabled.get(s.username) ?? true));
}

/**
 * Ends on one connection the sessions and tree connects the control plane refuses now; how
 * many ended. Run between the connection's messages: a logon in flight when the change
 * was made is valid by then, and checked with the rest.
 */
export async function endRevoked(server: SmbServerContext, conn: SmbConnectionState): Promise<number> {
  const allowed = await sessionVerdict(server.runtime.identities, conn.sessions.values());
  let ended = 0;
  const shares = smbShares(server.runtime.shares);
  for (const session of [...conn.sessions.values()]) {
    if (session.state !== 'valid') continue;
    if (!allowed(session)) {
      await endSession(server, conn, session);
      ended++;
      continue;
    }
    for (const tree of [...session.trees.values()]) {
      if (tree.share === undefined) continue; // IPC$ is open to every session
      const share = shares.find((s) => s.name === tree.share);
      if (share && treeAccess(conn, session, share) !== 'none') continue;
      await endTree(server, conn, session, tree);
      ended++;
    }
  }
  return ended;
}
