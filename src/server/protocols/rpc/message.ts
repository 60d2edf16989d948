/**
 * RPC message headers (RFC 5531 §9): decoding a call up to its procedure arguments and
 * encoding every kind of reply header. Replies start with a record mark placeholder that
 * `sealRecord` (record.ts) fills in.
 */
import type { XdrReader } from '../xdr/reader.ts';
import type { XdrWriter } from '../xdr/writer.ts';
import { AcceptStat, AuthFlavor, MAX_AUTH_BYTES, MsgType, RejectStat, ReplyStat, RPC_VERSION } from './constants.ts';

export interface CallHeader {
  xid: number;
  rpcvers: number;
  prog: number;
  vers: number;
  proc: number;
  credFlavor: number;
  credBody: Buffer;
  verfFlavor: number;
  verfBody: Buffer;
}

/**
 * What went wrong reading a call header: 'not-call' (no xid or neither CALL nor REPLY:
 * nothing to answer), 'reply' (a client's answer to a call of ours, e.g. an NLM *_RES), 'header' (truncated before the credential), 'cred' / 'verf' (malformed
 * opaque_auth).
 */
export type CallHeaderError = 'not-call' | 'reply' | 'header' | 'cred' | 'verf';

/** Reads `call_body` up to the procedure arguments; the reader is left at the arguments. */
export function decodeCallHeader(r: XdrReader): CallHeader | { error: CallHeaderError; xid: number } {
  const xid = r.u32();
  const mtype = r.u32();
  if (r.ok && mtype === MsgType.REPLY) return { error: 'reply', xid };
  if (!r.ok || mtype !== MsgType.CALL) return { error: 'not-call', xid };
  const rpcvers = r.u32();
  const prog = r.u32();
  const vers = r.u32();
  const proc = r.u32();
  if (!r.ok) return { error: 'header', xid };
  const credFlavor = r.u32();
  const credBody = r.opaque(MAX_AUTH_BYTES);
  if (!r.ok) return { error: 'cred', xid };
  const verfFlavor = r.u32();
  const verfBody = r.opaque(MAX_AUTH_BYTES);
  if (!r.ok) return { error: 'verf', xid };
  return { xid, rpcvers, prog, vers, proc, credFlavor, credBody, verfFlavor, verfBody };
}

/** Size of the record mark placeholder every reply starts with. */
export const RECORD_MARK_BYTES = 4;

function replyStart(w: XdrWriter, xid: number, stat: number): void {
  w.u32(0).u32(xid).u32(MsgType.REPLY).u32(stat);
}

/** MSG_ACCEPTED with an AUTH_NULL verifier and `stat`; SUCCESS results follow it. */
export function writeAccepted(w: XdrWriter, xid: number, stat: number): void {
  replyStart(w, xid, ReplyStat.MSG_ACCEPTED);
  w.u32(AuthFlavor.AUTH_NULL).u32(0).u32(stat);
}

/** PROG_MISMATCH with the lowest and highest supported versions. */
export function writeProgMismatch(w: XdrWriter, xid: number, low: number, high: number): void {
  writeAccepted(w, xid, AcceptStat.PROG_MISMATCH);
  w.u32(low).u32(high);
}

/** MSG_DENIED / RPC_MISMATCH: only RPC version 2 is spoken. */
export function writeRpcMismatch(w: XdrWriter, xid: number): void {
  replyStart(w, xid, ReplyStat.MSG_DENIED);
  w.u32(RejectStat.RPC_MISMATCH).u32(RPC_VERSION).u32(RPC_VERSION);
}

/** MSG_DENIED / AUTH_ERROR with an auth_stat. */
export function writeAuthError(w: XdrWriter, xid: number, authStat: number): void {
  replyStart(w, xid, ReplyStat.MSG_DENIED);
  w.u32(RejectStat.AUTH_ERROR).u32(authStat);
}
