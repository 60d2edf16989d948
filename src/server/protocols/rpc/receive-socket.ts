/**
 * Reads an accepted socket straight into memory the caller provides (Node's `onread`
 * socket option) instead of a fresh 64 KiB buffer per read: at NAS speeds that is tens of
 * thousands of allocations a second, and the garbage collections they set off cost more
 * CPU than the copies. Node takes `onread` only when a Socket is constructed and net.Server
 * constructs accepted sockets itself, so the accepted socket's handle (the server must
 * pause on connect, so nothing was read yet) moves into a new Socket that reads this way.
 */
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';

export interface ReceiveInto {
  /** Where the next read puts its bytes. */
  buffer: () => Buffer;
  /** `n` bytes arrived in the last buffer. */
  received: (n: number) => void;
}

/** The new socket, or undefined where the handle is not reachable: then read `accepted` as usual. */
export function adoptReadingInto(accepted: Socket, into: ReceiveInto): Socket | undefined {
  const internal = accepted as unknown as { _handle?: unknown };
  const handle = internal._handle;
  if (handle === null || typeof handle !== 'object') return undefined;
  // Destroyed without its handle, the old socket only settles the server's bookkeeping.
  internal._handle = null;
  accepted.destroy();
  const options: SocketConstructorOpts & { handle: unknown; onread: OnReadOpts } = {
    handle,
    allowHalfOpen: true,
    readable: true,
    writable: true,
    onread: {
      buffer: into.buffer,
      callback: (n) => {
        into.received(n);
        return true;
      },
    },
  };
  return new Socket(options);
}
