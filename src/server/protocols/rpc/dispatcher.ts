/**
 * The RPC call dispatcher (RFC 5531 §9): one record in, one reply out. Checks the RPC
 * version and credential, finds program / version / procedure, decodes arguments, runs the
 * procedure and encodes every outcome, including each RPC-level error. Sans-I/O: the
 * connection layer frames and writes.
 */
import type { Logger } from 'pino';
import type { LogLimiter } from '../../logging/log-limiter.ts';
import { XdrReader } from '../xdr/reader.ts';
import { XdrWriter } from '../xdr/writer.ts';
import { authContextOf, decodeCredential } from './auth.ts';
import { AcceptStat, AuthFlavor, AuthStat, RPC_VERSION } from './constants.ts';
import { DuplicateRequestCache } from './drc.ts';
import { decodeCallHeader, writeAccepted, writeAuthError, writeProgMismatch, writeRpcMismatch } from './message.ts';
import type { RpcCall, RpcProcedure, RpcProgram, RpcSession } from './program.ts';
import { sealRecord } from './record.ts';

/** Chunks to write in order, and what to call once they are written (or dropped). */
export interface RpcReply {
  chunks: Buffer[];
  sent?: () => void;
}

/**
 * The reply; 'close' when the input is not an RPC call at all (a reply to no call of ours
 * included), 'ignore' for a reply to a call of ours.
 */
export type DispatchOutcome = RpcReply | 'close' | 'ignore';

export interface DispatcherOptions {
  logger: Logger;
  /** For the lines a client can cause (malformed calls). */
  warnings: LogLimiter;
  /** Cache for non-idempotent procedures; none when omitted. */
  drc?: DuplicateRequestCache;
  /** When false, AUTH_NULL calls other than procedure 0 are refused with AUTH_TOOWEAK. */
  allowAuthNull: boolean;
}

interface Versions {
  low: number;
  high: number;
  byVersion: Map<number, RpcProgram>;
}

export class RpcDispatcher {
  private readonly programs = new Map<number, Versions>();
  private readonly reader = new XdrReader();
  private readonly writer = new XdrWriter();

  constructor(
    programs: readonly RpcProgram[],
    private readonly opts: DispatcherOptions,
  ) {
    for (const p of programs) {
      let v = this.programs.get(p.prog);
      if (!v) {
        v = { low: p.vers, high: p.vers, byVersion: new Map() };
        this.programs.set(p.prog, v);
      }
      v.low = Math.min(v.low, p.vers);
      v.high = Math.max(v.high, p.vers);
      v.byVersion.set(p.vers, p);
    }
  }

  /** Handles one complete record from `session`. Never rejects. */
  dispatch(record: Buffer, session: RpcSession): Promise<DispatchOutcome> | DispatchOutcome {
    const r = this.reader.reset(record);
    const w = this.writer;
    const h = decodeCallHeader(r);
    if ('error' in h) {
      switch (h.error) {
        case 'not-call':
          return 'close';
        case 'reply':
          return session.takeReply?.(h.xid) ? 'ignore' : 'close';
        case 'header':
          this.malformed(session, 'rpc-header', {}, 'malformed RPC call header');
          return this.accepted(h.xid, AcceptStat.GARBAGE_ARGS);
        case 'cred':
          this.malformed(session, 'rpc-cred', {}, 'malformed RPC credential');
          return this.authError(h.xid, AuthStat.AUTH_BADCRED);
        case 'verf':
          this.malformed(session, 'rpc-verf', {}, 'malformed RPC verifier');
          return this.authError(h.xid, AuthStat.AUTH_BADVERF);
      }
    }
    if (h.rpcvers !== RPC_VERSION) {
      writeRpcMismatch(w, h.xid);
      return { chunks: sealRecord(w, undefined) };
    }
    const cred = decodeCredential(h.credFlavor, h.credBody);
    if (typeof cred === 'number') return this.authError(h.xid, cred);
    const versions = this.programs.get(h.prog);
    if (!versions) return this.accepted(h.xid, AcceptStat.PROG_UNAVAIL);
    const program = versions.byVersion.get(h.vers);
    if (!program) {
      writeProgMismatch(w, h.xid, versions.low, versions.high);
      return { chunks: sealRecord(w, undefined) };
    }
    const proc = program.procedures[h.proc];
    if (!proc) return this.accepted(h.xid, AcceptStat.PROC_UNAVAIL);
    if (!this.opts.allowAuthNull && cred.flavor === AuthFlavor.AUTH_NULL && h.proc !== 0) {
      return this.authError(h.xid, AuthStat.AUTH_TOOWEAK);
    }
    const args = proc.decode(r);
    if (!r.ok) {
      this.malformed(session, 'rpc-args', { prog: h.prog, proc: proc.name }, 'malformed procedure arguments');
      return this.accepted(h.xid, AcceptStat.GARBAGE_ARGS);
    }

    const call: RpcCall = {
      xid: h.xid,
      prog: h.prog,
      vers: h.vers,
      proc: h.proc,
      cred,
      auth: authContextOf(cred, session.clientAddr),
      session,
    };
    const drc = proc.nonIdempotent ? this.opts.drc : undefined;
    if (!drc) return this.execute(proc, call, args, undefined);
    const key = DuplicateRequestCache.key(session, h.xid, h.prog, h.vers, h.proc);
    const earlier = drc.lookup(key, record.length);
    if (earlier) return earlier instanceof Promise ? earlier.then((chunks) => ({ chunks })) : { chunks: earlier };
    const reply = this.execute(proc, call, args, key);
    drc.begin(
      key,
      record.length,
      reply.then((r) => r.chunks),
    );
    return reply;
  }

  private async execute(
    proc: RpcProcedure,
    call: RpcCall,
    args: unknown,
    drcKey: string | undefined,
  ): Promise<RpcReply> {
    let res: unknown;
    try {
      res = await proc.run(call, args);
    } catch (err) {
      return this.systemError(call, proc, err, drcKey);
    }
    const w = this.writer;
    let chunks: Buffer[];
    try {
      writeAccepted(w, call.xid, AcceptStat.SUCCESS);
      chunks = sealRecord(w, proc.encode(w, res));
    } catch (err) {
      w.discard();
      proc.sent?.(res);
      return this.systemError(call, proc, err, drcKey);
    }
    if (drcKey !== undefined) this.opts.drc?.complete(drcKey, chunks);
    return { chunks, sent: proc.sent && (() => proc.sent?.(res)) };
  }

  private systemError(call: RpcCall, proc: RpcProcedure, err: unknown, drcKey: string | undefined): RpcReply {
    this.opts.logger.error(
      { err, prog: call.prog, vers: call.vers, proc: proc.name, client: call.session.clientAddr },
      'RPC procedure failed',
    );
    if (drcKey !== undefined) this.opts.drc?.forget(drcKey);
    return this.accepted(call.xid, AcceptStat.SYSTEM_ERR);
  }

  private malformed(session: RpcSession, cause: string, fields: Record<string, unknown>, msg: string): void {
    this.opts.warnings.warn(cause, session.clientAddr, fields, `${msg}: answered with an RPC error`);
  }

  private accepted(xid: number, stat: number): RpcReply {
    writeAccepted(this.writer, xid, stat);
    return { chunks: sealRecord(this.writer, undefined) };
  }

  private authError(xid: number, stat: number): RpcReply {
    writeAuthError(this.writer, xid, stat);
    return { chunks: sealRecord(this.writer, undefined) };
  }
}
