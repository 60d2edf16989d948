/**
 * The NFSv3 handler contract and its adapter to the RPC dispatch table. A handler decodes
 * its arguments, calls MetadataOps / PayloadOps and returns a typed result; failures are
 * thrown (DittoError) and become the procedure's status with an empty failure body. The
 * wrapper resolves the share from the request's handle, applies the export's client rules,
 * maps errors to nfsstat3 and records per-op counters.
 */
import type { AuthContext, FileHandle } from '../../../metadata/types.ts';
import type { ProtocolRuntime } from '../../../runtime/types.ts';
import { isDittoError, nfs3StatusOf } from '../../../../shared/errors.ts';
import type { RpcCall, RpcProcedure } from '../../rpc/program.ts';
import { admitHandle } from '../admission.ts';
import type { XdrReader } from '../../xdr/reader.ts';
import type { XdrWriter } from '../../xdr/writer.ts';
import type { Nfs3Result } from './codec/results.ts';
import { NFS3_VERFSIZE } from './constants.ts';

/** Per-call state a handler works with. */
export interface Nfs3Context {
  readonly runtime: ProtocolRuntime;
  readonly auth: AuthContext;
  /** Share of the request's target handle. */
  readonly share: string;
  /** Write verifier (8 bytes): changes when the server restarts. */
  readonly verifier: Buffer;
  /** Payload bytes moved, for the counters. */
  bytesRead: number;
  bytesWritten: number;
}

export interface Nfs3Handler<A, R extends Nfs3Result> {
  readonly name: string;
  /** Retransmissions are answered from the duplicate request cache. */
  readonly nonIdempotent?: boolean;
  decode(r: XdrReader): A;
  /** The handle whose share the call works on. */
  target(args: A): FileHandle;
  run(ctx: Nfs3Context, args: A): Promise<R>;
  /** Writes status and body; may return bulk data to send after it (READ). */
  encode(w: XdrWriter, res: R, fsid: number): Buffer | undefined;
  /** The reply to `res` is written (or dropped): memory lent to it may be reused. */
  sent?(res: R): void;
}

/** What the RPC layer holds between run and encode. */
export interface Nfs3Outcome<R> {
  res: R;
  fsid: number;
}

/** The 8-byte form of the boot verifier. */
export function writeVerifier(bootVerifier: Buffer): Buffer {
  const v = Buffer.alloc(NFS3_VERFSIZE);
  bootVerifier.copy(v, 0, 0, NFS3_VERFSIZE);
  return v;
}

export function nfs3Procedure<A, R extends Nfs3Result>(
  h: Nfs3Handler<A, R>,
  runtime: ProtocolRuntime,
  verifier: Buffer,
): RpcProcedure<A, Nfs3Outcome<R>> {
  const log = runtime.logger;
  return {
    name: h.name,
    nonIdempotent: h.nonIdempotent,
    decode: h.decode,
    async run(call: RpcCall, args: A): Promise<Nfs3Outcome<R>> {
      const start = performance.now();
      const clientAddr = call.session.clientAddr;
      let share: string | undefined;
      let fsid = 0;
      let res: R;
      let status = 'ok';
      const ctx = { runtime, auth: call.auth, share: '', verifier, bytesRead: 0, bytesWritten: 0 };
      try {
        const info = admitHandle(runtime, call, h.target(args));
        share = ctx.share = info.name;
        fsid = info.id;
        res = await h.run(ctx, args);
      } catch (err) {
        if (isDittoError(err)) {
          status = err.code;
          log.debug({ op: h.name, client: clientAddr, code: err.code, msg: err.message }, 'NFS call failed');
        } else {
          status = 'SERVER_FAULT';
          log.error({ err, op: h.name, client: clientAddr, share }, 'NFS handler fault');
        }
        // Failure bodies hold only optional attributes, so the bare status is a complete R.
        res = { status: nfs3StatusOf(err) } as R;
      }
      runtime.mounts.record({
        protocol: 'nfs3',
        op: h.name,
        share,
        clientAddr,
        bytesRead: ctx.bytesRead,
        bytesWritten: ctx.bytesWritten,
        latencyMs: performance.now() - start,
        status,
      });
      return { res, fsid };
    },
    encode: (w, out) => h.encode(w, out.res, out.fsid),
    sent: h.sent && ((out) => h.sent?.(out.res)),
  };
}
