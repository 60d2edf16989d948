/**
 * The contract of an SMB2 command handler: it reads its request from `ctx.msg` (offsets in
 * SMB2 are from the start of the header) and returns a status and response body; errors
 * are thrown as `SmbStatusError` or `DittoError` (mapped in one place, `statusOf`).
 */
import type { Logger } from 'pino';
import { DittoError, ERRORS } from '../../../shared/errors.ts';
import type { LoginThrottle } from '../../auth/ratelimit.ts';
import type { ProtocolRuntime } from '../../runtime/types.ts';
import type { ServerName } from './auth/ntlm.ts';
import { HEADER_SIZE, Status } from './constants.ts';
import type { Smb2Header } from './header.ts';
import type { ShareModeTable } from './share-modes.ts';
import type { OpenPaths } from './open-paths.ts';
import type { Open, Session, Tree } from './state.ts';
import type { SmbConnectionState } from './connection-state.ts';
import type { SmbSettings } from './settings.ts';

export class SmbStatusError extends Error {
  constructor(readonly status: number) {
    super(`NTSTATUS 0x${status.toString(16)}`);
  }
}

/** The NTSTATUS of a failure. A read-only share answers ACCESS_DENIED, as Windows and Samba do. */
export function statusOf(err: unknown): number {
  if (err instanceof SmbStatusError) return err.status;
  if (err instanceof DittoError) return err.code === 'READ_ONLY' ? Status.ACCESS_DENIED : ERRORS[err.code].ntstatus;
  return Status.UNSUCCESSFUL;
}

/** Shared by every connection of one adapter. */
export interface SmbServerContext {
  runtime: ProtocolRuntime;
  settings: SmbSettings;
  logger: Logger;
  serverGuid: Buffer;
  startTime: bigint;
  name: ServerName;
  shareModes: ShareModeTable;
  /** Where the open files are, for renames of directories above them (open-paths.ts). */
  openPaths: OpenPaths;
  /** Password checks per source address, with the API's policy (auth/ratelimit.ts). */
  throttle: LoginThrottle;
}

export interface SmbReply {
  status: number;
  body: Buffer;
  /** Bulk data sent after `body` without copying (READ). */
  tail?: Buffer;
  /** Gives back the pooled buffer `tail` lies in, once the reply is written or dropped. */
  release?: () => void;
  /**
   * §3.3.4.2: the request goes asynchronous. The interim reply (STATUS_PENDING) goes out now;
   * this settles with the final reply, sent when it does.
   */
  later?: Promise<SmbReply>;
  /** Ends a pending request early (CANCEL): `later` then settles with STATUS_CANCELLED. */
  cancel?: () => void;
}

export interface SmbContext {
  server: SmbServerContext;
  conn: SmbConnectionState;
  hdr: Smb2Header;
  /** This request's bytes, from its header to its end (compound: up to the next one). */
  msg: Buffer;
  session: Session | undefined;
  tree: Tree | undefined;
  /** The FileId of the previous CREATE in a related compound chain. */
  relatedFileId: { persistent: bigint; volatile: bigint } | undefined;
  /** Set by SESSION_SETUP: the id the response carries. */
  responseSessionId?: bigint;
  /** Set by TREE_CONNECT. */
  responseTreeId?: number;
  /** Set by CREATE: the FileId related requests that follow may use. */
  createdFileId?: { persistent: bigint; volatile: bigint };
  /** Counters for the request sample. */
  bytesRead: number;
  bytesWritten: number;
}

export interface SmbHandler {
  name: string;
  /** §3.3.5.2.9: needs a valid session. */
  needsSession: boolean;
  /** §3.3.5.2.11: needs a tree connect. */
  needsTree: boolean;
  run(ctx: SmbContext): Promise<SmbReply>;
}

/**
 * The response shape QUERY_DIRECTORY, CHANGE_NOTIFY and QUERY_INFO share (§2.2.34, §2.2.36,
 * §2.2.38): StructureSize 9, the output buffer's offset and length, then the buffer.
 */
export function outputBuffer(status: number, data: Buffer): SmbReply {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(9, 0);
  head.writeUInt16LE(HEADER_SIZE + 8, 2);
  head.writeUInt32LE(data.length, 4);
  return { status, body: Buffer.concat([head, data]) };
}

/** §2.2.2 ERROR response body. */
export const ERROR_BODY = Buffer.from([9, 0, 0, 0, 0, 0, 0, 0, 0]);

/**
 * The open a request's FileId names (all-ones: the one of the related compound's CREATE),
 * else FILE_CLOSED, also for all-ones outside a related chain (§3.3.5.2.7.2).
 */
export function openOf(ctx: SmbContext, persistent: bigint, volatile: bigint): Open {
  const ALL = 0xffffffffffffffffn;
  let vol = volatile;
  if (persistent === ALL && volatile === ALL) {
    if (!ctx.relatedFileId) throw new SmbStatusError(Status.FILE_CLOSED);
    vol = ctx.relatedFileId.volatile;
  }
  const open = ctx.conn.opens.get(vol);
  if (
    !open ||
    (persistent !== ALL && open.persistentId !== persistent) ||
    open.sessionId !== ctx.session?.id ||
    open.treeId !== ctx.tree?.id
  )
    throw new SmbStatusError(Status.FILE_CLOSED);
  return open;
}
