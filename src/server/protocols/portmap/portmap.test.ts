import { runProcedure } from '../testing/run-procedure.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtocolAdapter } from '../../runtime/types.ts';
import type { RpcCall, RpcProcedure } from '../rpc/program.ts';
import { testRuntime } from '../testing/test-runtime.ts';
import { hex } from '../testing/hex.ts';
import { RpcTestClient } from '../testing/rpc-client.ts';
import { RpcUdpTestClient } from '../testing/udp-client.ts';
import { XdrReader } from '../xdr/reader.ts';
import { createPortmapAdapter } from './adapter.ts';
import { IPPROTO_TCP, IPPROTO_UDP, universalAddress, type PortMapping } from './mappings.ts';
import { decodeMapping, pmapV2Program } from './pmap2.ts';
import { rpcbindProgram } from './rpcbind.ts';

const MAPPINGS: PortMapping[] = [
  { prog: 100000, vers: 2, prot: IPPROTO_TCP, port: 111 },
  { prog: 100003, vers: 3, prot: IPPROTO_TCP, port: 12049 },
  { prog: 100021, vers: 4, prot: IPPROTO_UDP, port: 12050 },
];

const call = {
  session: { clientAddr: '127.0.0.1', clientPort: 700, localAddr: '127.0.0.1', localPort: 111, shares: new Set() },
} as RpcCall;

const run = <A, R>(p: RpcProcedure<A, R> | undefined, args: Buffer): Promise<Buffer> => runProcedure(p, args, call);

describe('PMAP v2', () => {
  const prog = pmapV2Program(() => MAPPINGS);

  it('GETPORT decodes a mapping and answers the port', async () => {
    const args = hex(`
      000186a3   # prog 100003
      00000003   # vers 3
      00000006   # prot TCP
      00000000   # port (ignored)
    `);
    expect(decodeMapping(new XdrReader(args))).toEqual({ prog: 100003, vers: 3, prot: 6, port: 0 });
    expect(await run(prog.procedures[3], args)).toEqual(hex('00002f11 # port 12049'));
    const udp = hex('000186a3 00000003 00000011 00000000 # NFS v3 over UDP');
    expect(await run(prog.procedures[3], udp)).toEqual(hex('00000000 # not registered'));
  });

  it('DUMP lists the mappings', async () => {
    expect(await run(prog.procedures[4], Buffer.alloc(0))).toEqual(
      hex(`
        00000001 000186a0 00000002 00000006 0000006f   # more, portmap v2 tcp 111
        00000001 000186a3 00000003 00000006 00002f11   # more, nfs v3 tcp 12049
        00000001 000186b5 00000004 00000011 00002f12   # more, nlm v4 udp 12050
        00000000                                       # end
      `),
    );
  });

  it('refuses SET', async () => {
    expect(await run(prog.procedures[1], hex('000186a3 00000003 00000006 00000801'))).toEqual(hex('00000000 # FALSE'));
  });
});

describe('RPCBIND v4', () => {
  const prog = rpcbindProgram(4, () => MAPPINGS);

  it('GETADDR answers a universal address', async () => {
    const args = hex(`
      000186a3             # r_prog 100003
      00000003             # r_vers 3
      00000003 74637000    # r_netid "tcp"
      00000000             # r_addr ""
      00000000             # r_owner ""
    `);
    expect(await run(prog.procedures[3], args)).toEqual(
      hex('0000000f 3132372e302e302e312e34372e3137 00 # "127.0.0.1.47.17"'),
    );
    const missing = hex('000186a5 00000003 00000003 74637000 00000000 00000000 # MOUNT: not registered');
    expect(await run(prog.procedures[3], missing)).toEqual(hex('00000000 # ""'));
    const nlmUdp = hex('000186b5 00000004 00000003 75647000 00000000 00000000 # NLM v4 "udp"');
    expect(await run(prog.procedures[3], nlmUdp)).toEqual(
      hex('0000000f 3132372e302e302e312e34372e3138 00 # "127.0.0.1.47.18"'),
    );
    const nfsUdp = hex('000186a3 00000003 00000003 75647000 00000000 00000000 # NFS v3 "udp": not served');
    expect(await run(prog.procedures[3], nfsUdp)).toEqual(hex('00000000 # ""'));
  });

  it('DUMP names each mapping with its netid', async () => {
    const out = new XdrReader(await run(prog.procedures[4], Buffer.alloc(0)));
    const netids: string[] = [];
    while (out.bool()) {
      out.opaqueFixed(8); // prog, vers
      netids.push(out.string(16));
      out.string(64); // r_addr
      out.string(64); // r_owner
    }
    expect(netids).toEqual(['tcp', 'tcp', 'udp']);
  });

  it('formats universal addresses', () => {
    expect(universalAddress('127.0.0.1', 2049)).toBe('127.0.0.1.8.1');
  });
});

describe('portmap adapter', () => {
  let adapter: ProtocolAdapter;
  beforeAll(async () => {
    const rt = await testRuntime();
    adapter = createPortmapAdapter({ bind: '127.0.0.1', port: 0, settings: { nfsPort: 2049 } }, rt);
    await adapter.serve();
  });
  afterAll(() => adapter.stop(1000));

  it('answers GETPORT for NFS and MOUNT over TCP', async () => {
    const c = await RpcTestClient.connect(adapter.port);
    const nfs = await c.call({
      xid: 1,
      prog: 100000,
      vers: 2,
      proc: 3,
      args: hex('000186a3 00000003 00000006 00000000'),
    });
    expect(nfs.readUInt32BE(nfs.length - 4)).toBe(2049);
    const mount = await c.call({
      xid: 2,
      prog: 100000,
      vers: 2,
      proc: 3,
      args: hex('000186a5 00000003 00000006 00000000'),
    });
    expect(mount.readUInt32BE(mount.length - 4)).toBe(2049);
    const self = await c.call({
      xid: 3,
      prog: 100000,
      vers: 2,
      proc: 3,
      args: hex('000186a0 00000002 00000006 00000000'),
    });
    expect(self.readUInt32BE(self.length - 4)).toBe(adapter.port);
    c.close();
  });

  it('answers over UDP on the same port number: NLM and NSM over UDP, NFS and MOUNT over TCP only', async () => {
    const c = await RpcUdpTestClient.open(adapter.port);
    try {
      const getport = async (xid: number, args: string) => {
        const reply = await c.call({ xid, prog: 100000, vers: 2, proc: 3, args: hex(args) });
        return reply.readUInt32BE(reply.length - 4);
      };
      expect(await getport(1, '000186b5 00000004 00000011 00000000 # NLM v4 udp')).toBe(2049);
      expect(await getport(2, '000186b8 00000001 00000011 00000000 # NSM v1 udp')).toBe(2049);
      expect(await getport(3, '000186a0 00000002 00000011 00000000 # portmap udp')).toBe(adapter.port);
      expect(await getport(4, '000186a3 00000003 00000011 00000000 # NFS v3 udp')).toBe(0);
      expect(await getport(5, '000186b5 00000004 00000006 00000000 # NLM v4 tcp')).toBe(2049);
    } finally {
      c.close();
    }
  });

  it('with a live port source, names the port NFS has now, and none while NFS is stopped', async () => {
    let nfsPort: number | undefined = 12049;
    const live = createPortmapAdapter({ bind: '127.0.0.1', port: 0, settings: {} }, await testRuntime(), () =>
      nfsPort === undefined ? undefined : { port: nfsPort },
    );
    await live.serve();
    const c = await RpcTestClient.connect(live.port);
    const getport = async (xid: number) => {
      const reply = await c.call({
        xid,
        prog: 100000,
        vers: 2,
        proc: 3,
        args: hex('000186a3 00000003 00000006 00000000'),
      });
      return reply.readUInt32BE(reply.length - 4);
    };
    try {
      expect(await getport(1)).toBe(12049);
      nfsPort = 20049;
      expect(await getport(2)).toBe(20049);
      nfsPort = undefined;
      expect(await getport(3)).toBe(0);
    } finally {
      c.close();
      await live.stop(1000);
    }
  });
});
