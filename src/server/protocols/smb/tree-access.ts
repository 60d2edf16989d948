/**
 * What a session may do on a share from its client's address: the rules TREE_CONNECT applies
 * (MS-SMB2 §3.3.5.7), and that a change in the control plane applies again to the tree
 * connects already made (access-recheck.ts).
 */
import { guestAccess } from '../../../shared/api/access.ts';
import { shareAccessOf } from '../../metadata/identity.ts';
import type { ShareAccess } from '../../metadata/types.ts';
import type { ShareInfo } from '../../runtime/types.ts';
import { clientAllowed } from '../mount/access.ts';
import type { SmbConnectionState } from './connection-state.ts';
import { canEncrypt } from './handlers/session-setup.ts';
import { smbHostAllowed, smbRulesOf } from './shares.ts';
import type { Session } from './state.ts';

/** The guest rule for guest sessions, the grants otherwise; a read-only share lowers write to read. */
function accessOf(session: Session, share: ShareInfo): ShareAccess {
  const { readOnly } = share.export;
  if (session.guest) return guestAccess({ readOnly, guestAccess: smbRulesOf(share).guestAccess }).access;
  const access = shareAccessOf(session.auth, share.export);
  return readOnly && access === 'write' ? 'read' : access;
}

/**
 * The session's access to the share, 'none' when the tree connect is refused: the client's
 * address is not allowed (the export's allowedNetworks, the share's hostsAllow / hostsDeny),
 * the session has no access, or the share requires encryption the session cannot give.
 */
export function treeAccess(conn: SmbConnectionState, session: Session, share: ShareInfo): ShareAccess {
  const rules = smbRulesOf(share);
  const addr = conn.clientAddr;
  if (!clientAllowed(share, addr) || !smbHostAllowed(rules, addr)) return 'none';
  if (rules.encrypt && !canEncrypt(conn, session)) return 'none';
  return accessOf(session, share);
}
