// Shared S3 stores (block index in PostgreSQL, docs/cluster.md) in the management API, against
// s3rver and a PostgreSQL server of the test's own: offloader.shared lists them (bucket,
// index database and whether it answers, local cache, stored blocks, last GC) and
// offloader.list does not; GC runs on them, drain is refused with a reason; dfsctl lists them;
// "Test connection" also queries the block index database and says in a sentence when it
// cannot, never with the password (a saved store's hidden password is used when it is named);
// a stopped index database shows as unreachable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ApiClient } from '../../src/shared/api/client.ts';
import type { SharedStoreDto } from '../../src/shared/api/offloader.ts';
import { S3rver, type S3rverStoreConfig } from '../../src/server/payload/stores/s3/testing/s3rver.ts';
import { adminClient } from '../helpers/api.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.ts';
import { freePort } from '../helpers/ports.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { adminDfsctl, verdicts } from './helpers.ts';

// Trust auth ignores it; it is in the URL to prove it never comes back.
const PASSWORD = 'index-pw-7f3a9c';

describe('API: shared S3 stores (s3rver + PostgreSQL)', () => {
  let s3: S3rver;
  let bucket: S3rverStoreConfig;
  let pg: PostgresCluster;
  let indexUrl: string;
  let dfs: DfsProcess;
  let api: ApiClient;
  const home = makeTmpDir('dittofs-shared-stores-');
  const shared = async (): Promise<SharedStoreDto[]> => api.call('offloader.shared', {});

  beforeAll(async () => {
    [s3, pg] = await Promise.all([S3rver.start(), startPostgresCluster()]);
    bucket = await s3.bucket('team-bucket');
    indexUrl = pg.serverUrl.replace('postgres@', `postgres:${PASSWORD}@`) + '/postgres';
    dfs = await startDfs();
    api = await adminClient(dfs);
    await api.call('stores.payload.create', {
      body: { name: 'team', type: 's3', config: { ...bucket, prefix: 'nas/', blockIndex: { url: indexUrl } } },
    });
    await api.call('stores.payload.create', {
      body: { name: 'solo', type: 's3', config: { ...bucket, prefix: 'solo/' } },
    });
  }, 180_000);

  afterAll(async () => {
    await dfs?.stop();
    await Promise.allSettled([s3?.remove(), pg?.destroy()]);
    removeTmpDir(home);
  });

  it('lists a shared store with its bucket, reachable index database and cache; the offloader list does not', async () => {
    const list = await shared();
    expect(list.map((s) => s.store)).toEqual(['team']);
    const team = list[0]!;
    expect(team).toMatchObject({
      bucket: 'team-bucket',
      prefix: 'nas/',
      endpoint: bucket.endpoint,
      blockIndex: { database: `127.0.0.1:${pg.port}/postgres`, reachable: true, error: null },
      cacheUsedBytes: 0,
      storedBlocks: 0,
      storedBytes: 0,
      lastGc: null,
    });
    expect(team.cacheCapBytes).toBeGreaterThan(0);
    expect(JSON.stringify(list)).not.toContain(PASSWORD);
    expect((await api.call('offloader.list', {})).map((o) => o.store)).toEqual(['solo']);
  });

  it('collects garbage of a shared store, and refuses to drain it with the reason', async () => {
    const report = await api.call('offloader.gc', { params: { store: 'team' }, body: { graceSeconds: 0 } });
    expect(report.blocks).toBe(0);
    expect((await shared())[0]?.lastGc).toEqual(report);
    const drain = await api.call('offloader.drain', { params: { store: 'team' } }).catch((e: unknown) => e);
    expect(drain).toBeInstanceOf(ApiError);
    expect((drain as ApiError).status).toBe(400);
    expect((drain as ApiError).message).toMatch(/shared by several instances/);
  });

  it('dfsctl offloader shared lists it as a table', async () => {
    const ctl = await adminDfsctl(dfs, home);
    const out = await ctl(['offloader', 'shared']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/team\s+team-bucket\/nas\/\s+127\.0\.0\.1:\d+\/postgres: reachable/);
    expect(out.stdout).not.toContain('solo');
  });

  it('tests the block index database with the S3 options', async () => {
    const good = await api.call('stores.payload.test', {
      body: { type: 's3', config: { ...bucket, blockIndex: { url: indexUrl } } },
    });
    expect(verdicts(good)).toBe('connect:ok auth:ok bucket:ok write:ok read:ok delete:ok blockIndex:ok');
    expect(good.ok).toBe(true);

    const closed = await freePort();
    const bad = await api.call('stores.payload.test', {
      body: {
        type: 's3',
        config: { ...bucket, blockIndex: { url: `postgres://postgres:${PASSWORD}@127.0.0.1:${closed}/x` } },
      },
    });
    expect(verdicts(bad)).toBe('connect:ok auth:ok bucket:ok write:ok read:ok delete:ok blockIndex:failed');
    expect(bad.ok).toBe(false);
    expect(bad.stages.at(-1)?.message).toBe(`The block index database at 127.0.0.1:${closed} refused the connection.`);

    const noDb = await api.call('stores.payload.test', {
      body: { type: 's3', config: { ...bucket, blockIndex: { url: `${pg.serverUrl}/no_such_db` } } },
    });
    expect(noDb.stages.at(-1)?.message).toBe(`There is no database no_such_db at 127.0.0.1:${pg.port}.`);

    // The saved store's options as the API shows them: the URL's password hidden, and used when the store is named.
    const shown = (await api.call('stores.payload.get', { params: { name: 'team' } })).config;
    expect(JSON.stringify(shown)).not.toContain(PASSWORD);
    // Only the URL's password hidden (the S3 secret typed again).
    const urlOnly = { ...shown, secretAccessKey: bucket.secretAccessKey };
    const hidden = await api
      .call('stores.payload.test', { body: { type: 's3', config: urlOnly } })
      .catch((e: unknown) => e);
    expect((hidden as ApiError).message).toMatch(/A secret is hidden/);
    const saved = await api.call('stores.payload.test', { body: { name: 'team', type: 's3', config: urlOnly } });
    expect(verdicts(saved)).toBe('connect:ok auth:ok bucket:ok write:ok read:ok delete:ok blockIndex:ok');
    expect(JSON.stringify([good, bad, noDb, saved])).not.toContain(PASSWORD);
    expect(dfs.logs()).not.toContain(PASSWORD);
  });

  it('shows the index database unreachable while it is down', async () => {
    await pg.stop();
    try {
      const team = (await shared())[0]!;
      expect(team.blockIndex.reachable).toBe(false);
      expect(team.blockIndex.error).toMatch(/PostgreSQL/);
      expect(team.storedBlocks).toBeNull();
    } finally {
      await pg.start();
    }
    await expect.poll(async () => (await shared())[0]?.blockIndex.reachable, { timeout: 20_000 }).toBe(true);
  });
});
