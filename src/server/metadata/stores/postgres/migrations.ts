/**
 * Numbered schema migrations of a PostgreSQL metadata store, in the store's own schema;
 * `schema_version` records how many have been applied. Append new steps, never edit
 * shipped ones. Every step runs in one transaction under the store's advisory lock, so
 * instances starting together migrate once.
 */
import type { PoolClient } from 'pg';
import { DittoError } from '../../../../shared/errors.ts';

export const MIGRATIONS: readonly string[] = [
  // 1: fileids and cookies come from sequences (never reused, even by rolled-back
  // transactions); (dir_id, cookie) lists a directory in READDIR order from the index.
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
   CREATE TABLE roots (share TEXT PRIMARY KEY, fileid BIGINT NOT NULL);
   CREATE SEQUENCE fileid_seq;
   CREATE SEQUENCE cookie_seq;
   CREATE TABLE files (
     fileid BIGINT PRIMARY KEY,
     root BIGINT NOT NULL,
     parent BIGINT NOT NULL,
     type INTEGER NOT NULL,
     mode INTEGER NOT NULL,
     nlink BIGINT NOT NULL,
     uid BIGINT NOT NULL,
     gid BIGINT NOT NULL,
     size BIGINT NOT NULL,
     used BIGINT NOT NULL,
     rdev_major BIGINT NOT NULL,
     rdev_minor BIGINT NOT NULL,
     atime_s BIGINT NOT NULL, atime_ns INTEGER NOT NULL,
     mtime_s BIGINT NOT NULL, mtime_ns INTEGER NOT NULL,
     ctime_s BIGINT NOT NULL, ctime_ns INTEGER NOT NULL,
     btime_s BIGINT NOT NULL, btime_ns INTEGER NOT NULL,
     payload_id TEXT NOT NULL,
     target TEXT NOT NULL,
     verifier BYTEA,
     generation BIGINT NOT NULL
   );
   CREATE TABLE entries (
     dir_id BIGINT NOT NULL,
     name TEXT NOT NULL,
     child_id BIGINT NOT NULL,
     cookie BIGINT NOT NULL,
     PRIMARY KEY (dir_id, name)
   );
   CREATE INDEX entries_by_cookie ON entries (dir_id, cookie) INCLUDE (child_id, name);`,
];

/** Brings the schema (already the connection's search_path) up to date. */
export async function migrate(client: PoolClient): Promise<void> {
  await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const rows = (await client.query<{ version: number }>('SELECT version FROM schema_version')).rows;
  if (rows.length === 0) await client.query('INSERT INTO schema_version (version) VALUES (0)');
  const current = rows[0]?.version ?? 0;
  if (current > MIGRATIONS.length) {
    throw new DittoError(
      'CONFLICT',
      `metadata schema version ${current} is newer than this server (${MIGRATIONS.length}): upgrade dfs to open it`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    await client.query(MIGRATIONS[v]!);
    await client.query('UPDATE schema_version SET version = $1', [v + 1]);
  }
}
