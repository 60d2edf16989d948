/**
 * RFC 7530 §15.2 / §16.2 COMPOUND: operations run in order against one context until one
 * fails; the reply holds the results up to and including the failing one. Arguments are
 * decoded as each operation comes up, so an operation after a failure is neither decoded
 * nor run; an unknown operation number answers OP_ILLEGAL (as ILLEGAL) and ends the list.
 */
import type { ProtocolRuntime } from '../../../runtime/types.ts';
import type { RpcCall, RpcProcedure } from '../../rpc/program.ts';
import { XdrReader } from '../../xdr/reader.ts';
import type { XdrWriter } from '../../xdr/writer.ts';
import { Nfs4Status, NFS4_MAXTAG, NFS4_MAX_OPS, Op } from './constants.ts';
import type { Nfs4Context, Nfs4Server } from './context.ts';
import { Nfs4Error, nfs4StatusOf } from './errors.ts';
import type { Nfs4Op } from './handler.ts';
import { illegal } from './handlers/illegal.ts';

export interface CompoundArgs {
  tag: Buffer;
  minorVersion: number;
  numOps: number;
  /** The operations, still encoded: a view into the request. */
  ops: Buffer;
}

export interface OpResult {
  op: number;
  status: number;
  handler: Nfs4Op | undefined;
  res: unknown;
}

export interface CompoundRes {
  status: number;
  tag: Buffer;
  results: OpResult[];
}

export function decodeCompoundArgs(r: XdrReader): CompoundArgs {
  const tag = r.opaque(NFS4_MAXTAG);
  const minorVersion = r.u32();
  const numOps = r.u32();
  return { tag: Buffer.from(tag), minorVersion, numOps, ops: r.opaqueFixed(r.remaining) };
}

/** The operation table, indexed by nfs_opnum4. */
export type OpTable = ReadonlyArray<Nfs4Op<unknown, unknown> | undefined>;

export async function runCompound(
  server: Nfs4Server,
  table: OpTable,
  call: RpcCall,
  args: CompoundArgs,
): Promise<CompoundRes> {
  const results: OpResult[] = [];
  const reply = (status: number): CompoundRes => ({ status, tag: args.tag, results });
  if (args.minorVersion !== 0) return reply(Nfs4Status.MINOR_VERS_MISMATCH);
  if (args.numOps > NFS4_MAX_OPS) return reply(Nfs4Status.RESOURCE);
  const ctx: Nfs4Context = {
    server,
    call,
    auth: call.auth,
    current: undefined,
    saved: undefined,
    share: undefined,
    bytesRead: 0,
    bytesWritten: 0,
  };
  const r = new XdrReader(args.ops);
  for (let i = 0; i < args.numOps; i++) {
    const opnum = r.u32();
    if (!r.ok) return reply(Nfs4Status.BADXDR);
    const known = table[opnum];
    const handler = known ?? (illegal as Nfs4Op);
    const opArgs = handler.decode(r);
    const result: OpResult = { op: known ? opnum : Op.ILLEGAL, status: Nfs4Status.OK, handler, res: undefined };
    results.push(result);
    const start = performance.now();
    ctx.bytesRead = ctx.bytesWritten = 0;
    if (!r.ok) {
      result.status = Nfs4Status.BADXDR;
    } else {
      try {
        result.res = await handler.run(ctx, opArgs);
      } catch (err) {
        result.status = nfs4StatusOf(err);
        if (err instanceof Nfs4Error) result.res = err.detail;
        if (result.status === Nfs4Status.SERVERFAULT) {
          server.runtime.logger.error({ err, op: handler.name, client: call.session.clientAddr }, 'NFSv4 op fault');
        }
      }
    }
    record(server.runtime, call, ctx, handler.name, result.status, performance.now() - start);
    if (result.status !== Nfs4Status.OK) return reply(result.status);
  }
  return reply(Nfs4Status.OK);
}

function record(rt: ProtocolRuntime, call: RpcCall, ctx: Nfs4Context, op: string, status: number, ms: number) {
  rt.mounts.record({
    protocol: 'nfs4',
    op,
    share: ctx.share,
    clientAddr: call.session.clientAddr,
    bytesRead: ctx.bytesRead,
    bytesWritten: ctx.bytesWritten,
    latencyMs: ms,
    status: status === 0 ? 'ok' : String(status),
  });
}

export function encodeCompoundRes(w: XdrWriter, res: CompoundRes): Buffer | undefined {
  w.u32(res.status).opaque(res.tag).u32(res.results.length);
  let bulk: Buffer | undefined;
  res.results.forEach((r, i) => {
    w.u32(r.op).u32(r.status);
    if (r.status === Nfs4Status.OK) bulk = r.handler?.encode(w, r.res, i === res.results.length - 1) ?? undefined;
    else r.handler?.encodeFailure?.(w, r.status, r.res);
  });
  return bulk;
}

export function compoundProcedure(server: Nfs4Server, table: OpTable): RpcProcedure<CompoundArgs, CompoundRes> {
  return {
    name: 'COMPOUND',
    nonIdempotent: true,
    decode: decodeCompoundArgs,
    run: (call, args) => runCompound(server, table, call, args),
    encode: encodeCompoundRes,
  };
}
