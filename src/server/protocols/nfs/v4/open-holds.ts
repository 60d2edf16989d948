/**
 * NFSv4 opens keep their files (RFC 7530 §9.9, as POSIX and knfsd keep an unlinked open
 * inode): each open state holds its file in MetadataService (metadata/open-holds.ts), so a
 * removal of its last name, by any protocol, leaves it readable through the open's filehandle
 * until the open state goes (CLOSE, lease expiry, the client dropped, the adapter stopped).
 */
import type { FileHandle } from '../../../metadata/types.ts';
import type { ProtocolRuntime } from '../../../runtime/types.ts';
import { releasePayload } from '../files.ts';

export interface OpenHolds {
  hold(fh: FileHandle): void;
  /** Ends one open's hold: the file, and its content, go when it was the last and no name is left. */
  release(share: string, fh: FileHandle): Promise<void>;
}

export function runtimeOpenHolds(runtime: ProtocolRuntime): OpenHolds {
  return {
    hold: (fh) => runtime.metadata.hold(fh),
    async release(share, fh) {
      const freed = await runtime.metadata.release(fh).catch((err: unknown) => {
        runtime.logger.warn({ err, share }, 'NFSv4 open hold release failed');
        return undefined;
      });
      releasePayload({ runtime, share }, freed);
    },
  };
}
