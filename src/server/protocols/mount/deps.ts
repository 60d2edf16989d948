/** What the MOUNT procedures need from the server. */
import type { ProtocolRuntime } from '../../runtime/types.ts';
import type { LogLimiter } from '../../logging/log-limiter.ts';
import type { XdrReader } from '../xdr/reader.ts';
import { MNTPATHLEN } from './constants.ts';

export interface MountDeps {
  runtime: ProtocolRuntime;
  /** Flavours offered in MNT replies, preferred first. */
  authFlavors: readonly number[];
  /** For the lines a client can cause (refused mounts). */
  warnings: LogLimiter;
}

/** dirpath argument of MNT and UMNT. */
export function decodeDirpath(r: XdrReader): string {
  return r.string(MNTPATHLEN);
}
