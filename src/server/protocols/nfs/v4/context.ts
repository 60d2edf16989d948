/**
 * Per-COMPOUND state (RFC 7530 §15.2): the current and saved filehandles, which are either
 * a node of the pseudo filesystem or a file of a share the client is admitted to.
 */
import { fileKey } from '../../../metadata/locks/lock-manager.ts';
import type { AuthContext } from '../../../metadata/types.ts';
import type { ProtocolRuntime, ShareInfo } from '../../../runtime/types.ts';
import type { RpcCall } from '../../rpc/program.ts';
import { admitHandle } from '../admission.ts';
import { Nfs4Status } from './constants.ts';
import { Nfs4Error } from './errors.ts';
import { isPseudoHandle, pseudoExists, pseudoPathOf, visibleShares } from './pseudo.ts';
import type { SlotUse } from './sessions.ts';
import type { Nfs4State } from './state.ts';

export type CurrentFh =
  | { readonly kind: 'pseudo'; readonly fh: Buffer; readonly path: string }
  | { readonly kind: 'share'; readonly fh: Buffer; readonly share: ShareInfo };

export type ShareFh = Extract<CurrentFh, { kind: 'share' }>;

/** What every operation handler gets: the server-wide parts and this COMPOUND's filehandles. */
export interface Nfs4Server {
  readonly runtime: ProtocolRuntime;
  readonly state: Nfs4State;
  /** Write verifier (8 bytes): changes when the server restarts. */
  readonly verifier: Buffer;
  readonly leaseSeconds: number;
  readonly bootSec: number;
  /** The NFSv4 minor versions served (adapter setting), e.g. 0..2. */
  readonly minorVersions: { readonly min: number; readonly max: number };
  /** Largest RPC record the transport accepts: CREATE_SESSION's channel limits. */
  readonly maxRecordSize: number;
}

export interface Nfs4Context {
  readonly server: Nfs4Server;
  readonly call: RpcCall;
  readonly auth: AuthContext;
  readonly minorVersion: number;
  /** The operations of this COMPOUND as received, for SEQUENCE's retry detection. */
  readonly request: Buffer;
  /** NFSv4.1+: the session slot SEQUENCE took for this COMPOUND. */
  slot: SlotUse | undefined;
  current: CurrentFh | undefined;
  saved: CurrentFh | undefined;
  /** Share of the last operation, and payload bytes moved, for the counters. */
  share: string | undefined;
  bytesRead: number;
  bytesWritten: number;
}

/** Resolves a filehandle from the wire (PUTFH, RESTOREFH): BADHANDLE / STALE when unusable. */
export function resolveFh(ctx: Nfs4Context, fh: Buffer): CurrentFh {
  if (isPseudoHandle(fh)) {
    const path = pseudoPathOf(fh);
    const visible = visibleShares(ctx.server.runtime.shares, ctx.call.session.clientAddr, ctx.auth);
    if (!pseudoExists(path, visible)) throw new Nfs4Error(Nfs4Status.STALE, 'pseudo directory gone');
    return { kind: 'pseudo', fh, path };
  }
  return { kind: 'share', fh, share: admitHandle(ctx.server.runtime, ctx.call, fh) };
}

export function currentFh(ctx: Nfs4Context): CurrentFh {
  if (!ctx.current) throw new Nfs4Error(Nfs4Status.NOFILEHANDLE);
  return ctx.current;
}

/**
 * The current filehandle as a share file; on the pseudo filesystem `pseudoStatus` (ROFS for
 * changes, ISDIR for file I/O, ...).
 */
export function shareFh(ctx: Nfs4Context, pseudoStatus: number): ShareFh {
  const cur = currentFh(ctx);
  if (cur.kind === 'pseudo') throw new Nfs4Error(pseudoStatus);
  ctx.share = cur.share.name;
  return cur;
}

/** The saved filehandle (RENAME, LINK): NOFILEHANDLE when none. */
export function savedFh(ctx: Nfs4Context): CurrentFh {
  if (!ctx.saved) throw new Nfs4Error(Nfs4Status.NOFILEHANDLE);
  return ctx.saved;
}

/** Key of a file in the open-state and lock tables (the same key SMB uses, so locks meet). */
export function fileKeyOf(fh: ShareFh, fileid: number): string {
  return fileKey(fh.share.name, fileid);
}
