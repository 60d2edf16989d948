/** MS-SMB2 §3.3.5.6 LOGOFF: ends the session, closing its opens and tree connects. */
import { HEADER_SIZE, Status } from '../constants.ts';
import type { SmbConnectionState } from '../connection-state.ts';
import type { SmbHandler, SmbServerContext } from '../handler.ts';
import { SmbStatusError } from '../handler.ts';
import { releaseSessionMounts } from '../mount-records.ts';
import type { Session } from '../state.ts';
import { closeOpen } from './close.ts';

export const logoff: SmbHandler = {
  name: 'LOGOFF',
  needsSession: true,
  needsTree: false,
  async run(ctx) {
    if (ctx.msg.length < HEADER_SIZE + 4 || ctx.msg.readUInt16LE(HEADER_SIZE) !== 4)
      throw new SmbStatusError(Status.INVALID_PARAMETER);
    const session = ctx.session;
    if (!session) throw new SmbStatusError(Status.USER_SESSION_DELETED);
    await endSession(ctx.server, ctx.conn, session);
    return { status: Status.SUCCESS, body: Buffer.from([4, 0, 0, 0]) };
  },
};

/**
 * Closes a session's opens (waiting CHANGE_NOTIFYs end NOTIFY_CLEANUP) and tree connects, and
 * forgets it (§3.3.4.12): requests on its SessionId then fail USER_SESSION_DELETED (§3.3.5.2.9).
 */
export async function endSession(server: SmbServerContext, conn: SmbConnectionState, session: Session): Promise<void> {
  for (const open of [...conn.opens.values()]) if (open.sessionId === session.id) await closeOpen(server, conn, open);
  conn.sessions.delete(session.id);
  releaseSessionMounts(server, conn, session);
}
