/** File-object rules the NFSv3 and NFSv4 handlers apply. */
import { FileType, type FileAttr } from '../../metadata/types.ts';
import type { ProtocolRuntime } from '../../runtime/types.ts';
import { DittoError } from '../../../shared/errors.ts';

/** What deleting a payload needs: the services and the share the call works on. */
export interface ShareCallContext {
  readonly runtime: ProtocolRuntime;
  readonly share: string;
}

/** READ, WRITE and COMMIT work on regular files only. */
export function requireRegular(attr: FileAttr): void {
  if (attr.type === FileType.Regular) return;
  throw new DittoError(attr.type === FileType.Directory ? 'IS_DIRECTORY' : 'INVALID_ARGUMENT');
}

/** Deletes the content of a file whose last link is gone (REMOVE, RENAME over a file). */
export async function releasePayload(ctx: ShareCallContext, attr: FileAttr | undefined): Promise<void> {
  if (!attr || attr.nlink !== 0 || attr.type !== FileType.Regular || !attr.payloadId) return;
  try {
    await ctx.runtime.payload.delete(ctx.share, attr.payloadId);
  } catch (err) {
    // The name is already gone; unreferenced blocks are left to the payload GC.
    ctx.runtime.logger.warn({ err, share: ctx.share, payloadId: attr.payloadId }, 'payload delete failed');
  }
}
