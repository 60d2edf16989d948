/**
 * The live sessions list (runtime/mounts.ts) for SMB: one record per session and share, so
 * two users on one machine (or a user and a guest, or two smbclients) are two rows, each
 * with its own user and bytes. A record lives from the session's first TREE_CONNECT to the
 * share until its last tree connect there ends (TREE_DISCONNECT, LOGOFF, access recheck,
 * the connection closed).
 */
import type { SmbConnectionState } from './connection-state.ts';
import type { SmbServerContext } from './handler.ts';
import type { Session, Tree } from './state.ts';

/** Session ids are unique on one connection. */
export function mountKey(conn: SmbConnectionState, sessionId: bigint, share: string): string {
  return `smb\0${conn.id}\0${sessionId}\0${share}`;
}

/** The session connected a tree to a share: its record (added once per session and share). */
export function addMount(server: SmbServerContext, conn: SmbConnectionState, session: Session, share: string): void {
  server.runtime.mounts.add({
    protocol: 'smb',
    clientAddr: conn.clientAddr,
    share,
    user: session.username,
    key: mountKey(conn, session.id, share),
  });
}

/** A tree connect of the session ended: the record goes when no other tree of the session uses the share. */
export function releaseMount(server: SmbServerContext, conn: SmbConnectionState, session: Session, tree: Tree): void {
  const share = tree.share;
  if (share === undefined) return;
  for (const t of session.trees.values()) if (t !== tree && t.share === share) return;
  server.runtime.mounts.removeKey(mountKey(conn, session.id, share));
}

/** The shares the session has tree connects to. */
export function sharesOf(session: Session): Set<string> {
  const shares = new Set<string>();
  for (const tree of session.trees.values()) if (tree.share !== undefined) shares.add(tree.share);
  return shares;
}

/** The keys of the records of the connection's sessions. */
export function mountKeys(conn: SmbConnectionState): string[] {
  return [...conn.sessions.values()].flatMap((s) => [...sharesOf(s)].map((share) => mountKey(conn, s.id, share)));
}

/** The session ends (LOGOFF, access recheck, connection closed): all its records go. */
export function releaseSessionMounts(server: SmbServerContext, conn: SmbConnectionState, session: Session): void {
  for (const share of sharesOf(session)) server.runtime.mounts.removeKey(mountKey(conn, session.id, share));
}
