/**
 * Reads and sizes of an open's named stream (handlers/create-stream.ts). Every change goes
 * to the store at once (MetadataOps.updateStream), committed lazily and made durable by FLUSH:
 * opens of one stream share its content with nothing to merge at CLOSE.
 */
import type { AuthContext, FileAttr, MetadataOps } from '../../metadata/types.ts';
import { FileType } from '../../metadata/types.ts';
import { isDittoError } from '../../../shared/errors.ts';
import { foldName, type TxOptions } from '../../metadata/store.ts';
import type { StreamChange } from '../../metadata/streams.ts';
import { Status } from './constants.ts';
import { SmbStatusError } from './handler.ts';
import type { Open } from './state.ts';

/** The file's attributes as a stream open shows them: the stream's size, the file's times. */
export function streamAttr(attr: FileAttr, size: number): FileAttr {
  return { ...attr, type: FileType.Regular, size, used: size };
}

/** The stream's content; empty when another open deleted it. */
export async function streamData(md: MetadataOps, auth: AuthContext, open: Open & { stream: string }): Promise<Buffer> {
  return (await md.streams.read(auth, open.handle, open.stream))?.data ?? Buffer.alloc(0);
}

/** The stream's size (0 when another open deleted it), without reading its content. */
export async function streamSize(md: MetadataOps, auth: AuthContext, open: Open & { stream: string }): Promise<number> {
  const wanted = foldName(open.stream);
  return (await md.streams.list(auth, open.handle)).find((s) => foldName(s.name) === wanted)?.size ?? 0;
}

/** The open's view of the file's attributes: the stream's size for a stream open. */
export async function openAttr(md: MetadataOps, auth: AuthContext, open: Open, attr: FileAttr): Promise<FileAttr> {
  return open.stream === undefined
    ? attr
    : streamAttr(attr, await streamSize(md, auth, { ...open, stream: open.stream }));
}

/**
 * MetadataOps.updateStream for the open's stream; a stream grown past streams.ts
 * MAX_STREAM_SIZE is STATUS_FILE_SYSTEM_LIMITATION, as Samba's streams_xattr answers a stream
 * past the largest extended attribute.
 */
export async function updateOpenStream(
  md: MetadataOps,
  auth: AuthContext,
  open: Open & { stream: string },
  change: StreamChange,
  opts?: TxOptions,
): Promise<number> {
  try {
    return await md.streams.update(auth, open.handle, open.stream, change, opts);
  } catch (err) {
    if (isDittoError(err, 'FILE_TOO_LARGE')) throw new SmbStatusError(Status.FILE_SYSTEM_LIMITATION);
    throw err;
  }
}
