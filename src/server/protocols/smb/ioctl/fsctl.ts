/**
 * The contract of an FSCTL handler (MS-SMB2 §3.3.5.15, MS-FSCC §2.3): one file per control
 * code, dispatched from table.ts by handlers/ioctl.ts, which decodes the IOCTL request,
 * resolves the FileId the handler's target asks for and encodes the response.
 */
import type { AuthContext } from '../../../metadata/types.ts';
import { Status } from '../constants.ts';
import { SmbStatusError, type SmbContext } from '../handler.ts';
import type { Open } from '../state.ts';

/** MS-FSCC §2.3 and MS-SMB2 §2.2.31 control codes. */
export const Fsctl = {
  GET_COMPRESSION: 0x0009003c,
  GET_REPARSE_POINT: 0x000900a8,
  CREATE_OR_GET_OBJECT_ID: 0x000900c0,
  SET_SPARSE: 0x000900c4,
  QUERY_ALLOCATED_RANGES: 0x000940cf,
  SET_ZERO_DATA: 0x000980c8,
  FILE_LEVEL_TRIM: 0x00098208,
  DUPLICATE_EXTENTS_TO_FILE: 0x00098344,
  SET_COMPRESSION: 0x0009c040,
  PIPE_TRANSCEIVE: 0x0011c017,
  SRV_REQUEST_RESUME_KEY: 0x00140078,
  QUERY_NETWORK_INTERFACE_INFO: 0x001401fc,
  VALIDATE_NEGOTIATE_INFO: 0x00140204,
  SRV_COPYCHUNK: 0x001440f2,
  SRV_COPYCHUNK_WRITE: 0x001480f2,
} as const;

export interface FsctlRequest {
  ctx: SmbContext;
  ctlCode: number;
  /** The FileId as sent (all ones: none, or the related compound's open). */
  persistent: bigint;
  volatile: bigint;
  input: Buffer;
  /** MaxOutputResponse: a longer output is BUFFER_TOO_SMALL unless the handler answers otherwise. */
  maxOutput: number;
}

export interface FsctlReply {
  status: number;
  output: Buffer;
}

interface Named {
  name: string;
}

/** Works on an open file or directory (a pipe is INVALID_DEVICE_REQUEST), or on a pipe (a file is). */
export interface OpenFsctl extends Named {
  target: 'file' | 'pipe';
  run(req: FsctlRequest, open: Open): Promise<FsctlReply>;
}

/** Needs no open: the FileId is the handler's to check. */
export interface ConnectionFsctl extends Named {
  target: 'none';
  run(req: FsctlRequest): Promise<FsctlReply>;
}

export type FsctlHandler = OpenFsctl | ConnectionFsctl;

export const EMPTY = Buffer.alloc(0);

/** The session's identity and the open's share, for metadata and payload calls (FILE_CLOSED once gone). */
export function fileScope(ctx: SmbContext, open: Open): { auth: AuthContext; share: string } {
  if (!ctx.session || open.share === undefined) throw new SmbStatusError(Status.FILE_CLOSED);
  return { auth: ctx.session.auth, share: open.share };
}

/** ACCESS_DENIED unless the open was granted one of `bits`. */
export function requireAccess(open: Open, bits: number): void {
  if ((open.desiredAccess & bits) === 0) throw new SmbStatusError(Status.ACCESS_DENIED);
}

/** An FSCTL that changes content or attributes: the tree must be writable and the open hold one of `bits`. */
export function requireWrite(ctx: SmbContext, open: Open, bits: number): void {
  if (ctx.tree?.access !== 'write') throw new SmbStatusError(Status.ACCESS_DENIED);
  requireAccess(open, bits);
}
