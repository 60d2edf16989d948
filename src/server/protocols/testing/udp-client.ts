/** A minimal RPC-over-UDP client for protocol tests: one datagram per call, replies matched by xid. */
import { createSocket, type Socket } from 'node:dgram';
import { callMessage, type CallSpec } from './rpc-client.ts';

export class RpcUdpTestClient {
  private readonly waiting = new Map<number, (reply: Buffer) => void>();
  /** Datagrams that answer no call of ours (e.g. the server's own calls), in arrival order. */
  readonly unmatched: Buffer[] = [];

  private constructor(
    readonly socket: Socket,
    private readonly port: number,
    private readonly host: string,
  ) {
    socket.on('message', (msg: Buffer) => {
      const resolve = msg.length >= 4 ? this.waiting.get(msg.readUInt32BE(0)) : undefined;
      if (!resolve) return void this.unmatched.push(msg);
      this.waiting.delete(msg.readUInt32BE(0));
      resolve(msg);
    });
  }

  static async open(port: number, host = '127.0.0.1'): Promise<RpcUdpTestClient> {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => socket.bind(0, host, resolve));
    return new RpcUdpTestClient(socket, port, host);
  }

  /** Sends one datagram as is. */
  send(datagram: Buffer): void {
    this.socket.send(datagram, this.port, this.host);
  }

  /** Sends a call and resolves with the reply datagram; rejects after `timeoutMs` without one. */
  call(spec: CallSpec, timeoutMs = 2000): Promise<Buffer> {
    const reply = this.expect(spec.xid, timeoutMs);
    this.send(callMessage(spec));
    return reply;
  }

  /** Resolves with the next datagram carrying `xid`. */
  expect(xid: number, timeoutMs = 2000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(xid);
        reject(new Error(`no reply to xid ${xid} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(xid, (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
    });
  }

  close(): void {
    this.socket.close();
  }
}
