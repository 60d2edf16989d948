/**
 * RFC 7530 §15.2 / §16.2 COMPOUND: operations run in order against one context until one
 * fails; the reply holds the results up to and including the failing one. Arguments are
 * decoded as each operation comes up, so an operation after a failure is neither decoded
 * nor run; an unknown operation number answers OP_ILLEGAL (as ILLEGAL) and ends the list.
 * Each minor version has its own table. From NFSv4.1 on (RFC 8881 §2.10.6, §18.46.3) a
 * COMPOUND starts with SEQUENCE, or is a single session-management operation; SEQUENCE
 * takes a slot, and a retry on the slot is answered from its reply cache without running.
 */
import type { ProtocolRuntime } from '../../../runtime/types.ts';
import type { RpcCall, RpcProcedure } from '../../rpc/program.ts';
import { XdrReader } from '../../xdr/reader.ts';
import { XdrWriter, xdrPadding } from '../../xdr/writer.ts';
import { Nfs4Status, NFS4_MAXTAG, NFS4_MAX_OPS, Op } from './constants.ts';
import type { Nfs4Context, Nfs4Server } from './context.ts';
import { Nfs4Error, nfs4StatusOf } from './errors.ts';
import type { Nfs4Op } from './handler.ts';
import { illegal } from './handlers/illegal.ts';
import { sessionOrderStatus } from './session-order.ts';

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
  /** A reply from the slot reply cache: its bytes, sent as they are. */
  encoded?: Buffer;
}

export function decodeCompoundArgs(r: XdrReader): CompoundArgs {
  const tag = r.opaque(NFS4_MAXTAG);
  const minorVersion = r.u32();
  const numOps = r.u32();
  return { tag: Buffer.from(tag), minorVersion, numOps, ops: r.opaqueFixed(r.remaining) };
}

/** The operation table, indexed by nfs_opnum4. */
export type OpTable = ReadonlyArray<Nfs4Op<unknown, unknown> | undefined>;
/** One operation table per minor version, indexed by minor version. */
export type OpTables = ReadonlyArray<OpTable>;

export async function runCompound(
  server: Nfs4Server,
  tables: OpTables,
  call: RpcCall,
  args: CompoundArgs,
): Promise<CompoundRes> {
  const minor = args.minorVersion;
  const table = tables[minor];
  const { min, max } = server.minorVersions;
  if (!table || minor < min || minor > max)
    return { status: Nfs4Status.MINOR_VERS_MISMATCH, tag: args.tag, results: [] };
  const ctx: Nfs4Context = {
    server,
    call,
    auth: call.auth,
    minorVersion: minor,
    request: args.ops,
    slot: undefined,
    current: undefined,
    saved: undefined,
    share: undefined,
    bytesRead: 0,
    bytesWritten: 0,
  };
  let res: CompoundRes | undefined;
  try {
    res = await runOps(ctx, table, args);
    return res;
  } finally {
    if (ctx.slot) server.state.sessions.finish(ctx.slot, cacheable(ctx, res));
  }
}

/**
 * The reply as the slot keeps it: encoded now, as results may hold views into request
 * buffers that are reused; not kept when the client did not ask (sa_cachethis) or when it
 * is larger than the session's ca_maxresponsesize_cached (a retry then gets
 * RETRY_UNCACHED_REP).
 */
function cacheable(ctx: Nfs4Context, res: CompoundRes | undefined): CompoundRes | undefined {
  if (!res || ctx.slot?.kind !== 'new' || !ctx.slot.cache) return undefined;
  const w = new XdrWriter(4096);
  const bulk = encodeCompoundRes(w, res);
  const head = w.finish();
  const encoded = bulk ? Buffer.concat([head, bulk, xdrPadding(bulk.length)]) : Buffer.from(head);
  if (encoded.length > ctx.slot.session.fore.maxResponseSizeCached) return undefined;
  const results = res.results.map((r) => ({ ...r, res: undefined }));
  return { status: res.status, tag: res.tag, results, encoded };
}

async function runOps(ctx: Nfs4Context, table: OpTable, args: CompoundArgs): Promise<CompoundRes> {
  const { server, call } = ctx;
  const results: OpResult[] = [];
  const reply = (status: number): CompoundRes => ({ status, tag: args.tag, results });
  if (args.numOps > NFS4_MAX_OPS) return reply(ctx.minorVersion > 0 ? Nfs4Status.TOO_MANY_OPS : Nfs4Status.RESOURCE);
  const r = new XdrReader(args.ops);
  for (let i = 0; i < args.numOps; i++) {
    const opnum = r.u32();
    if (!r.ok) return reply(Nfs4Status.BADXDR);
    const known = table[opnum];
    const handler = known ?? (illegal as Nfs4Op);
    const result: OpResult = { op: known ? opnum : Op.ILLEGAL, status: Nfs4Status.OK, handler, res: undefined };
    results.push(result);
    const outOfOrder = known && ctx.minorVersion > 0 ? sessionOrderStatus(i, opnum, args.numOps) : Nfs4Status.OK;
    if (outOfOrder !== Nfs4Status.OK) {
      result.status = outOfOrder;
      return reply(outOfOrder);
    }
    const opArgs = handler.decode(r);
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
    // A retry on the slot: the first reply, as it was (RFC 8881 §2.10.6.1.1).
    if (ctx.slot?.kind === 'replay') return ctx.slot.reply as CompoundRes;
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
  if (res.encoded) return void w.opaqueFixed(res.encoded); // a multiple of four bytes: no padding
  w.u32(res.status).opaque(res.tag).u32(res.results.length);
  let bulk: Buffer | undefined;
  res.results.forEach((r, i) => {
    w.u32(r.op).u32(r.status);
    if (r.status === Nfs4Status.OK) bulk = r.handler?.encode(w, r.res, i === res.results.length - 1) ?? undefined;
    else r.handler?.encodeFailure?.(w, r.status, r.res);
  });
  return bulk;
}

export function compoundProcedure(server: Nfs4Server, tables: OpTables): RpcProcedure<CompoundArgs, CompoundRes> {
  return {
    name: 'COMPOUND',
    nonIdempotent: true,
    decode: decodeCompoundArgs,
    run: (call, args) => runCompound(server, tables, call, args),
    encode: encodeCompoundRes,
  };
}
