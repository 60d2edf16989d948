/**
 * A PostgreSQL metadata store's options (`config` of a metadata store of type postgres):
 * a connection (postgres/config.ts). Several stores may live in one database: each keeps
 * its tables in its own schema.
 */
import { parsePostgresConfig, type PostgresConfig } from '../../../postgres/config.ts';

/** The schema a store uses when its config names none: one per store name. */
export function defaultSchema(storeName: string): string {
  return `dittofs_${storeName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

export function parseStoreConfig(config: Record<string, unknown>): PostgresConfig {
  return parsePostgresConfig(config, 'PostgreSQL store');
}
