/** A minimal RPC-over-TCP client for protocol tests: builds calls, matches replies by xid. */
import { connect, type Socket } from 'node:net';
import { LAST_FRAGMENT } from '../rpc/constants.ts';
import { RecordDecoder } from '../rpc/record.ts';
import { XdrReader } from '../xdr/reader.ts';
import { XdrWriter } from '../xdr/writer.ts';

export interface CallSpec {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  /** AUTH_SYS identity; AUTH_NULL when omitted. */
  sys?: { uid: number; gid: number; gids?: number[]; machinename?: string };
  args?: Buffer;
}

/** The call message (without record mark). */
export function callMessage(c: CallSpec): Buffer {
  const w = new XdrWriter(1024);
  w.u32(c.xid).u32(0).u32(2).u32(c.prog).u32(c.vers).u32(c.proc);
  if (c.sys) {
    const body = new XdrWriter(512);
    body
      .u32(0)
      .string(c.sys.machinename ?? 'client')
      .u32(c.sys.uid)
      .u32(c.sys.gid)
      .u32(c.sys.gids?.length ?? 0);
    for (const g of c.sys.gids ?? []) body.u32(g);
    w.u32(1).opaque(body.finish());
  } else {
    w.u32(0).u32(0);
  }
  w.u32(0).u32(0);
  if (c.args) w.opaqueFixed(c.args);
  return Buffer.from(w.finish());
}

/** A message framed as one last fragment. */
export function frame(message: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE((LAST_FRAGMENT | message.length) >>> 0);
  return Buffer.concat([h, message]);
}

export class RpcTestClient {
  private readonly decoder = new RecordDecoder(64 * 1024 * 1024);
  private readonly waiting = new Map<number, (reply: Buffer) => void>();
  /** Replies nobody waited for, in arrival order. */
  readonly unmatched: Buffer[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let r = this.decoder.next(); r; r = this.decoder.next()) {
        const xid = r.readUInt32BE(0);
        const resolve = this.waiting.get(xid);
        this.waiting.delete(xid);
        if (resolve) resolve(r);
        else this.unmatched.push(r);
      }
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Connects from `localAddress` when given (any 127.x.y.z address is this machine's). */
  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<RpcTestClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host, localAddress }, () => resolve(new RpcTestClient(s)));
      s.once('error', reject);
    });
  }

  /** Sends a framed call and resolves with the reply record. */
  call(spec: CallSpec): Promise<Buffer> {
    const reply = this.expect(spec.xid);
    this.socket.write(frame(callMessage(spec)));
    return reply;
  }

  /** Resolves with the reply carrying `xid`. */
  expect(xid: number): Promise<Buffer> {
    return new Promise((resolve) => this.waiting.set(xid, resolve));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A parsed reply: accept_stat (or 100 + reject_stat for MSG_DENIED) and a reader at the results. */
export function parseReply(reply: Buffer): { xid: number; stat: number; body: XdrReader } {
  const r = new XdrReader(reply);
  const xid = r.u32();
  r.u32(); // REPLY
  if (r.u32() === 1) return { xid, stat: 100 + r.u32(), body: r };
  r.u32();
  r.opaque(400);
  return { xid, stat: r.u32(), body: r };
}
