/**
 * Metadata on PostgreSQL next to SQLite, through one dfs instance over NFSv3 (issue 16):
 * CREATE + WRITE 4 KiB + COMMIT per file, and stat (LOOKUP with attributes of random names
 * among --entries files), with bench/nfs/nfsbench.c (libnfs async raw RPC, --depth requests
 * in flight). One `dfs start` serves both shares: /export on its default SQLite metadata
 * store and /pg on a PostgreSQL metadata store (a fresh database on the server of
 * ../shared/PEERS.md, 127.0.0.1:5432, dropped afterwards); both keep their blocks in the
 * default filesystem payload store, so only the metadata store differs.
 *
 *   npm run bench:postgres [-- --seconds 5 --depth 16 --entries 2000 --rounds 3 --json out.json]
 *
 * Through two instances at once waits for shared payload (S3 through the offloader): see
 * docs/cluster.md.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createTestDatabase } from '../../src/server/postgres/testing/database.ts';
import { adminClient } from '../../e2e/helpers/api.ts';
import { startDfs } from '../../e2e/helpers/dfs.ts';
import { buildLibnfsProgram } from '../../e2e/nfs/target.ts';

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    depth: { type: 'string', default: '16' },
    entries: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '1' },
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
] as const;

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

async function main(): Promise<number> {
  const bin = buildLibnfsProgram('bench/nfs/nfsbench.c', 'nfsbench');
  const db = await createTestDatabase();
  const dfs = await startDfs();
  const figures: Record<string, Record<string, number[]>> = {};
  try {
    const api = await adminClient(dfs);
    await api.call('shares.update', { params: { name: '/export' }, body: { squash: 'none' } });
    await api.call('stores.metadata.create', { body: { name: 'pg', type: 'postgres', config: { url: db.url } } });
    await api.call('shares.create', {
      body: { name: '/pg', metadataStore: 'pg', payloadStore: 'default-payload', squash: 'none' },
    });
    for (let round = 0; round < Number(opt.rounds); round++) {
      for (const test of ['creates', 'stat'] as const) {
        for (const share of SHARES) {
          const r = await nfsbench(bin, [
            '--nfsport',
            String(dfs.nfsPort),
            '--mountport',
            String(dfs.mountPort),
            '--export',
            share.exportPath,
            '--test',
            test,
            '--seconds',
            opt.seconds,
            '--depth',
            opt.depth,
            '--entries',
            opt.entries,
          ]);
          process.stderr.write(`${share.store} ${test}: ${r.output.trim().split('\n').join('\n  ')}\n`);
          if (r.code !== 0) throw new Error(`nfsbench ${test} on ${share.exportPath} failed:\n${r.output}`);
          for (const [k, v] of Object.entries(r.results)) ((figures[share.store] ??= {})[k] ??= []).push(v);
        }
      }
    }
  } finally {
    await dfs.stop();
    await db.drop();
  }
  const rows = FIGURES.map((f) => {
    const s = median(figures['sqlite']?.[f.key] ?? []);
    const p = median(figures['postgres']?.[f.key] ?? []);
    const ratio = s !== undefined && p !== undefined && s > 0 ? `${(p / s).toFixed(2)}x` : '-';
    const fmt = (v: number | undefined) =>
      v === undefined ? '-' : `${Math.round(v).toLocaleString('en-US')} ${f.unit}`;
    return `| ${f.label} | ${fmt(s)} | ${fmt(p)} | ${ratio}${f.higherIsBetter ? '' : ' (lower is better)'} |`;
  });
  process.stdout.write(
    [
      '| figure | SQLite | PostgreSQL | PostgreSQL/SQLite |',
      '| --- | ---: | ---: | ---: |',
      ...rows,
      '',
      `client: bench/nfs/nfsbench.c, ${opt.depth} requests in flight, ${opt.seconds} s per figure, stat over ${opt.entries} files; one dfs on 127.0.0.1, PostgreSQL on 127.0.0.1:5432; median of ${opt.rounds} round(s).`,
      '',
    ].join('\n'),
  );
  if (opt.json) writeFileSync(opt.json, JSON.stringify(figures, null, 2));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  },
);
