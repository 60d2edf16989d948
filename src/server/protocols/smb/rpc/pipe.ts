/**
 * A named pipe on IPC$ (MS-SMB2 §3.3.5.9 with a pipe name): the client writes DCE/RPC
 * PDUs and reads the replies, by WRITE / READ or one IOCTL FSCTL_PIPE_TRANSCEIVE.
 * Only `srvsvc` is served.
 */
import type { SmbServerContext } from '../handler.ts';
import { handlePdu, type RpcInterface } from './dcerpc.ts';
import { srvsvc } from './srvsvc.ts';

export class PipeEndpoint {
  private output = Buffer.alloc(0);
  private readonly bound = { contexts: new Set<number>() };

  constructor(
    private readonly endpoint: string,
    private readonly iface: RpcInterface,
  ) {}

  write(data: Buffer): void {
    const reply = handlePdu(data, this.endpoint, this.iface, this.bound);
    if (reply) this.output = Buffer.concat([this.output, reply]);
  }

  /** Up to `max` bytes of pending replies, or undefined when there are none. */
  read(max: number): Buffer | undefined {
    if (this.output.length === 0) return undefined;
    const out = this.output.subarray(0, max);
    this.output = this.output.subarray(out.length);
    return out;
  }

  /** Bytes still waiting after a read (BUFFER_OVERFLOW tells the client to read on). */
  get pending(): number {
    return this.output.length;
  }
}

export function openPipe(name: string, server: SmbServerContext): PipeEndpoint | undefined {
  if (name.toLowerCase() === 'srvsvc') return new PipeEndpoint('\\PIPE\\srvsvc', srvsvc(server.runtime.shares));
  return undefined;
}
