// NLM and NSM over UDP (the transport macOS's lockd insists on), with real clients we did
// not write: rpcinfo (TI-RPC, Debian's rpcbind package) dumps dfs's portmapper and pings NLM
// v4 and NSM v1 over UDP through it; a C program on libnfs's raw NLM API
// (e2e/nfs/nlm-udp-client.c) takes, tests and releases locks over UDP as two client hosts,
// on the port the portmapper names; a flood of junk datagrams leaves the server serving.
// dfs runs in a network namespace of its own (helpers/netns.ts) with its portmapper on 111,
// where rpcinfo asks, so nothing on the host or in other tests is in the way.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { inNetnsOf, NETNS, NETNS_LAUNCHER } from '../helpers/netns.ts';
import { LIBNFS_DEV, RPCINFO, unmet } from '../helpers/requirements.ts';
import { removeTmpDir } from '../helpers/tmp.ts';
import { buildLibnfsProgram, failLines, run, tail, type RunResult } from './target.ts';

const NLM = '100021';
const NSM = '100024';

/** `rpcinfo -p` rows: program, version, protocol, port. */
function portmapRows(output: string): string[][] {
  return [...output.matchAll(/^\s*(\d+)\s+(\d+)\s+(tcp|udp)\s+(\d+)/gm)].map((m) => m.slice(1, 5));
}

describe.skipIf(unmet(LIBNFS_DEV, RPCINFO, NETNS) !== null)('NLM and NSM over UDP (rpcinfo, libnfs)', () => {
  let dfs: DfsProcess | undefined;
  let client = '';

  beforeAll(async () => {
    client = buildLibnfsProgram('e2e/nfs/nlm-udp-client.c', 'nlm-udp-client');
    dfs = await startDfs({
      launcher: NETNS_LAUNCHER,
      env: { DITTOFS_NFS_PORTMAPPER_ENABLED: 'true', DITTOFS_NFS_PORTMAPPER_PORT: '111' },
    });
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
    if (client) removeTmpDir(path.dirname(client));
  });

  /** Runs a command in dfs's network namespace. */
  const inDfsNet = (cmd: string, args: string[], timeoutMs = 30_000): Promise<RunResult> =>
    run(...inNetnsOf(dfs!.pid, cmd, args), timeoutMs);
  const context = (r: RunResult) => `exit ${r.code}\n${r.output}\n--- dfs log (tail) ---\n${tail(dfs!.logs())}`;

  it('rpcinfo -p: NLM and NSM over UDP on the NFS port number, the portmapper over UDP on 111, NFS over TCP only', async () => {
    const r = await inDfsNet('rpcinfo', ['-p', '127.0.0.1']);
    expect(r.code, context(r)).toBe(0);
    const rows = portmapRows(r.output);
    const nfsPort = String(dfs!.nfsPort);
    for (const row of [
      [NLM, '4', 'udp', nfsPort],
      [NSM, '1', 'udp', nfsPort],
      [NLM, '4', 'tcp', nfsPort],
      ['100000', '2', 'udp', '111'],
      ['100000', '2', 'tcp', '111'],
      ['100003', '3', 'tcp', nfsPort],
    ])
      expect(rows, context(r)).toContainEqual(row);
    expect(rows.filter(([prog, , prot]) => prog === '100003' && prot === 'udp')).toEqual([]);
  });

  it('rpcinfo -u finds NLM v4 and NSM v1 through the portmapper over UDP and pings them; NFS is not offered there', async () => {
    for (const [prog, vers] of [
      [NLM, '4'],
      [NSM, '1'],
    ] as const) {
      const r = await inDfsNet('rpcinfo', ['-u', '127.0.0.1', prog, vers]);
      expect(r.code, context(r)).toBe(0);
      expect(r.output, context(r)).toContain(`program ${prog} version ${vers} ready and waiting`);
    }
    const nfs = await inDfsNet('rpcinfo', ['-u', '127.0.0.1', '100003', '3']);
    expect(nfs.code, context(nfs)).not.toBe(0);
    expect(nfs.output, context(nfs)).toMatch(/not registered|Program not available/i);
  });

  it('libnfs: LOCK, TEST, conflicting LOCK, UNLOCK over UDP as two hosts, on the port the portmapper names', async () => {
    const dump = await inDfsNet('rpcinfo', ['-p', '127.0.0.1']);
    const nlmUdp = portmapRows(dump.output).find(
      ([prog, vers, prot]) => prog === NLM && vers === '4' && prot === 'udp',
    );
    expect(nlmUdp, context(dump)).toBeDefined();
    const args = ['--nfsport', String(dfs!.nfsPort), '--mountport', String(dfs!.mountPort), '--export', '/export'];
    const r = await inDfsNet(client, [...args, '--nlmport', nlmUdp![3] as string], 60_000);
    expect(failLines(r.output), context(r)).toEqual([]);
    expect(r.code, context(r)).toBe(0);
    expect(r.output, context(r)).toMatch(/# summary: 12 ok, 0 failed/);
  });

  it('junk datagrams to the NLM and portmapper UDP ports are dropped; both keep answering', async () => {
    // 2000 datagrams of random content, some shaped like calls, some over the 8 KiB limit, from node in the namespace.
    const flood = `
      const s = require('node:dgram').createSocket('udp4');
      const ports = [${dfs!.nfsPort}, 111];
      let n = 0;
      const next = () => {
        if (n === 2000) return s.close();
        const b = require('node:crypto').randomBytes(n % 7 === 0 ? 9000 : (n * 37) % 300);
        if (n % 3 === 0 && b.length >= 8) b.writeUInt32BE(0, 4); // msg_type CALL
        s.send(b, ports[n++ % 2], '127.0.0.1', next);
      };
      next();`;
    const sent = await inDfsNet(process.execPath, ['-e', flood]);
    expect(sent.code, context(sent)).toBe(0);
    const ping = await inDfsNet('rpcinfo', ['-u', '127.0.0.1', NLM, '4']);
    expect(ping.output, context(ping)).toContain(`program ${NLM} version 4 ready and waiting`);
    const dump = await inDfsNet('rpcinfo', ['-p', '127.0.0.1']);
    expect(dump.code, context(dump)).toBe(0);
    expect(dfs!.logs(), 'no error lines').not.toMatch(/"level":50/);
  });
});
