// The pool after PostgreSQL ends its connections (pg_terminate_backend, as a restart does):
// calls fail as RETRY_LATER at worst, the pool drops the dead connections and the next
// calls succeed on new ones; a server that cannot be reached is RETRY_LATER too.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRESQL, unmet } from '../../../e2e/helpers/requirements.ts';
import { freePort } from '../../../e2e/helpers/ports.ts';
import { isDittoError } from '../../shared/errors.ts';
import { PostgresMetadataStore } from '../metadata/stores/postgres/postgres-store.ts';
import { isConnectionLoss, pgError } from './errors.ts';
import { PoolHealth } from './pool-health.ts';
import { createTestDatabase, type TestDatabase } from './testing/database.ts';

describe('pgError', () => {
  it('maps a lost or refused server to RETRY_LATER and other failures to IO', () => {
    const cases: [unknown, string][] = [
      [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'RETRY_LATER'],
      [new Error('Connection terminated unexpectedly'), 'RETRY_LATER'],
      [
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
        'RETRY_LATER',
      ],
      [Object.assign(new Error('the database system is starting up'), { code: '57P03' }), 'RETRY_LATER'],
      [Object.assign(new Error('connection failure'), { code: '08006' }), 'RETRY_LATER'],
      [Object.assign(new AggregateError([Object.assign(new Error(''), { code: 'ECONNREFUSED' })]), {}), 'RETRY_LATER'],
      [Object.assign(new Error('disk full'), { code: '53100' }), 'NO_SPACE'],
      [Object.assign(new Error('syntax error'), { code: '42601' }), 'IO'],
    ];
    for (const [err, code] of cases) expect(isDittoError(pgError(err), code as 'IO'), String(err)).toBe(true);
    expect(isConnectionLoss(Object.assign(new Error('x'), { code: '42601' }))).toBe(false);
  });
});

describe.skipIf(unmet(POSTGRESQL) !== null)('connection loss on a real PostgreSQL', () => {
  let db: TestDatabase;
  let store: PostgresMetadataStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await PostgresMetadataStore.open({ url: db.url, poolSize: 3 }, 'loss');
  });

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const touch = () => store.transaction((tx) => tx.getRoot('/x'));

  it('recovers on new connections after every backend of the pool is terminated', async () => {
    await Promise.all([touch(), touch(), touch()]);
    expect(store.poolHealth.use().total).toBeGreaterThan(0);
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      // Calls in flight while their connections are ended.
      const inFlight = store.transaction((tx) => tx.lookup(1, 'a').then(() => tx.getRoot('/y')));
      const slow = store.poolHealth.ping(60_000);
      // Observed at once: either may fail before the termination below has answered.
      const settled = Promise.allSettled([inFlight, slow]);
      const ended = await admin.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'dittofs' AND pid <> pg_backend_pid()`,
      );
      expect(ended.rows[0]!.n).toBeGreaterThan(0);
      for (const r of await settled) {
        if (r.status === 'rejected') expect(isDittoError(r.reason, 'RETRY_LATER'), String(r.reason)).toBe(true);
      }
    } finally {
      await admin.end();
    }
    // At worst one call per dead connection fails (as RETRY_LATER); then every call succeeds.
    const outcomes = await Promise.allSettled([touch(), touch(), touch(), touch()]);
    for (const r of outcomes) {
      if (r.status === 'rejected') expect(isDittoError(r.reason, 'RETRY_LATER'), String(r.reason)).toBe(true);
    }
    await expect(touch()).resolves.toBeUndefined();
    await expect(store.poolHealth.ping(10_000)).resolves.toBeUndefined();
  });

  it('says RETRY_LATER when the server cannot be reached', async () => {
    const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/x` });
    pool.on('error', () => undefined);
    try {
      const err = await new PoolHealth(pool).ping(5000).catch((e: unknown) => e);
      expect(isDittoError(err, 'RETRY_LATER'), String(err)).toBe(true);
    } finally {
      await pool.end();
    }
  });
});
