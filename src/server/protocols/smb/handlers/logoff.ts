/** MS-SMB2 §3.3.5.6 LOGOFF: ends the session, closing its opens and tree connects. */
import { HEADER_SIZE, Status } from '../constants.ts';
import type { SmbContext, SmbHandler } from '../handler.ts';
import { SmbStatusError } from '../handler.ts';
import type { Session } from '../state.ts';
import { closeOpen } from './close.ts';
import { releaseTree } from './tree-disconnect.ts';

export const logoff: SmbHandler = {
  name: 'LOGOFF',
  needsSession: true,
  needsTree: false,
  async run(ctx) {
    if (ctx.msg.length < HEADER_SIZE + 4 || ctx.msg.readUInt16LE(HEADER_SIZE) !== 4)
      throw new SmbStatusError(Status.INVALID_PARAMETER);
    const session = ctx.session;
    if (!session) throw new SmbStatusError(Status.USER_SESSION_DELETED);
    await endSession(ctx, session);
    return { status: Status.SUCCESS, body: Buffer.from([4, 0, 0, 0]) };
  },
};

/** Closes a session's opens (waiting CHANGE_NOTIFYs end NOTIFY_CLEANUP) and tree connects, and forgets it. */
export async function endSession(ctx: SmbContext, session: Session): Promise<void> {
  for (const open of [...ctx.conn.opens.values()])
    if (open.sessionId === session.id) await closeOpen(ctx.server, ctx.conn, open);
  for (const tree of session.trees.values()) releaseTree(ctx, tree);
  ctx.conn.sessions.delete(session.id);
}
