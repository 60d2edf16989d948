/**
 * A pool on one PostgreSQL schema, brought up to date by numbered migrations, and the
 * transactions that write it. Each owner (a metadata store, the control plane) keeps its
 * tables in its own schema, with a `schema_version` table recording how many of its
 * migrations have been applied. Append new steps, never edit shipped ones. Creating and
 * migrating the schema hold an advisory lock on it (its migration lock), so instances
 * starting together create and migrate it once. `lockedTransaction` takes the same lock for
 * owners whose writes are rare (the control plane); the metadata store locks rows instead.
 */
import type pg from 'pg';
import type { PoolClient } from 'pg';
import { DittoError } from '../../shared/errors.ts';
import { poolConfig, type PostgresConfig } from './config.ts';
import { pgError } from './errors.ts';

export interface OpenedSchema<T> {
  pool: pg.Pool;
  /** Key of the schema's transaction-scoped advisory lock (its migration lock; lockedTransaction). */
  lockKey: number;
  /** What `init` returned. */
  initial: T;
}

/**
 * Connects, creates the schema if needed and migrates it; `init` then runs in the same
 * transaction (seed rows). `what` names the owner in messages ("metadata", "control-plane").
 * `pipeline`: the pool's connections send queries issued without waiting at once (pg's
 * pipeline mode) instead of one per round trip.
 */
export async function openSchema<T>(
  config: PostgresConfig,
  schema: string,
  migrations: readonly string[],
  what: string,
  init: (client: PoolClient) => Promise<T>,
  pipeline = false,
): Promise<OpenedSchema<T>> {
  // Loaded here, not at start: a server without PostgreSQL stores should not carry the driver.
  const { default: driver } = await import('pg');
  const pool = new driver.Pool({ ...poolConfig(config, schema, driver.types), pipeline });
  // An idle connection that breaks (a server restart) must not crash the process.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect().catch((err: unknown) => {
      throw pgError(err);
    });
    try {
      const lockKey = (await client.query<{ k: number }>('SELECT hashtext($1) AS k', [schema])).rows[0]!.k;
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
      // Under the lock: two CREATE SCHEMA IF NOT EXISTS at once can fail on the catalog's unique index.
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await migrate(client, migrations, what);
      const initial = await init(client);
      await client.query('COMMIT');
      return { pool, lockKey, initial };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw pgError(err);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
}

/**
 * Runs `fn` as one transaction on a pooled connection; rolled back when `fn` throws.
 * Failures come out as the errors clients get (errors.ts).
 */
export async function transaction<T>(
  pool: pg.Pool,
  fn: (client: PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect().catch((err: unknown) => {
    throw pgError(err);
  });
  try {
    await client.query(begin);
    const value = await fn(client);
    await client.query('COMMIT');
    return value;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw pgError(err);
  } finally {
    client.release();
  }
}

/**
 * A transaction holding the schema's advisory lock (`lockKey` from openSchema) until COMMIT.
 */
export function lockedTransaction<T>(
  pool: pg.Pool,
  lockKey: number,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  // One round trip: BEGIN and the lock as one simple query (the key is a plain integer).
  return transaction(pool, fn, `BEGIN; SELECT pg_advisory_xact_lock(${lockKey})`);
}

/** Brings the schema (already the connection's search_path) up to date. */
async function migrate(client: PoolClient, migrations: readonly string[], what: string): Promise<void> {
  await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const rows = (await client.query<{ version: number }>('SELECT version FROM schema_version')).rows;
  if (rows.length === 0) await client.query('INSERT INTO schema_version (version) VALUES (0)');
  const current = rows[0]?.version ?? 0;
  if (current > migrations.length) {
    throw new DittoError(
      'CONFLICT',
      `${what} schema version ${current} is newer than this server (${migrations.length}): upgrade dfs to open it`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    await client.query(migrations[v]!);
    await client.query('UPDATE schema_version SET version = $1', [v + 1]);
  }
}
