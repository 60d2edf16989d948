/** Opens the control-plane database the config names: a postgres:// URL, else a SQLite file. */
import { isPostgresUrl, shownDatabase, type Config } from '../../config/schema.ts';
import { PostgresControlPlaneStore } from './postgres/postgres.ts';
import { SqliteControlPlaneStore } from './sqlite/sqlite.ts';
import type { ControlPlaneStore } from './store.ts';

/** The PostgreSQL control-plane database cannot be used (unreachable, refused, missing). */
export class ControlPlaneUnavailable extends Error {
  override name = 'ControlPlaneUnavailable';
}

export async function openControlPlaneStore(config: Config['controlplane']): Promise<ControlPlaneStore> {
  const { database, poolSize, connectTimeoutMs } = config;
  if (!isPostgresUrl(database)) return SqliteControlPlaneStore.open(database);
  try {
    return await PostgresControlPlaneStore.open({ url: database, poolSize, connectTimeoutMs });
  } catch (err) {
    throw new ControlPlaneUnavailable(`control-plane database ${shownDatabase(database)}: ${(err as Error).message}`);
  }
}
