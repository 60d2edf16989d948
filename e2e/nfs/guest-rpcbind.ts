// The kernel-client guest's own rpcbind, run on the host for e2e/nfs/kernel-locks.test.ts.
// A Linux NFSv3 client with locking registers its lockd with the rpcbind on its own
// loopback (refused registration = no lockd = no mount) and finds its statd there; the
// busybox guest runs neither, so its 127.0.0.1:111 is relayed here. Registrations are
// accepted and remembered; statd (100024) is answered with `statdPort`, where the guest
// relays to the server's NSM. PMAP v2 and RPCBIND v3/v4, TCP, AUTH_NULL replies.
import net from 'node:net';

const PMAP_PROG = 100000;
const SM_PROG = 100024;
const LAST_FRAGMENT = 0x80000000;

export interface GuestRpcbind {
  port: number;
  /** Registrations seen (prog/vers), for the test's diagnostics. */
  registered: () => string[];
  close: () => Promise<void>;
}

class Reader {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  u32(): number {
    const v = this.b.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  opaque(): Buffer {
    const n = this.u32();
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += (n + 3) & ~3;
    return v;
  }
}

const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};

function xdrString(s: string): Buffer {
  const data = Buffer.from(s);
  return Buffer.concat([u32(data.length), data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
}

export function startGuestRpcbind(statdPort: number): Promise<GuestRpcbind> {
  const ports = new Map<string, number>([[`${SM_PROG}/1`, statdPort]]);
  const seen: string[] = [];

  /** The results of one call, or undefined for PROC_UNAVAIL. */
  function answer(vers: number, proc: number, r: Reader): Buffer | undefined {
    if (proc === 0) return Buffer.alloc(0);
    if (vers === 2) {
      const [prog, pvers, , port] = [r.u32(), r.u32(), r.u32(), r.u32()];
      if (proc === 1) ports.set(`${prog}/${pvers}`, port); // SET
      if (proc === 1 || proc === 2) return u32(1);
      if (proc === 3) return u32(ports.get(`${prog}/${pvers}`) ?? 0); // GETPORT
      if (proc === 4) return u32(0); // DUMP: empty list
      return undefined;
    }
    // RPCBIND v3/v4: rpcb { prog, vers, netid, addr, owner }
    const prog = r.u32();
    const pvers = r.u32();
    r.opaque();
    const addr = r.opaque().toString();
    if (proc === 1) {
      seen.push(`${prog}/${pvers}`);
      const parts = addr.split('.');
      if (parts.length >= 6) ports.set(`${prog}/${pvers}`, Number(parts[4]) * 256 + Number(parts[5]));
      return u32(1);
    }
    if (proc === 2) return u32(1);
    if (proc === 3 || proc === 9) {
      // GETADDR / GETVERSADDR
      const port = ports.get(`${prog}/${pvers}`);
      return xdrString(port === undefined ? '' : `127.0.0.1.${port >> 8}.${port & 0xff}`);
    }
    return undefined;
  }

  function reply(record: Buffer): Buffer | undefined {
    const r = new Reader(record);
    const xid = r.u32();
    if (r.u32() !== 0) return undefined; // not a CALL
    r.u32(); // rpcvers
    const prog = r.u32();
    const vers = r.u32();
    const proc = r.u32();
    r.u32();
    r.opaque(); // credential
    r.u32();
    r.opaque(); // verifier
    const results = prog === PMAP_PROG ? answer(vers, proc, r) : undefined;
    const acceptStat = prog !== PMAP_PROG ? 1 : results === undefined ? 3 : 0; // PROG_UNAVAIL / PROC_UNAVAIL
    const body = Buffer.concat([u32(xid), u32(1), u32(0), u32(0), u32(0), u32(acceptStat), results ?? Buffer.alloc(0)]);
    return Buffer.concat([u32(LAST_FRAGMENT | body.length), body]);
  }

  const server = net.createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const len = pending.readUInt32BE(0) & ~LAST_FRAGMENT;
        if (pending.length < 4 + len) break;
        const out = reply(pending.subarray(4, 4 + len));
        pending = pending.subarray(4 + len);
        if (out) socket.write(out);
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        registered: () => [...seen],
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
