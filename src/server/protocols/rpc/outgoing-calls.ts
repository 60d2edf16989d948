/**
 * Calls the server sends to a client on the client's own transport (NLM *_RES answering a
 * *_MSG call): the call header, and the xids whose replies are expected so the dispatcher
 * can tell those replies from garbage. Shared by the TCP connection and the UDP peer.
 */
import { randomInt } from 'node:crypto';
import { AuthFlavor, MsgType, RPC_VERSION } from './constants.ts';

/** A call header with AUTH_NULL credential and verifier: xid, type, rpcvers, prog, vers, proc, cred, verf. */
export const CALL_HEADER_BYTES = 40;

/** Writes the header of a call of ours at `offset` of `buf`. */
export function writeNullAuthCall(
  buf: Buffer,
  offset: number,
  xid: number,
  prog: number,
  vers: number,
  proc: number,
): void {
  const words = [xid, MsgType.CALL, RPC_VERSION, prog, vers, proc, AuthFlavor.AUTH_NULL, 0, AuthFlavor.AUTH_NULL, 0];
  for (let i = 0; i < words.length; i++) buf.writeUInt32BE(words[i] as number, offset + 4 * i);
}

/** Replies expected at once per peer; a client that never answers must not grow the set. */
const MAX_AWAITED_REPLIES = 64;

/** The xids of our calls to one peer whose replies have not come yet. */
export class AwaitedReplies {
  private readonly xids = new Set<number>();

  /** A fresh xid for a call, remembered (the oldest expectation goes first when full). */
  next(): number {
    const xid = randomInt(0x100000000);
    if (this.xids.size >= MAX_AWAITED_REPLIES) this.xids.delete(this.xids.values().next().value as number);
    this.xids.add(xid);
    return xid;
  }

  /** True once for an xid of ours: the reply carrying it is expected. */
  take(xid: number): boolean {
    return this.xids.delete(xid);
  }
}
