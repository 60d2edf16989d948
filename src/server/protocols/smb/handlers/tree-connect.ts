/**
 * MS-SMB2 §3.3.5.7 TREE_CONNECT: `\\server\share` to IPC$ (named pipes) or a share. The
 * share must be enabled and allow the client's address (the export's allowedNetworks and
 * the share's SMB hostsAllow / hostsDeny); the session's user gets the share's effective
 * access (its grants, then read-only), a guest session the share's guest access, and 'none'
 * is ACCESS_DENIED (tree-access.ts, applied again to live trees when the control plane
 * changes). A share that requires encryption is refused to a session that cannot encrypt
 * (2.x, no cipher, guest) and encrypts its tree otherwise (SMB2_SHAREFLAG_ENCRYPT_DATA).
 */
import { HEADER_SIZE, Status } from '../constants.ts';
import { SmbStatusError, type SmbHandler } from '../handler.ts';
import { addMount } from '../mount-records.ts';
import { LeReader } from '../reader.ts';
import { findSmbShare, smbRulesOf } from '../shares.ts';
import type { Tree } from '../state.ts';
import { treeAccess } from '../tree-access.ts';
import { LeWriter } from '../writer.ts';

const SHARE_TYPE_DISK = 1;
const SHARE_TYPE_PIPE = 2;
/** §2.2.10 ShareFlags: every request on the tree must be encrypted. */
const SHAREFLAG_ENCRYPT_DATA = 0x8000;
/** MS-DTYP §2.4.3 FILE_ALL_ACCESS and the read/execute subset. */
export const FILE_ALL_ACCESS = 0x001f01ff;
export const FILE_READ_ACCESS = 0x001200a9;

export const treeConnect: SmbHandler = {
  name: 'TREE_CONNECT',
  needsSession: true,
  needsTree: false,
  async run(ctx) {
    const r = new LeReader(ctx.msg, HEADER_SIZE);
    if (r.u16() !== 9) throw new SmbStatusError(Status.INVALID_PARAMETER);
    r.u16();
    const path = r.at(r.u16(), r.u16());
    if (!r.ok || path.length % 2 !== 0) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const name = path.toString('utf16le').split('\\').filter(Boolean)[1] ?? '';
    const session = ctx.session;
    if (!session) throw new SmbStatusError(Status.USER_SESSION_DELETED);
    const { runtime } = ctx.server;
    let tree: Tree;
    if (name.toUpperCase() === 'IPC$') {
      tree = { id: ctx.conn.newId(), share: undefined, access: 'read', root: undefined, encrypt: false };
    } else {
      const share = findSmbShare(runtime.shares, name);
      if (!share) throw new SmbStatusError(Status.BAD_NETWORK_NAME);
      const access = treeAccess(ctx.conn, session, share);
      if (access === 'none') throw new SmbStatusError(Status.ACCESS_DENIED);
      const root = await runtime.metadata.rootHandle(share.name);
      tree = { id: ctx.conn.newId(), share: share.name, access, root, encrypt: smbRulesOf(share).encrypt };
      addMount(ctx.server, ctx.conn, session, share.name);
    }
    session.trees.set(tree.id, tree);
    ctx.responseTreeId = tree.id;
    const w = new LeWriter(16)
      .u16(16)
      .u8(tree.share === undefined ? SHARE_TYPE_PIPE : SHARE_TYPE_DISK)
      .u8(0)
      .u32(tree.encrypt ? SHAREFLAG_ENCRYPT_DATA : 0)
      .u32(0)
      .u32(tree.access === 'write' ? FILE_ALL_ACCESS : FILE_READ_ACCESS);
    return { status: Status.SUCCESS, body: Buffer.from(w.finish()) };
  },
};
