/**
 * A PostgreSQL metadata store's options (`config` of a metadata store of type postgres).
 * Several stores may live in one database: each keeps its tables in its own schema. The
 * password (in `url` or `password`) is redacted by the API and never logged.
 */
import { z } from 'zod';
import { parseStoreOptions } from '../../../config/store-options.ts';

export const PostgresStoreConfigSchema = z.strictObject({
  /** postgres://user:password@host:port/database */
  url: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'a URL such as postgres://user@host:5432/dittofs'),
  password: z.string().max(256).optional(),
  /** The schema holding this store's tables (created if missing). */
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
export type PostgresStoreConfig = z.infer<typeof PostgresStoreConfigSchema>;

/** The schema a store uses when its config names none: one per store name. */
export function defaultSchema(storeName: string): string {
  return `dittofs_${storeName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

export function parsePostgresConfig(config: Record<string, unknown>): PostgresStoreConfig {
  return parseStoreOptions(PostgresStoreConfigSchema, config, 'PostgreSQL store');
}
