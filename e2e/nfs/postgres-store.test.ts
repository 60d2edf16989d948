// A share whose namespace lives in PostgreSQL (a real server, ../shared/PEERS.md), with
// libnfs clients: files copied in are listed and read back byte-identical, also after dfs
// restarts on the same data dir; an unreachable server is refused in words by the API.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/server/postgres/testing/database.ts';
import { ApiError } from '../../src/shared/api/client.ts';
import { adminClient } from '../helpers/api.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { freePort } from '../helpers/ports.ts';
import { LIBNFS_UTILS, POSTGRESQL, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from './target.ts';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe.skipIf(unmet(LIBNFS_UTILS, POSTGRESQL) !== null)('a share on a PostgreSQL metadata store (nfs-cp)', () => {
  let db: TestDatabase;
  let dfs: DfsProcess;
  const dataDir = makeTmpDir('dittofs-pg-share-');
  const tmp = makeTmpDir('dittofs-pg-files-');
  const url = (file = ''): string =>
    `nfs://127.0.0.1/pg${file ? `/${file}` : ''}?nfsport=${dfs.nfsPort}&mountport=${dfs.mountPort}&version=3`;
  const context = (out: string): string => `${out}\n--- dfs log (tail) ---\n${tail(dfs.logs(), 3000)}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    dfs = await startDfs({ dataDir });
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
    await db?.drop();
    removeTmpDir(dataDir);
    removeTmpDir(tmp);
  });

  it('refuses an unreachable server in words', async () => {
    const api = await adminClient(dfs);
    const port = await freePort();
    const err = await api
      .call('stores.metadata.create', {
        body: { name: 'nowhere', type: 'postgres', config: { url: `postgres://postgres@127.0.0.1:${port}/x` } },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toMatch(/PostgreSQL is unreachable/);
  });

  it('serves files whose namespace is in PostgreSQL, across a restart of dfs', async () => {
    const api = await adminClient(dfs);
    await api.call('stores.metadata.create', { body: { name: 'pg', type: 'postgres', config: { url: db.url } } });
    await api.call('shares.create', {
      body: { name: '/pg', metadataStore: 'pg', payloadStore: 'default-payload', squash: 'none' },
    });
    const data = randomBytes(3 * 1024 * 1024 + 7);
    const src = path.join(tmp, 'in.bin');
    writeFileSync(src, data);
    const put = await run('nfs-cp', [src, url('photo.bin')], 60_000);
    expect(put.code, context(put.output)).toBe(0);
    const ls = await run('nfs-ls', [url()], 30_000);
    expect(ls.output, context(ls.output)).toContain('photo.bin');

    await dfs.stop();
    dfs = await startDfs({ dataDir });
    const back = path.join(tmp, 'back.bin');
    const get = await run('nfs-cp', [url('photo.bin'), back], 60_000);
    expect(get.code, context(get.output)).toBe(0);
    expect(sha256(readFileSync(back))).toBe(sha256(data));
  });
});
