// What idle and stalled connections cost a `dfs` with its default limits: the server's
// resident memory (VmRSS) idle, with many idle connections, and with many connections each
// stalled in the middle of a record as large as the server accepts. Not run in CI.
//
//   node --import tsx bench/nfs/connections.ts [--connections 1000] [--stalled 100]
//                                              [--per-address 25] [--watch 10]
//
// Connections come from several loopback addresses (127.0.1.n, --per-address from each),
// so the per-client limit does not decide everything. Each connection is probed with an
// RPC NULL call: "served" ones answered it, "refused" ones were closed by the server.
// Stalled connections send a record header declaring maxRecordSize bytes and all of its
// body but the last byte; VmRSS is sampled for --watch seconds and the peak printed.
// Extra DITTOFS_* variables in the environment are passed to dfs (to compare settings).
import { parseArgs } from 'node:util';
import { startDfs } from '../../e2e/helpers/dfs.ts';
import { clientAddress, openFrom, probe, rssKiB, stallRecord, type RawConnection } from '../../e2e/helpers/raw-rpc.ts';

const { values: opt } = parseArgs({
  options: {
    connections: { type: 'string', default: '1000' },
    stalled: { type: 'string', default: '100' },
    'per-address': { type: 'string', default: '25' },
    watch: { type: 'string', default: '10' },
  },
});
const perAddress = Number(opt['per-address']);
/** The config default (src/server/config/schema.ts), unless set in the environment. */
const maxRecordSize = Number(process.env.DITTOFS_NFS_MAX_RECORD_SIZE ?? 4 * 1024 * 1024 + 64 * 1024);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;

/** Opens `n` connections, `perAddress` from each address; refused ones fail to connect or are closed. */
async function openMany(port: number, n: number): Promise<(RawConnection | undefined)[]> {
  const out: (RawConnection | undefined)[] = [];
  for (let i = 0; i < n; i++)
    out.push(await openFrom(port, clientAddress(1 + Math.floor(i / perAddress))).catch(() => undefined));
  return out;
}

async function classify(conns: (RawConnection | undefined)[]): Promise<Record<string, number>> {
  const outcomes = await Promise.all(conns.map((c) => (c ? probe(c) : 'closed')));
  const count = (o: string): number => outcomes.filter((x) => x === o).length;
  return { served: count('served'), refused: count('closed'), silent: count('no answer') };
}

const live = (conns: (RawConnection | undefined)[]): RawConnection[] =>
  conns.filter((c): c is RawConnection => c !== undefined);

async function main(): Promise<void> {
  const dfs = await startDfs();
  try {
    await sleep(3000);
    const idle = rssKiB(dfs.pid);
    console.log(`idle:                          VmRSS ${mib(idle)}`);

    const attempts = Number(opt.connections);
    const conns = await openMany(dfs.nfsPort, attempts);
    const seen = await classify(conns);
    await sleep(2000);
    console.log(
      `${attempts} idle connection attempts: VmRSS ${mib(rssKiB(dfs.pid))} ` +
        `(served ${seen.served}, refused ${seen.refused}, no answer ${seen.silent})`,
    );
    for (const c of live(conns)) c.socket.destroy();
    await Promise.all(live(conns).map((c) => c.closed));
    await sleep(2000);
    console.log(`after closing them:            VmRSS ${mib(rssKiB(dfs.pid))}`);

    const stalled = live(await openMany(dfs.nfsPort, Number(opt.stalled)));
    for (const c of stalled) stallRecord(c, maxRecordSize, maxRecordSize - 1);
    let peak = rssKiB(dfs.pid);
    const watchMs = Number(opt.watch) * 1000;
    for (let t = 0; t < watchMs; t += 200) {
      await sleep(200);
      peak = Math.max(peak, rssKiB(dfs.pid));
    }
    const open = stalled.filter((c) => !c.isClosed()).length;
    console.log(
      `${stalled.length} stalled ${maxRecordSize}-byte records: peak VmRSS ${mib(peak)} over ${opt.watch} s ` +
        `(${open} still open, ${stalled.length - open} closed by the server)`,
    );
    for (const c of stalled) c.socket.destroy();
  } finally {
    await dfs.stop();
  }
}

await main();
