import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { POSTGRESQL, unmet } from '../../../../e2e/helpers/requirements.ts';
import { PostgresMetadataStore } from '../stores/postgres/postgres-store.ts';
import { createTestDatabase, type TestDatabase } from '../../postgres/testing/database.ts';
import { runStoreConformance } from './suite.ts';

// Against a real PostgreSQL: one database for the file, a fresh schema (a new store) per test.
if (unmet(POSTGRESQL) === null) {
  let db: Promise<TestDatabase> | undefined;
  afterAll(async () => (await db)?.drop());
  runStoreConformance('postgres', async () => {
    db ??= createTestDatabase();
    const { url } = await db;
    const schema = `s_${randomBytes(6).toString('hex')}`;
    return {
      open: () => PostgresMetadataStore.open({ url, schema }, 'conformance'),
      persistent: true,
      cleanup: async () => {},
    };
  });
}
