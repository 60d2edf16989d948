// dfs with its control plane in PostgreSQL (a real server, ../shared/PEERS.md): a user and a
// share created through the API are still there after a restart, and a libnfs client lists
// the share; an unreachable server at start is one line and exit code 2.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/server/postgres/testing/database.ts';
import { adminClient } from '../helpers/api.ts';
import { DFS_BIN, LOOPBACK_LISTENERS, REPO_ROOT, startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { freePort } from '../helpers/ports.ts';
import { LIBNFS_UTILS, POSTGRESQL, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from '../nfs/target.ts';

describe.skipIf(unmet(LIBNFS_UTILS, POSTGRESQL) !== null)('dfs with a PostgreSQL control plane', () => {
  let db: TestDatabase;
  let dfs: DfsProcess | undefined;
  const dataDir = makeTmpDir('dittofs-pg-cp-');
  const tmp = makeTmpDir('dittofs-pg-cp-files-');
  const adminPassword = `e2e-${randomBytes(12).toString('hex')}`;
  const start = async (): Promise<DfsProcess> =>
    startDfs({
      dataDir,
      env: { DITTOFS_CONTROLPLANE_DATABASE: db.url, DITTOFS_ADMIN_INITIAL_PASSWORD: adminPassword },
    });

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await dfs?.stop();
    await db?.drop();
    removeTmpDir(dataDir);
    removeTmpDir(tmp);
  });

  it('keeps users and shares across a restart, and serves the share', async () => {
    dfs = await start();
    const api = await adminClient(dfs);
    await api.call('users.create', { body: { username: 'alice', password: 'correct-horse-battery' } });
    await api.call('shares.create', {
      body: { name: '/pgcp', metadataStore: 'default-metadata', payloadStore: 'default-payload', squash: 'none' },
    });
    const nfs = (file = ''): string =>
      `nfs://127.0.0.1/pgcp${file}?nfsport=${dfs!.nfsPort}&mountport=${dfs!.mountPort}&version=3`;
    const src = path.join(tmp, 'hello.txt');
    writeFileSync(src, 'hello\n');
    const put = await run('nfs-cp', [src, nfs('/hello.txt')], 60_000);
    expect(put.code, `${put.output}\n${tail(dfs.logs(), 3000)}`).toBe(0);

    await dfs.stop();
    dfs = await start();
    const again = await adminClient(dfs);
    expect((await again.call('users.list', {})).map((u) => u.username)).toContain('alice');
    expect((await again.call('shares.list', {})).map((s) => s.name)).toContain('/pgcp');
    const ls = await run('nfs-ls', [nfs()], 30_000);
    expect(ls.code, `${ls.output}\n${tail(dfs.logs(), 3000)}`).toBe(0);
    expect(ls.output).toContain('hello.txt');

    // In PostgreSQL (schema `controlplane`), not in a SQLite file of the data dir.
    expect(existsSync(path.join(dataDir, 'controlplane.db'))).toBe(false);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ username: string }>('SELECT username FROM controlplane.users');
      expect(rows.map((r) => r.username).sort()).toEqual(['admin', 'alice']);
    } finally {
      await client.end();
    }
  });

  it('refuses to start on an unreachable server: one line, exit code 2', async () => {
    const url = `postgres://postgres:secret@127.0.0.1:${await freePort()}/dittofs`;
    const r = spawnSync(process.execPath, [DFS_BIN, 'start', '--data-dir', path.join(tmp, 'unreachable')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, ...LOOPBACK_LISTENERS, XDG_CONFIG_HOME: tmp, DITTOFS_CONTROLPLANE_DATABASE: url },
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^dfs: control-plane database postgres:\/\/postgres@127\.0\.0\.1:\d+\/dittofs: PostgreSQL is unreachable/,
      ),
    ]);
    expect(r.stderr).not.toContain('secret');
  });
});
