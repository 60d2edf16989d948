/**
 * One sender of RPC datagrams (address and port): the RpcSession of the UDP transport. A
 * call of ours (an NLM *_RES answering a *_MSG call) goes back to that same address and
 * port from the server's socket, never anywhere else.
 */
import { isWildcard, localAddressToward, plainAddress } from './address.ts';
import { AwaitedReplies, CALL_HEADER_BYTES, writeNullAuthCall } from './outgoing-calls.ts';
import type { RpcSession } from './program.ts';

/** Sends one datagram made of `chunks` to a peer; `sent` runs once it left (or was dropped). */
export type SendDatagram = (peer: UdpPeer, chunks: readonly Buffer[], sent?: () => void) => void;

export class UdpPeer implements RpcSession {
  readonly clientAddr: string;
  /** Shares are a connection's; a datagram sender has none to disconnect. */
  readonly shares = new Set<string>();
  private readonly awaitedReplies = new AwaitedReplies();
  private local: string | undefined;

  constructor(
    /** The sender's address as the socket reported it (IPv4-mapped on a dual-stack socket): replies go there. */
    readonly sendAddr: string,
    readonly clientPort: number,
    private readonly boundAddr: string,
    readonly localPort: number,
    private readonly send: SendDatagram,
  ) {
    this.clientAddr = plainAddress(sendAddr);
  }

  /** The server address the client sent to: the bound one, or the best guess on a wildcard bind. */
  get localAddr(): string {
    this.local ??= isWildcard(this.boundAddr) ? localAddressToward(this.clientAddr) : plainAddress(this.boundAddr);
    return this.local;
  }

  sendCall(prog: number, vers: number, proc: number, args: Buffer): void {
    const head = Buffer.alloc(CALL_HEADER_BYTES);
    writeNullAuthCall(head, 0, this.awaitedReplies.next(), prog, vers, proc);
    this.send(this, [head, args]);
  }

  takeReply(xid: number): boolean {
    return this.awaitedReplies.take(xid);
  }
}
