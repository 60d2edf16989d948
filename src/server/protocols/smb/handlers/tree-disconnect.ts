/** MS-SMB2 §3.3.5.8 TREE_DISCONNECT: closes the tree's opens and ends its mount record. */
import { HEADER_SIZE, Status } from '../constants.ts';
import { SmbStatusError, type SmbContext, type SmbHandler } from '../handler.ts';
import type { Tree } from '../state.ts';
import { closeOpen } from './close.ts';

/** Drops a tree's mount record when no other tree of this connection uses the share. */
export function releaseTree(ctx: SmbContext, tree: Tree): void {
  if (tree.share === undefined) return;
  const stillUsed = [...ctx.conn.sessions.values()].some((s) =>
    [...s.trees.values()].some((t) => t !== tree && t.share === tree.share),
  );
  if (stillUsed) return;
  ctx.server.runtime.mounts.remove('smb', ctx.conn.clientAddr, tree.share);
}

export const treeDisconnect: SmbHandler = {
  name: 'TREE_DISCONNECT',
  needsSession: true,
  needsTree: true,
  async run(ctx) {
    if (ctx.msg.length < HEADER_SIZE + 4 || ctx.msg.readUInt16LE(HEADER_SIZE) !== 4)
      throw new SmbStatusError(Status.INVALID_PARAMETER);
    const { tree, session } = ctx;
    if (!tree || !session) throw new SmbStatusError(Status.NETWORK_NAME_DELETED);
    for (const open of [...ctx.conn.opens.values()])
      if (open.sessionId === session.id && open.treeId === tree.id) await closeOpen(ctx.server, ctx.conn, open);
    releaseTree(ctx, tree);
    session.trees.delete(tree.id);
    return { status: Status.SUCCESS, body: Buffer.from([4, 0, 0, 0]) };
  },
};
