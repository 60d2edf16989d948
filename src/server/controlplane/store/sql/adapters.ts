/** The adapters table: one row per protocol listener. */
import { DittoError } from '../../../../shared/errors.ts';
import type { AdapterConfig, AdapterPatch, AdapterType } from '../../models.ts';
import { defined, flag, unique } from './common.ts';
import type { SqlDatabase, SqlRunner } from './database.ts';

interface AdapterRow {
  type: AdapterType;
  enabled: number;
  port: number;
  bind: string;
  settings: string;
}

function toAdapter(r: AdapterRow): AdapterConfig {
  return {
    type: r.type,
    enabled: r.enabled === 1,
    port: r.port,
    bind: r.bind,
    settings: JSON.parse(r.settings) as Record<string, unknown>,
  };
}

export async function getAdapter(r: SqlRunner, type: AdapterType): Promise<AdapterConfig> {
  const row = await r.get<AdapterRow>('SELECT * FROM adapters WHERE type = ?', [type]);
  if (!row) throw new DittoError('NOT_FOUND', `${type} adapter not found`);
  return toAdapter(row);
}

export async function listAdapters(db: SqlDatabase): Promise<AdapterConfig[]> {
  return (await db.all<AdapterRow>('SELECT * FROM adapters ORDER BY type')).map(toAdapter);
}

export async function createAdapter(db: SqlDatabase, a: AdapterConfig): Promise<AdapterConfig> {
  await unique(
    () =>
      db.run('INSERT INTO adapters (type, enabled, port, bind, settings) VALUES (?, ?, ?, ?, ?)', [
        a.type,
        flag(a.enabled),
        a.port,
        a.bind,
        JSON.stringify(a.settings),
      ]),
    { 'adapters.type': `${a.type} adapter already exists` },
  );
  return getAdapter(db, a.type);
}

export function updateAdapter(db: SqlDatabase, type: AdapterType, patch: AdapterPatch): Promise<AdapterConfig> {
  return db.transaction(async (tx) => {
    const a = { ...(await getAdapter(tx, type)), ...defined(patch) };
    await tx.run('UPDATE adapters SET enabled = ?, port = ?, bind = ?, settings = ? WHERE type = ?', [
      flag(a.enabled),
      a.port,
      a.bind,
      JSON.stringify(a.settings),
      type,
    ]);
    return getAdapter(tx, type);
  });
}

export async function deleteAdapter(db: SqlDatabase, type: AdapterType): Promise<void> {
  if ((await db.run('DELETE FROM adapters WHERE type = ?', [type])) === 0) {
    throw new DittoError('NOT_FOUND', `${type} adapter not found`);
  }
}
