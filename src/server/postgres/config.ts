/**
 * Options of a PostgreSQL connection, shared by the metadata stores (`config` of a store
 * of type postgres) and the control plane. The password (in `url` or `password`) is
 * redacted by the API and never logged.
 */
import { z } from 'zod';
import type pg from 'pg';
import { parseStoreOptions } from '../config/store-options.ts';

export const PostgresConfigSchema = z.strictObject({
  /** postgres://user:password@host:port/database */
  url: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'a URL such as postgres://user@host:5432/dittofs'),
  password: z.string().max(256).optional(),
  /** The schema holding the tables (created if missing). */
  schema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a schema name is lowercase letters, digits and "_" (63 at most)')
    .optional(),
  poolSize: z.int().min(1).max(100).optional(),
  connectTimeoutMs: z.int().min(100).max(120_000).optional(),
  /** Longest a statement may run before PostgreSQL cancels it. */
  statementTimeoutMs: z.int().min(100).max(600_000).optional(),
  /** TLS: true (verify the server's certificate), or options. */
  ssl: z
    .union([
      z.boolean(),
      z.strictObject({ rejectUnauthorized: z.boolean().optional(), ca: z.string().max(65_536).optional() }),
    ])
    .optional(),
});
export type PostgresConfig = z.infer<typeof PostgresConfigSchema>;

/** `what` names the owner in messages ("PostgreSQL store"). */
export function parsePostgresConfig(config: Record<string, unknown>, what: string): PostgresConfig {
  return parseStoreOptions(PostgresConfigSchema, config, what);
}

const INT8_OID = 20;
/** BIGINT columns as numbers: ids, sizes and times stay below 2^53; `types` is pg's. */
const typeParsers = (types: typeof pg.types): { getTypeParser: typeof pg.types.getTypeParser } => ({
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? Number : types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
});

/** The pool's settings: every connection's search_path is `schema`; `types` is pg's. */
export function poolConfig(config: PostgresConfig, schema: string, types: typeof pg.types): pg.PoolConfig {
  return {
    connectionString: config.url,
    ...(config.password !== undefined ? { password: config.password } : {}),
    max: config.poolSize ?? 10,
    connectionTimeoutMillis: config.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    ...(config.statementTimeoutMs !== undefined ? { statement_timeout: config.statementTimeoutMs } : {}),
    ...(config.ssl !== undefined ? { ssl: config.ssl } : {}),
    options: `-c search_path=${schema}`,
    types: typeParsers(types),
    application_name: 'dittofs',
  };
}
