// Raw TCP connections to an RPC port, for tests and benchmarks of the listener's limits:
// open one from a chosen loopback address, ask whether the server serves it (an RPC NULL
// call answered) or closed it, and send a record header with part of its body and stall.
import net from 'node:net';
import { readFileSync } from 'node:fs';

const LAST_FRAGMENT = 0x80000000;
const NFS_PROG = 100003;

export interface RawConnection {
  socket: net.Socket;
  /** Resolves once the socket has closed (either side). */
  closed: Promise<void>;
  isClosed: () => boolean;
}

/** Connects to 127.0.0.1:port from `localAddress` (any 127.x.y.z address is this machine's). */
export function openFrom(port: number, localAddress = '127.0.0.1'): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    let closed = false;
    const whenClosed = new Promise<void>((done) =>
      socket.once('close', () => {
        closed = true;
        done();
      }),
    );
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, closed: whenClosed, isClosed: () => closed }));
    void whenClosed.then(() => reject(new Error(`connection from ${localAddress} failed`)));
  });
}

/** One RPC record (a single last fragment). */
export function record(body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE((LAST_FRAGMENT | body.length) >>> 0);
  return Buffer.concat([header, body]);
}

/** An NFSv3 NULL call with AUTH_NULL. */
export function nullCall(xid: number): Buffer {
  const call = Buffer.alloc(40);
  [xid, 0, 2, NFS_PROG, 3, 0, 0, 0, 0, 0].forEach((v, i) => call.writeUInt32BE(v, i * 4));
  return record(call);
}

/**
 * 'served' when the server answers a NULL call on the connection, 'closed' when it closes
 * it instead (a connection refused by a limit is accepted by the kernel, then closed).
 */
export function probe(conn: RawConnection, timeoutMs = 10_000): Promise<'served' | 'closed' | 'no answer'> {
  if (conn.isClosed()) return Promise.resolve('closed');
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish('no answer'), timeoutMs);
    const onData = (): void => finish('served');
    const finish = (outcome: 'served' | 'closed' | 'no answer'): void => {
      clearTimeout(timer);
      conn.socket.off('data', onData);
      resolve(outcome);
    };
    conn.socket.once('data', onData);
    void conn.closed.then(() => finish('closed'));
    conn.socket.write(nullCall(1));
  });
}

/**
 * Opens a connection from `localAddress` and probes it. A connection the server refuses
 * may already fail to connect (the reset arrives first): that counts as 'closed' too.
 */
export async function attempt(
  port: number,
  localAddress: string,
): Promise<{ outcome: 'served' | 'closed' | 'no answer'; conn: RawConnection | undefined }> {
  const conn = await openFrom(port, localAddress).catch(() => undefined);
  return { outcome: conn ? await probe(conn) : 'closed', conn };
}

let filler = Buffer.alloc(0);

/** Sends the header of a `declared`-byte record and `sent` bytes of its body, then nothing more. */
export function stallRecord(conn: RawConnection, declared: number, sent: number): void {
  const header = Buffer.alloc(4);
  header.writeUInt32BE((LAST_FRAGMENT | declared) >>> 0);
  // One shared body buffer: many stalled connections cost the sender no memory each.
  if (filler.length < sent) filler = Buffer.alloc(sent, 0x5a);
  conn.socket.write(header);
  conn.socket.write(filler.subarray(0, sent));
}

/** Resident memory of a process in KiB (VmRSS of /proc/<pid>/status). */
export function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]);
}

/** The `n`-th loopback client address (127.0.1.n), so tests can act as several clients. */
export function clientAddress(n: number): string {
  return `127.0.1.${n}`;
}
