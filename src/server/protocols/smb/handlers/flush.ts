/**
 * MS-SMB2 §3.3.5.11 FLUSH: content and size / mtime durable before the reply, as NFS COMMIT,
 * and the file's creation too (an SMB CREATE is committed lazily).
 */
import { HEADER_SIZE, Status } from '../constants.ts';
import { openOf, SmbStatusError, type SmbHandler } from '../handler.ts';
import { LeReader } from '../reader.ts';
import { settleWriteTime } from '../write-time.ts';

export const flush: SmbHandler = {
  name: 'FLUSH',
  needsSession: true,
  needsTree: true,
  async run(ctx) {
    const r = new LeReader(ctx.msg, HEADER_SIZE);
    if (r.u16() !== 24) throw new SmbStatusError(Status.INVALID_PARAMETER);
    r.skip(6);
    const open = openOf(ctx, r.u64(), r.u64());
    if (!r.ok) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const session = ctx.session;
    if (open.stream !== undefined && session) {
      // The stream's changes were committed lazily (stream-io.ts): this makes them durable.
      await ctx.server.runtime.metadata.persistWrites(session.auth, open.handle, 'flush');
    } else if (!open.pipe && !open.isDirectory && open.share !== undefined && session) {
      const { metadata, payload } = ctx.server.runtime;
      await Promise.all([
        payload.flush(open.share, open.payloadId),
        metadata.persistWrites(session.auth, open.handle, 'flush'),
      ]);
      open.written = false;
      settleWriteTime(open);
    }
    return { status: Status.SUCCESS, body: Buffer.from([4, 0, 0, 0]) };
  },
};
