import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTGRESQL, unmet } from '../../../../../e2e/helpers/requirements.ts';
import { createTestDatabase, type TestDatabase } from '../../../postgres/testing/database.ts';
import { runControlPlaneStoreConformance } from '../conformance/index.ts';
import { MIGRATIONS } from './migrations.ts';
import { PostgresControlPlaneStore } from './postgres.ts';

// Against a real PostgreSQL: one database for the file (dropped after), a fresh schema per test.
if (unmet(POSTGRESQL) === null) {
  let db: Promise<TestDatabase> | undefined;
  const database = async () => (await (db ??= createTestDatabase())).url;
  afterAll(async () => (await db)?.drop());

  runControlPlaneStoreConformance('postgres', async () => {
    const url = await database();
    const schema = `cp_${randomBytes(6).toString('hex')}`;
    return { open: () => PostgresControlPlaneStore.open({ url, schema }), cleanup: async () => {} };
  });

  describe('PostgresControlPlaneStore', () => {
    it('migrates a new schema to the last version, once', async () => {
      const url = await database();
      const schema = `cp_${randomBytes(6).toString('hex')}`;
      await (await PostgresControlPlaneStore.open({ url, schema })).close();
      await (await PostgresControlPlaneStore.open({ url, schema })).close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT version FROM ${schema}.schema_version`);
        expect(rows).toEqual([{ version: MIGRATIONS.length }]);
      } finally {
        await client.end();
      }
    });

    it('serialises concurrent changes: two instances allocate distinct uids', async () => {
      const url = await database();
      const schema = `cp_${randomBytes(6).toString('hex')}`;
      const a = await PostgresControlPlaneStore.open({ url, schema });
      const b = await PostgresControlPlaneStore.open({ url, schema });
      try {
        const users = await Promise.all(
          Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).createUser({ username: `u${i}`, passwordHash: 'h' })),
        );
        expect(new Set(users.map((u) => u.uid)).size).toBe(8);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('refuses an unreachable server in words', async () => {
      await expect(
        PostgresControlPlaneStore.open({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 }),
      ).rejects.toMatchObject({ code: 'RETRY_LATER', message: expect.stringContaining('PostgreSQL is unreachable') });
    });
  });
}
