/**
 * RPC over UDP (RFC 5531 §11 leaves the transport open; no record marking on datagrams):
 * one datagram is one call, its reply one datagram to the sender's address and port from
 * the same socket. Clients that insist on UDP for NLM, NSM and the portmapper (macOS's
 * lockd, `rpcinfo -u`) use it. Calls run concurrently up to `maxInFlight`; a datagram past
 * that, a datagram over `maxDatagramSize` and anything that is not an RPC call are dropped
 * with a debug line (a UDP client retransmits; nothing is owed). The server never sends to
 * an address that did not send to it.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Logger } from 'pino';
import type { DispatchOutcome, RpcDispatcher } from './dispatcher.ts';
import { RECORD_MARK_BYTES } from './message.ts';
import { UdpPeer } from './udp-peer.ts';

/** NLM, NSM and portmap calls fit easily: names and handles are at most 1 KiB each (XNFS LM_MAXSTRLEN). */
export const DEFAULT_MAX_DATAGRAM_BYTES = 8 * 1024;
/** The largest UDP payload over IPv4 (65535 - 8 UDP - 20 IP header bytes). */
const MAX_UDP_PAYLOAD = 65_507;
/** Senders remembered at once (their awaited replies); the oldest is forgotten first. */
const MAX_PEERS = 1024;

export interface RpcUdpServerOptions {
  bind: string;
  /** Largest datagram accepted (default DEFAULT_MAX_DATAGRAM_BYTES); checked before decoding. */
  maxDatagramSize?: number;
  /** Calls running at once, all senders together. */
  maxInFlight: number;
  logger: Logger;
}

export class RpcUdpServer {
  private socket: Socket | undefined;
  private boundPort = 0;
  private readonly peers = new Map<string, UdpPeer>();
  private inFlight = 0;
  private stopping = false;
  private idle: (() => void) | undefined;
  private readonly maxDatagramSize: number;
  private readonly log: Logger;

  constructor(
    private readonly dispatcher: RpcDispatcher,
    private readonly opts: RpcUdpServerOptions,
  ) {
    this.maxDatagramSize = opts.maxDatagramSize ?? DEFAULT_MAX_DATAGRAM_BYTES;
    this.log = opts.logger.child({ transport: 'udp' });
  }

  get port(): number {
    return this.boundPort;
  }

  /** Binds `port` (0 picks a free one) on the bind address; rejects when it is taken. */
  listen(port: number): Promise<void> {
    const socket = createSocket({ type: this.opts.bind.includes(':') ? 'udp6' : 'udp4' });
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        reject(err);
      };
      socket.once('error', onError);
      socket.bind(port, this.opts.bind || undefined, () => {
        socket.off('error', onError);
        socket.on('error', (err) => this.log.error({ err }, 'UDP socket error'));
        socket.on('message', this.onMessage);
        this.socket = socket;
        this.boundPort = socket.address().port;
        this.log.info({ bind: this.opts.bind, port: this.boundPort }, 'listening');
        resolve();
      });
    });
  }

  /** Stops taking datagrams, waits up to `deadlineMs` for running calls to reply, then closes. */
  async stop(deadlineMs: number): Promise<void> {
    this.stopping = true;
    if (this.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idle = resolve;
        timer = setTimeout(resolve, Math.max(0, deadlineMs));
      });
      clearTimeout(timer);
    }
    const socket = this.socket;
    this.socket = undefined;
    this.peers.clear();
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private readonly onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    if (this.stopping) return;
    if (msg.length > this.maxDatagramSize) {
      this.log.debug(
        { client: rinfo.address, bytes: msg.length, limit: this.maxDatagramSize },
        'datagram too large: dropped',
      );
      return;
    }
    if (this.inFlight >= this.opts.maxInFlight) {
      this.log.debug({ client: rinfo.address, inFlight: this.inFlight }, 'too many calls running: datagram dropped');
      return;
    }
    const peer = this.peerOf(rinfo);
    this.inFlight++;
    let out: Promise<DispatchOutcome> | DispatchOutcome;
    try {
      out = this.dispatcher.dispatch(msg, peer);
    } catch (err) {
      // The dispatcher answers bad input itself; this is a fault of ours, and costs one datagram.
      this.log.error({ err, client: peer.clientAddr }, 'RPC dispatch failed: datagram dropped');
      return this.settle();
    }
    if (out instanceof Promise) void out.then((reply) => this.deliver(peer, reply));
    else this.deliver(peer, out);
  };

  private peerOf(rinfo: RemoteInfo): UdpPeer {
    const key = `${rinfo.address}|${rinfo.port}`;
    let peer = this.peers.get(key);
    if (peer) return peer;
    peer = new UdpPeer(rinfo.address, rinfo.port, this.opts.bind, this.boundPort, this.send);
    if (this.peers.size >= MAX_PEERS) this.peers.delete(this.peers.keys().next().value as string);
    this.peers.set(key, peer);
    return peer;
  }

  /** A call counts as running until its reply has left: stop closes the socket only then. */
  private deliver(peer: UdpPeer, out: DispatchOutcome): void {
    if (out === 'ignore') return this.settle();
    if (out === 'close') {
      this.log.debug({ client: peer.clientAddr }, 'datagram is not an RPC call: dropped');
      return this.settle();
    }
    const { chunks, sent } = out;
    // Replies are sealed for TCP: a datagram carries no record mark.
    const datagram = chunks.map((c, i) => (i === 0 ? c.subarray(RECORD_MARK_BYTES) : c));
    this.send(peer, datagram, () => {
      sent?.();
      this.settle();
    });
  }

  private readonly send = (peer: UdpPeer, chunks: readonly Buffer[], sent?: () => void): void => {
    const socket = this.socket;
    let bytes = 0;
    for (const c of chunks) bytes += c.length;
    if (!socket || bytes > MAX_UDP_PAYLOAD) {
      if (socket) this.log.warn({ client: peer.clientAddr, bytes }, 'reply too large for a datagram: dropped');
      sent?.();
      return;
    }
    try {
      socket.send(chunks, peer.clientPort, peer.sendAddr, (err) => {
        if (err) this.log.debug({ err, client: peer.clientAddr }, 'datagram not sent');
        sent?.();
      });
    } catch (err) {
      // A socket closing under us: the datagram is lost, as UDP may lose it anyway.
      this.log.debug({ err, client: peer.clientAddr }, 'datagram not sent');
      sent?.();
    }
  };

  private settle(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.idle) {
      const resolve = this.idle;
      this.idle = undefined;
      resolve();
    }
  }
}
