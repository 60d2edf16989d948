/** The settings table (free-form JSON values by key) and the single-row guest table. */
import { DittoError } from '../../../../shared/errors.ts';
import { GUEST_DEFAULTS, type GuestConfig, type Setting } from '../../models.ts';
import { defined, flag, now } from './common.ts';
import type { SqlDatabase, SqlRunner } from './database.ts';

export async function listSettings(db: SqlDatabase): Promise<Setting[]> {
  const rows = await db.all<{ key: string; value: string; updated_at: string }>('SELECT * FROM settings ORDER BY key');
  return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) as unknown, updatedAt: r.updated_at }));
}

export async function getSetting(db: SqlDatabase, key: string): Promise<unknown> {
  const row = await db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
  return row && (JSON.parse(row.value) as unknown);
}

export async function setSetting(db: SqlDatabase, key: string, value: unknown): Promise<void> {
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) throw new DittoError('VALIDATION', `setting '${key}': value is not JSON`);
  await db.run(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    [key, json, now()],
  );
}

export async function deleteSetting(db: SqlDatabase, key: string): Promise<void> {
  if ((await db.run('DELETE FROM settings WHERE key = ?', [key])) === 0) {
    throw new DittoError('NOT_FOUND', `setting '${key}' not found`);
  }
}

export async function getGuest(r: SqlRunner): Promise<GuestConfig> {
  const row = await r.get<{ enabled: number; uid: number; gid: number }>(
    'SELECT enabled, uid, gid FROM guest WHERE id = 1',
  );
  return row ? { enabled: row.enabled === 1, uid: row.uid, gid: row.gid } : { ...GUEST_DEFAULTS };
}

export function updateGuest(db: SqlDatabase, patch: Partial<GuestConfig>): Promise<GuestConfig> {
  return db.transaction(async (tx) => {
    const g = { ...(await getGuest(tx)), ...defined(patch) };
    await tx.run(
      `INSERT INTO guest (id, enabled, uid, gid) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, uid = excluded.uid, gid = excluded.gid`,
      [flag(g.enabled), g.uid, g.gid],
    );
    return g;
  });
}
