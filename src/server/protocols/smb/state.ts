/**
 * What an SMB2 connection keeps (MS-SMB2 §3.3.1): its sessions, their tree connects and
 * the open files. Sessions and opens belong to one connection (no multichannel).
 */
import type { AuthContext, FileAttr, FileHandle, ShareAccess } from '../../metadata/types.ts';
import type { GuestKind } from './auth/guest.ts';
import type { SessionKeys } from './crypto/keys.ts';
import type { NtlmSigner } from './auth/ntlm.ts';
import type { Change, Listing } from './notify.ts';
import type { PipeEndpoint } from './rpc/pipe.ts';
import type { WriteTimeState } from './write-time.ts';

export interface Session {
  id: bigint;
  state: 'in-progress' | 'valid';
  /** §3.3.1.8 PreauthIntegrityHashValue (3.1.1). */
  preauthHash: Buffer;
  /** NTLM exchange in progress. */
  ntlm?: { challenge: Buffer; clientFlags: number; mechTypes: Buffer | undefined; negotiate: Buffer };
  username: string;
  /** A guest or anonymous session (§3.3.1.8 Session.IsGuest / IsAnonymous): no key, the guest identity. */
  guest?: GuestKind;
  auth: AuthContext;
  keys: SessionKeys | undefined;
  signingRequired: boolean;
  encryptData: boolean;
  trees: Map<number, Tree>;
  /** SPNEGO's mechListMIC signer, kept for the exchange only. */
  mic?: NtlmSigner;
}

export interface Tree {
  id: number;
  /** Share name, or undefined for IPC$. */
  share: string | undefined;
  access: ShareAccess;
  root: FileHandle | undefined;
  encrypt: boolean;
}

export interface DirScan {
  /** Entries still to return for the current pattern (built on the first QUERY_DIRECTORY). */
  pending: { name: string; attr: FileAttr; handle: FileHandle | undefined }[] | undefined;
  pattern: string;
}

/**
 * CHANGE_NOTIFY on an open: the changes MetadataService reported since the last reply (`fed`
 * when there were any: the listing is then only refreshed), the listing last compared (for
 * changes made outside the service, in a folder share's folder), and the request waiting.
 */
export interface Watch {
  snapshot: Listing;
  events: Change[];
  fed: boolean;
  /** The first request's CompletionFilter and buffer size: they hold for the handle (as Samba). */
  filter: number;
  maxBuffer: number;
  /** Encoded size of `events`; past `maxBuffer` they are dropped and `overflowed` set (NOTIFY_ENUM_DIR next). */
  bufferedBytes: number;
  overflowed: boolean;
  /** The directory was deleted (delete-on-close) through another open: DELETE_PENDING from now on. */
  deletePending: boolean;
  unsubscribe: () => void;
  /** Completes the waiting request with a status (CANCEL, close). */
  waiting?: (status: number) => void;
  /** Completes the waiting request with the buffered events. */
  wake?: () => void;
}

export interface Open {
  volatileId: bigint;
  persistentId: bigint;
  sessionId: bigint;
  treeId: number;
  share: string | undefined;
  handle: FileHandle;
  /** Where it lives, for rename, delete and names: parent handle and name ('' for the share root). */
  parent: FileHandle | undefined;
  name: string;
  /** Path from the share root with backslashes ('' for the root). */
  path: string;
  isDirectory: boolean;
  desiredAccess: number;
  shareAccess: number;
  deleteOnClose: boolean;
  payloadId: string;
  fileid: number;
  /**
   * The named stream this open reads and writes instead of the file's content (its stored name;
   * stream-io.ts); the file's attributes, times and locks stay the file's.
   */
  stream?: string;
  /** The open holds its file (MetadataOps.hold): removed over NFS, it stays readable until CLOSE. */
  held?: boolean;
  scan?: DirScan;
  pipe?: PipeEndpoint;
  /** CHANGE_NOTIFY state (handlers/change-notify.ts). */
  watch?: Watch;
  /** FilePositionInformation: after the last READ / WRITE, or as set. */
  position: number;
  /** Whether a WRITE happened (FLUSH / CLOSE make it durable). */
  written: boolean;
  /** The delayed / frozen last-write time of this open (write-time.ts). */
  writeTime?: WriteTimeState;
}
