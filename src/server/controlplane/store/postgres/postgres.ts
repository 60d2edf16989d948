/**
 * ControlPlaneStore on PostgreSQL (`pg` with a pool): the SQL tables of ../sql/ in their
 * own schema (default `controlplane`, which no metadata store's default `dittofs_*` schema
 * can take). Every change is one transaction holding a transaction-scoped advisory lock
 * on the schema, so read-then-write changes of several dfs instances on one database are
 * serialised; reads run on any pooled connection.
 */
import type pg from 'pg';
import type { QueryResult } from 'pg';
import { parsePostgresConfig } from '../../../postgres/config.ts';
import { pgError } from '../../../postgres/errors.ts';
import { PoolHealth } from '../../../postgres/pool-health.ts';
import { lockedTransaction, openSchema } from '../../../postgres/schema.ts';
import { UniqueViolation, type SqlDatabase, type SqlRunner } from '../sql/database.ts';
import { SqlControlPlaneStore } from '../sql/sql-store.ts';
import { MIGRATIONS } from './migrations.ts';

const DEFAULT_SCHEMA = 'controlplane';
const UNIQUE_VIOLATION = '23505';

/** The shared SQL's `?` placeholders as PostgreSQL's `$1, $2, ...` (none of it quotes a `?`). */
const numbered = new Map<string, string>();
function numberPlaceholders(sql: string): string {
  let text = numbered.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, text);
  }
  return text;
}

class PgRunner implements SqlRunner {
  constructor(private readonly db: Pick<pg.Pool | pg.PoolClient, 'query'>) {}

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  private async query(sql: string, params: readonly unknown[]): Promise<QueryResult> {
    try {
      return await this.db.query(numberPlaceholders(sql), params as unknown[]);
    } catch (err) {
      const e = err as { code?: string; constraint?: string; message?: string };
      if (e.code === UNIQUE_VIOLATION && e.constraint) throw new UniqueViolation(e.constraint, e.message ?? '');
      throw pgError(err);
    }
  }
}

class PgDatabase extends PgRunner implements SqlDatabase {
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    /** Key of the advisory lock that serialises writers of the schema. */
    private readonly lockKey: number,
  ) {
    super(pool);
  }

  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return lockedTransaction(this.pool, this.lockKey, (client) => fn(new PgRunner(client)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

export class PostgresControlPlaneStore extends SqlControlPlaneStore {
  private constructor(
    db: SqlDatabase,
    /** Reachability and connection use of the pool, for health checks and the cluster view. */
    readonly poolHealth: PoolHealth,
  ) {
    super(db);
  }

  /**
   * Connects (options as a PostgreSQL metadata store's: url, pool size, timeouts, TLS,
   * schema), creates the schema if needed and migrates it.
   */
  static async open(options: Record<string, unknown>): Promise<PostgresControlPlaneStore> {
    const config = parsePostgresConfig(options, 'control-plane database');
    const { pool, lockKey } = await openSchema(
      config,
      config.schema ?? DEFAULT_SCHEMA,
      MIGRATIONS,
      'control-plane',
      async () => undefined,
    );
    return new PostgresControlPlaneStore(new PgDatabase(pool, lockKey), new PoolHealth(pool));
  }
}
