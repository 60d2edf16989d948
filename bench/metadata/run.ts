/**
 * Metadata benchmark: creates, lookups, getattrs, paged readdir and write commits of
 * 100,000 entries in one directory, through MetadataService, on the memory and SQLite
 * stores (SQLite durable: WAL + synchronous=FULL), with 1 and 16 concurrent callers.
 *
 *   npm run bench:metadata [-- --entries 20000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MetadataService } from '../../src/server/metadata/service.ts';
import type { MetadataStore } from '../../src/server/metadata/store.ts';
import { MemoryMetadataStore } from '../../src/server/metadata/stores/memory/memory-store.ts';
import { SqliteMetadataStore } from '../../src/server/metadata/stores/sqlite/sqlite-store.ts';
import type { AuthContext, FileHandle, ShareExportOptions } from '../../src/server/metadata/types.ts';

const { values } = parseArgs({ options: { entries: { type: 'string', default: '100000' } } });
const N = Number(values.entries);
const PAGE = 256;
const WRITE = 4096;
const AUTH: AuthContext = { uid: 1000, gid: 1000, gids: [], clientAddr: '127.0.0.1' };
const OPTIONS: ShareExportOptions = {
  readOnly: false,
  squash: 'none',
  anonUid: 65534,
  anonGid: 65534,
  access: () => 'write',
};

interface Row {
  store: string;
  callers: number;
  op: string;
  opsPerSec: number;
}

/** Runs `op(i)` for i in [0, n) on `callers` concurrent loops; returns ops per second. */
async function measure(n: number, callers: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, w) => {
      for (let i = w; i < n; i += callers) await op(i);
    }),
  );
  return n / ((performance.now() - start) / 1000);
}

async function bench(storeName: string, store: MetadataStore, callers: number, n = N): Promise<Row[]> {
  const svc = new MetadataService();
  await svc.registerShare('/bench', {
    id: 1,
    store,
    options: OPTIONS,
    enabled: true,
    root: { uid: 1000, gid: 1000, mode: 0o755 },
  });
  const root = await svc.rootHandle('/bench');
  const { handle: dir } = await svc.mkdir(AUTH, root, 'dir', {});
  const handles: FileHandle[] = new Array(n);
  const rows: Row[] = [];
  const record = (op: string, opsPerSec: number) => rows.push({ store: storeName, callers, op, opsPerSec });

  record(
    'create',
    await measure(n, callers, async (i) => {
      handles[i] = (await svc.create(AUTH, dir, `file-${i}`, { mode: 0o644 }, { kind: 'guarded' })).handle;
    }),
  );
  record('lookup', await measure(n, callers, (i) => svc.lookup(AUTH, dir, `file-${(i * 7919) % n}`)));
  record('getattr', await measure(n, callers, (i) => svc.getAttr(AUTH, handles[(i * 7919) % n]!)));

  // Page start cookies (untimed), then the pages shared out among the callers.
  const starts: number[] = [];
  for (let cookie = 0; ;) {
    starts.push(cookie);
    const page = await svc.readDir(AUTH, dir, cookie, undefined, PAGE);
    if (page.eof) break;
    cookie = page.entries.at(-1)!.cookie;
  }
  let listed = 0;
  const start = performance.now();
  await measure(starts.length, callers, async (p) => {
    const { entries } = await svc.readDir(AUTH, dir, starts[p]!, undefined, PAGE);
    listed += entries.length;
  });
  if (listed !== n) throw new Error(`readdir listed ${listed} of ${n} entries`);
  record(`readdir (${PAGE}/page), entries`, n / ((performance.now() - start) / 1000));

  // One file per caller written sequentially in 4 KiB steps, as NFS WRITEs would (n / 10 writes).
  record(
    'commitWrite 4 KiB',
    await measure(Math.ceil(n / 10), callers, (i) =>
      svc.commitWrite(AUTH, handles[i % callers]!, (Math.floor(i / callers) + 1) * WRITE),
    ),
  );
  return rows;
}

async function main(): Promise<void> {
  // Warm-up so the first measurements do not include JIT compilation.
  await bench('warm-up', new MemoryMetadataStore(), 16, 20_000);
  const rows: Row[] = [];
  for (const callers of [1, 16]) {
    const memory = new MemoryMetadataStore();
    rows.push(...(await bench('memory', memory, callers)));
    await memory.close();

    const dir = await mkdtemp(join(tmpdir(), 'dittofs-bench-meta-'));
    const sqlite = await SqliteMetadataStore.open(join(dir, 'meta.db'));
    rows.push(...(await bench('sqlite', sqlite, callers)));
    await sqlite.close();
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`MetadataService, ${N.toLocaleString('en-US')} entries in one directory, node ${process.version}\n`);
  console.log(`${'store'.padEnd(8)}${'callers'.padStart(8)}  ${'operation'.padEnd(28)}${'ops/s'.padStart(12)}`);
  for (const r of rows) {
    const ops = Math.round(r.opsPerSec).toLocaleString('en-US');
    console.log(`${r.store.padEnd(8)}${String(r.callers).padStart(8)}  ${r.op.padEnd(28)}${ops.padStart(12)}`);
  }
}

await main();
