import type { Migration } from '../migrate.ts';

/**
 * The dfs instances on this control-plane database (the cluster view): each upserts its own
 * row on every heartbeat. On SQLite there is one instance; the same table serves it.
 */
export const migration004: Migration = {
  version: 4,
  name: 'instances',
  sql: `
    CREATE TABLE instances (
      id TEXT PRIMARY KEY,
      hostname TEXT NOT NULL,
      addresses TEXT NOT NULL,
      ports TEXT NOT NULL,
      version TEXT NOT NULL,
      started_at TEXT NOT NULL,
      heartbeat_at INTEGER NOT NULL,
      stopped_at TEXT,
      report TEXT NOT NULL
    ) STRICT;
  `,
};
