import type Database from 'better-sqlite3';
import { DittoError } from '../../../../shared/errors.ts';

export interface Migration {
  /** 1, 2, 3, ... in order. */
  version: number;
  name: string;
  sql: string;
}

/**
 * Brings the schema up to date: applies every migration newer than the recorded
 * version, all in one transaction, so a failure leaves the database as it was.
 * Returns the versions applied (none when already current).
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): number[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  return db
    .transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
      const current =
        (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
      if (current > migrations.length) {
        throw new DittoError(
          'NOT_SUPPORTED',
          `control-plane database schema version ${current} is newer than this server supports (${migrations.length})`,
        );
      }
      const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
      const pending = migrations.slice(current);
      for (const m of pending) {
        db.exec(m.sql);
        record.run(m.version, m.name, new Date().toISOString());
      }
      return pending.map((m) => m.version);
    })
    .immediate();
}
