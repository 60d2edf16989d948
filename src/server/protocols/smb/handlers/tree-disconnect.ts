/** MS-SMB2 §3.3.5.8 TREE_DISCONNECT: closes the tree's opens and ends its mount record. */
import { HEADER_SIZE, Status } from '../constants.ts';
import type { SmbConnectionState } from '../connection-state.ts';
import { SmbStatusError, type SmbHandler, type SmbServerContext } from '../handler.ts';
import type { Session, Tree } from '../state.ts';
import { releaseMount } from '../mount-records.ts';
import { closeOpen } from './close.ts';

/** Closes the tree's opens and forgets it: requests on its TreeId then fail NETWORK_NAME_DELETED (§3.3.5.2.11). */
export async function endTree(
  server: SmbServerContext,
  conn: SmbConnectionState,
  session: Session,
  tree: Tree,
): Promise<void> {
  for (const open of [...conn.opens.values()])
    if (open.sessionId === session.id && open.treeId === tree.id) await closeOpen(server, conn, open);
  releaseMount(server, conn, session, tree);
  session.trees.delete(tree.id);
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
    await endTree(ctx.server, ctx.conn, session, tree);
    return { status: Status.SUCCESS, body: Buffer.from([4, 0, 0, 0]) };
  },
};
