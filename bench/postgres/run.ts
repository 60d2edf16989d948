/**
 * Metadata on PostgreSQL next to SQLite, through one dfs instance over NFSv3 (issue 16):
 * CREATE + WRITE 4 KiB + COMMIT per file, and stat (LOOKUP with attributes of random names
 * among --entries files), with bench/nfs/nfsbench.c (libnfs async raw RPC, --depth requests
 * in flight). One `dfs start` serves three shares: /export on its default SQLite metadata
 * store and /pg on a PostgreSQL metadata store (a fresh database on the server of
 * ../shared/PEERS.md, 127.0.0.1:5432, dropped afterwards), both with their blocks in the
 * default filesystem payload store, so only the metadata store differs; and /cluster, the
 * share several instances can serve: PostgreSQL metadata and a shared S3 store (s3rver,
 * its block index in PostgreSQL), where a COMMIT waits for S3 (docs/cluster.md).
 *
 *   npm run bench:postgres [-- --seconds 5 --depth 16 --entries 2000 --rounds 3 --instances 2 --json out.json]
 *
 * --instances 2: a second dfs on the same PostgreSQL (control plane and metadata, as a
 * cluster, docs/cluster.md) serves /pg and /cluster too, and each round ends with both
 * tests on each through both instances at once (one client each, in its own directory):
 * the sum of the two against one instance alone.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { S3rver } from '../../src/server/payload/stores/s3/testing/s3rver.ts';
import { createTestDatabase } from '../../src/server/postgres/testing/database.ts';
import { adminClient } from '../../e2e/helpers/api.ts';
import { startDfs, type DfsProcess } from '../../e2e/helpers/dfs.ts';
import { buildLibnfsProgram } from '../../e2e/nfs/target.ts';

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    depth: { type: 'string', default: '16' },
    entries: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '1' },
    instances: { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});

interface Figure {
  test: 'creates' | 'stat';
  key: string;
  label: string;
  unit: string;
  higherIsBetter: boolean;
}

const FIGURES: Figure[] = [
  {
    test: 'creates',
    key: 'create_write_commit_per_s',
    label: 'CREATE + WRITE 4 KiB + COMMIT',
    unit: 'files/s',
    higherIsBetter: true,
  },
  { test: 'stat', key: 'stat_per_s', label: 'stat (LOOKUP + GETATTR)', unit: 'files/s', higherIsBetter: true },
  { test: 'stat', key: 'stat_lat_p50_us', label: 'stat p50 latency', unit: 'us', higherIsBetter: false },
  { test: 'stat', key: 'stat_lat_p99_us', label: 'stat p99 latency', unit: 'us', higherIsBetter: false },
];

const SHARES = [
  { store: 'sqlite', exportPath: '/export' },
  { store: 'postgres', exportPath: '/pg' },
  { store: 'postgres+s3', exportPath: '/cluster' },
] as const;
/** A share's figures through two instances at once, summed, are kept under its store name with this suffix. */
const TWO = ' x2';

function nfsbench(
  bin: string,
  args: string[],
): Promise<{ code: number; output: string; results: Record<string, number> }> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('close', (code) => {
      const results: Record<string, number> = {};
      for (const line of output.split('\n')) {
        const m = /^result (\S+) ([\d.]+)/.exec(line);
        if (m) results[m[1]!] = Number(m[2]);
      }
      resolve({ code: code ?? 1, output, results });
    });
  });
}

const median = (xs: number[]): number | undefined => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};

/** One nfsbench run of `test` on `exportPath` through `dfs`; its results. */
async function measure(
  bin: string,
  dfs: DfsProcess,
  exportPath: string,
  test: 'creates' | 'stat',
  dir: string,
  label: string,
): Promise<Record<string, number>> {
  const r = await nfsbench(bin, [
    ...['--nfsport', String(dfs.nfsPort), '--mountport', String(dfs.mountPort), '--export', exportPath],
    ...['--test', test, '--dir', dir, '--seconds', opt.seconds, '--depth', opt.depth, '--entries', opt.entries],
  ]);
  process.stderr.write(`${label} ${test}: ${r.output.trim().split('\n').join('\n  ')}\n`);
  if (r.code !== 0) throw new Error(`nfsbench ${test} on ${exportPath} failed:\n${r.output}`);
  return r.results;
}

async function main(): Promise<number> {
  const bin = buildLibnfsProgram('bench/nfs/nfsbench.c', 'nfsbench');
  const instances = Number(opt.instances);
  if (instances !== 1 && instances !== 2) throw new Error('--instances is 1 or 2');
  const db = await createTestDatabase();
  const s3 = await S3rver.start();
  // A cluster's instances share their control plane (shares, stores) in PostgreSQL too.
  const controlPlane = instances > 1 ? await createTestDatabase() : undefined;
  const env: Record<string, string> = controlPlane ? { DITTOFS_CONTROLPLANE_DATABASE: controlPlane.url } : {};
  const servers: DfsProcess[] = [];
  const figures: Record<string, Record<string, number[]>> = {};
  const record = (store: string, results: Record<string, number>) => {
    for (const [k, v] of Object.entries(results)) ((figures[store] ??= {})[k] ??= []).push(v);
  };
  try {
    const dfs = await startDfs({ env });
    servers.push(dfs);
    const api = await adminClient(dfs);
    await api.call('shares.update', { params: { name: '/export' }, body: { squash: 'none' } });
    await api.call('stores.metadata.create', { body: { name: 'pg', type: 'postgres', config: { url: db.url } } });
    await api.call('shares.create', {
      body: { name: '/pg', metadataStore: 'pg', payloadStore: 'default-payload', squash: 'none' },
    });
    const bucket = await s3.bucket('bench');
    await api.call('stores.payload.create', {
      body: { name: 'cloud', type: 's3', config: { ...bucket, blockIndex: { url: db.url } } },
    });
    await api.call('shares.create', {
      body: { name: '/cluster', metadataStore: 'pg', payloadStore: 'cloud', squash: 'none' },
    });
    // The second instance finds the store and the share in the shared control plane.
    if (instances > 1) servers.push(await startDfs({ env }));
    for (let round = 0; round < Number(opt.rounds); round++) {
      for (const test of ['creates', 'stat'] as const) {
        for (const share of SHARES) {
          record(share.store, await measure(bin, dfs, share.exportPath, test, 'nfsbench', share.store));
        }
        if (servers.length < 2) continue;
        for (const share of SHARES.slice(1)) {
          const both = await Promise.all(
            servers.map((s, i) =>
              measure(bin, s, share.exportPath, test, `nfsbench-${i}`, `${share.store}${TWO} (instance ${i + 1})`),
            ),
          );
          const sum: Record<string, number> = {};
          for (const results of both) for (const [k, v] of Object.entries(results)) sum[k] = (sum[k] ?? 0) + v;
          // Latencies are averaged over the instances, rates added up.
          for (const k of Object.keys(sum)) if (k.includes('_lat_')) sum[k]! /= both.length;
          record(`${share.store}${TWO}`, sum);
        }
      }
    }
  } finally {
    for (const s of servers.reverse()) await s.stop();
    await db.drop();
    await controlPlane?.drop();
    await s3.remove();
  }
  process.stdout.write(report(figures, instances));
  if (opt.json) writeFileSync(opt.json, JSON.stringify(figures, null, 2));
  return 0;
}

/** The markdown table: each share through one instance (and through two at once), and the ratios. */
function report(figures: Record<string, Record<string, number[]>>, instances: number): string {
  const at = (store: string, f: Figure) => median(figures[store]?.[f.key] ?? []);
  const fmt = (v: number | undefined, f: Figure) =>
    v === undefined ? '-' : `${Math.round(v).toLocaleString('en-US')} ${f.unit}`;
  const ratio = (a: number | undefined, b: number | undefined) =>
    a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}x` : '-';
  const two = instances > 1;
  const columns: { head: string; cell: (f: Figure) => string }[] = SHARES.map((share) => ({
    head: share.store,
    cell: (f) => fmt(at(share.store, f), f),
  }));
  for (const share of SHARES.slice(1)) {
    columns.push({ head: `${share.store}/sqlite`, cell: (f) => ratio(at(share.store, f), at('sqlite', f)) });
  }
  if (two) {
    for (const share of SHARES.slice(1)) {
      const name = `${share.store}${TWO}`;
      columns.push({ head: `${share.store}, 2 instances at once`, cell: (f) => fmt(at(name, f), f) });
      columns.push({ head: '2 instances/1', cell: (f) => ratio(at(name, f), at(share.store, f)) });
    }
  }
  return [
    `| figure | ${columns.map((c) => c.head).join(' | ')} |`,
    `| --- |${' ---: |'.repeat(columns.length)}`,
    ...FIGURES.map((f) => `| ${f.label} | ${columns.map((c) => c.cell(f)).join(' | ')} |`),
    '',
    `client: bench/nfs/nfsbench.c, ${opt.depth} requests in flight${two ? ' per instance' : ''}, ${opt.seconds} s per figure, stat over ${opt.entries} files; ${instances} dfs on 127.0.0.1, PostgreSQL on 127.0.0.1:5432, s3rver on 127.0.0.1; latency ratios: lower is better; median of ${opt.rounds} round(s)${two ? '; 2 instances: rates summed, latencies averaged' : ''}.`,
    '',
  ].join('\n');
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  },
);
