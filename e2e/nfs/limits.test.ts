// The NFS listener's connection limits against a real `dfs` with small limits set through
// DITTOFS_* variables: connections past the total and per-address limits are refused,
// connections stalled in the middle of large records are closed (past the record deadline,
// and those the shared partial-record memory made wait, once admitted), the server's
// resident memory stays bounded meanwhile, idle connections are closed, a healthy `nfs-ls`
// keeps working, and a burst of malformed input logs a bounded number of lines.
// Clients are told apart by their loopback source address (127.0.1.n, 127.0.2.n).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIBNFS_UTILS, unmet } from '../helpers/requirements.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import {
  attempt,
  clientAddress,
  openFrom,
  probe,
  record,
  rssKiB,
  stallRecord,
  type RawConnection,
} from '../helpers/raw-rpc.ts';
import { run, tail } from './target.ts';

const MiB = 1024 * 1024;
/** The config default (4 MiB WRITE plus headers): stalled records are as large as allowed. */
const MAX_RECORD = 4 * MiB + 64 * 1024;
const PER_CLIENT = 8;
const TOTAL = 48;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function nfsLs(dfs: DfsProcess): Promise<{ code: number; output: string }> {
  return run('nfs-ls', [`nfs://127.0.0.1/export?nfsport=${dfs.nfsPort}&mountport=${dfs.mountPort}&version=3`], 60_000);
}

async function metric(dfs: DfsProcess, line: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${dfs.metricsPort}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

function closeAll(conns: RawConnection[]): Promise<void[]> {
  for (const c of conns) c.socket.destroy();
  return Promise.all(conns.map((c) => c.closed));
}

describe.skipIf(unmet(LIBNFS_UTILS) !== null)('NFS connection limits (dfs, raw connections and nfs-ls)', () => {
  let dfs: DfsProcess;
  const ctx = (what: string, output = ''): string => `${what}\n${output}\n--- dfs log (tail) ---\n${tail(dfs.logs())}`;

  beforeAll(async () => {
    dfs = await startDfs({
      env: {
        DITTOFS_NFS_MAX_CONNECTIONS: String(TOTAL),
        DITTOFS_NFS_MAX_CONNECTIONS_PER_CLIENT: String(PER_CLIENT),
        DITTOFS_NFS_RECORD_TIMEOUT_MS: '1000',
        // Two maximum-size records at a time.
        DITTOFS_NFS_MAX_PARTIAL_RECORD_BYTES: String(9 * MiB),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
  });

  it('refuses connections past the per-address and the total limit; nfs-ls works during and after', async () => {
    const held: RawConnection[] = [];
    // Five clients at their limit (40 of 48): each one's next connection is refused.
    for (let client = 1; client <= 5; client++) {
      for (let i = 0; i < PER_CLIENT; i++) {
        const { outcome, conn } = await attempt(dfs.nfsPort, clientAddress(client));
        expect(outcome, ctx(`connection ${i + 1} from client ${client}`)).toBe('served');
        held.push(conn!);
      }
      expect((await attempt(dfs.nfsPort, clientAddress(client))).outcome).toBe('closed');
    }
    const during = await nfsLs(dfs);
    expect(during.code, ctx('nfs-ls with five clients at their limit', during.output)).toBe(0);

    // A sixth client fills the total: a seventh is refused though it has no connection at all.
    for (let i = 0; i < PER_CLIENT; i++) {
      const { outcome, conn } = await attempt(dfs.nfsPort, clientAddress(6));
      expect(outcome).toBe('served');
      held.push(conn!);
    }
    expect((await attempt(dfs.nfsPort, clientAddress(7))).outcome).toBe('closed');

    await closeAll(held);
    await sleep(200);
    const after = await nfsLs(dfs);
    expect(after.code, ctx('nfs-ls after the clients left', after.output)).toBe(0);
    const refused = 'dittofs_connections_refused_total{adapter="nfs",reason=';
    expect(await metric(dfs, `${refused}"max_connections_per_client"}`)).toBe(5);
    expect(await metric(dfs, `${refused}"max_connections"}`)).toBe(1);
  }, 120_000);

  it('closes connections stalled in large records, keeping memory bounded; nfs-ls works during and after', async () => {
    expect((await nfsLs(dfs)).code).toBe(0);
    await sleep(500);
    const before = rssKiB(dfs.pid);
    // 40 connections (5 clients x 8) each send all of a maximum-size record but its last byte:
    // 160 MiB if each kept its record. 9 MiB of partial records are allowed, the rest wait;
    // the buffers of the records closed by the deadline are garbage until V8 collects them,
    // which it does once some 64 MiB of such external memory has piled up.
    const stalled: RawConnection[] = [];
    for (let client = 11; client <= 15; client++)
      for (let i = 0; i < PER_CLIENT; i++) stalled.push(await openFrom(dfs.nfsPort, clientAddress(client)));
    for (const c of stalled) stallRecord(c, MAX_RECORD, MAX_RECORD - 1);

    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKiB(dfs.pid))), 100);
    try {
      await sleep(1500);
      const during = await nfsLs(dfs);
      expect(during.code, ctx('nfs-ls while records are stalled', during.output)).toBe(0);
      // Each is closed once its record is admitted and then not completed within 1 s.
      await Promise.all(stalled.map((c) => c.closed));
    } finally {
      clearInterval(sampler);
    }
    const grewMiB = (peak - before) / 1024;
    expect(grewMiB, ctx(`VmRSS grew by ${grewMiB.toFixed(1)} MiB`)).toBeLessThan(100);
    expect(await metric(dfs, 'dittofs_connections_timed_out_total{adapter="nfs",reason="record"}')).toBe(40);
    expect(await metric(dfs, 'dittofs_record_memory_waits_total{adapter="nfs"}')).toBeGreaterThan(0);
    const after = await nfsLs(dfs);
    expect(after.code, ctx('nfs-ls after the stalled connections', after.output)).toBe(0);
  }, 180_000);

  it('logs a bounded number of lines for a burst of malformed input', async () => {
    const from = '127.0.2.1';
    const mark = dfs.logs().length;
    const malformed = [
      Buffer.from([0xff, 0xff, 0xff, 0xff]), // a fragment header past maxRecordSize
      record(Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])), // a REPLY, not a CALL
    ];
    for (const bytes of malformed) {
      for (let i = 0; i < 200; i++) {
        const conn = await openFrom(dfs.nfsPort, from).catch(() => undefined);
        conn?.socket.write(bytes);
        await conn?.closed;
      }
    }
    // Calls cut short after the xid: answered with GARBAGE_ARGS, the connection kept.
    const garbage = await openFrom(dfs.nfsPort, from);
    for (let i = 0; i < 1000; i++) garbage.socket.write(record(Buffer.from([0, 0, 0, i & 255, 0, 0, 0, 0])));
    expect(await probe(garbage)).toBe('served');
    // Connections past the per-address limit.
    const held = [garbage];
    for (let i = 1; i < PER_CLIENT; i++) held.push(await openFrom(dfs.nfsPort, from));
    for (let i = 0; i < 200; i++) await attempt(dfs.nfsPort, from);
    await closeAll(held);
    await sleep(500);

    const lines = dfs
      .logs()
      .slice(mark)
      .split('\n')
      .filter((l) => /"level":(40|50|60)/.test(l));
    const text = lines.join('\n');
    // 4 causes from one address, 5 lines each a minute; unlimited, one line per record or
    // connection: 1,600.
    expect(lines.length, ctx('warning lines', text)).toBeLessThanOrEqual(20);
    for (const msg of [
      'bad record marking',
      'input is not an RPC call',
      'malformed RPC call header',
      'connection refused: too many connections',
    ])
      expect(text, ctx(`a warning "${msg}"`)).toContain(msg);
    expect((await nfsLs(dfs)).code).toBe(0);
  }, 180_000);
});

describe('NFS idle timeout (dfs)', () => {
  let dfs: DfsProcess;

  beforeAll(async () => {
    dfs = await startDfs({ env: { DITTOFS_NFS_IDLE_TIMEOUT_MS: '2000' } });
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
  });

  it('closes a connection left idle; nfs-ls works after', async () => {
    const conn = await openFrom(dfs.nfsPort);
    expect(await probe(conn)).toBe('served');
    await conn.closed;
    expect(await metric(dfs, 'dittofs_connections_timed_out_total{adapter="nfs",reason="idle"}')).toBe(1);
    expect((await nfsLs(dfs)).code).toBe(0);
  }, 60_000);
});
