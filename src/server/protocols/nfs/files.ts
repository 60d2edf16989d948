/** File-object rules the NFSv3 and NFSv4 handlers apply. */
import {
  FileType,
  type AuthContext,
  type CreateMode,
  type Entry,
  type FileAttr,
  type FileHandle,
  type SetAttrs,
  type Timespec,
  type Wcc,
} from '../../metadata/types.ts';
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

/**
 * Deletes the content of a file a REMOVE or a RENAME over it freed (its last link gone, no
 * open holding it: MetadataOps.remove's `freed`) in the background: the durable metadata
 * change is what the reply promises, and nothing can reach the content any more (a payload
 * id is never reused), so the client need not wait for it.
 */
export function releasePayload(ctx: ShareCallContext, freed: FileAttr | undefined): void {
  if (!freed || freed.type !== FileType.Regular || !freed.payloadId) return;
  const { share, runtime } = ctx;
  const payloadId = freed.payloadId;
  runtime.payload.release(share, payloadId).catch((err: unknown) => {
    // The name is already gone; unreferenced blocks are left to the payload GC.
    runtime.logger.warn({ err, share, payloadId }, 'payload delete failed');
  });
}

/** SETATTR: the attributes, and for a size change the content cut or extended to match. */
export async function setAttrsWithSize(
  ctx: ShareCallContext,
  auth: AuthContext,
  fh: FileHandle,
  attrs: SetAttrs,
  guardCtime?: Timespec,
): Promise<Wcc> {
  const md = ctx.runtime.metadata;
  const wcc = await md.setAttr(auth, fh, attrs, guardCtime);
  if (attrs.size !== undefined) {
    const after = wcc.after ?? (await md.getAttr(auth, fh));
    if (after.type === FileType.Regular && after.payloadId) {
      await ctx.runtime.payload.truncate(ctx.share, after.payloadId, attrs.size);
    }
  }
  return wcc;
}

/**
 * Creates a regular file; an UNCHECKED create of an existing file applies the requested
 * size to it (RFC 1813 §3.3.8, RFC 7530 §16.16.5: truncation on create).
 */
export async function createFile(
  ctx: ShareCallContext,
  auth: AuthContext,
  dir: FileHandle,
  name: string,
  attrs: SetAttrs,
  mode: CreateMode,
): Promise<Entry & { dirWcc: Wcc }> {
  const md = ctx.runtime.metadata;
  const e = await md.create(auth, dir, name, attrs, mode);
  let attr = e.attr;
  const size = attrs.size;
  if (mode.kind === 'unchecked' && size !== undefined) {
    if (attr.size !== size)
      attr = (await md.setAttr(auth, e.handle, { size })).after ?? (await md.getAttr(auth, e.handle));
    if (attr.type === FileType.Regular && attr.payloadId)
      await ctx.runtime.payload.truncate(ctx.share, attr.payloadId, size);
  }
  return { ...e, attr };
}
