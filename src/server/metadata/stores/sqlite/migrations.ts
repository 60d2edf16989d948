/**
 * Numbered schema migrations; `PRAGMA user_version` records how many have been applied.
 * Append new steps, never edit shipped ones. A step is SQL, or a function for what SQL
 * alone cannot do.
 */
import type { Database } from 'better-sqlite3';
import { DittoError } from '../../../../shared/errors.ts';
import { newGeneration } from '../../handles.ts';
import { foldName } from '../../store.ts';
import { STREAMS_TABLE } from './stream-rows.ts';

export const MIGRATIONS: ReadonlyArray<string | ((db: Database) => void)> = [
  // 1: fileids and cookies come from counters kept in `meta` and are never reused; the
  // (dir_id, cookie, child_id) index lists a directory in READDIR order without table reads.
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value ANY NOT NULL) STRICT;
   CREATE TABLE roots (share TEXT PRIMARY KEY, fileid INTEGER NOT NULL) STRICT;
   CREATE TABLE files (
     fileid INTEGER PRIMARY KEY,
     root INTEGER NOT NULL,
     parent INTEGER NOT NULL,
     type INTEGER NOT NULL,
     mode INTEGER NOT NULL,
     nlink INTEGER NOT NULL,
     uid INTEGER NOT NULL,
     gid INTEGER NOT NULL,
     size INTEGER NOT NULL,
     used INTEGER NOT NULL,
     rdev_major INTEGER NOT NULL,
     rdev_minor INTEGER NOT NULL,
     atime_s INTEGER NOT NULL, atime_ns INTEGER NOT NULL,
     mtime_s INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
     ctime_s INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,
     btime_s INTEGER NOT NULL, btime_ns INTEGER NOT NULL,
     payload_id TEXT NOT NULL,
     target TEXT NOT NULL,
     verifier BLOB
   ) STRICT;
   CREATE TABLE entries (
     dir_id INTEGER NOT NULL,
     name TEXT NOT NULL,
     child_id INTEGER NOT NULL,
     cookie INTEGER NOT NULL,
     PRIMARY KEY (dir_id, name)
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX entries_by_cookie ON entries (dir_id, cookie, child_id);`,
  // 2: file generations (handles.ts), drawn from the CSPRNG for the files that exist.
  (db) => {
    db.function('dittofs_new_generation', { deterministic: false }, newGeneration);
    db.exec(`ALTER TABLE files ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
             UPDATE files SET generation = dittofs_new_generation();`);
  },
  // 3: each entry's case-folded name (store.ts foldName), indexed: SMB's case-insensitive
  // lookups of new names find nothing without reading the directory.
  (db) => {
    db.function('dittofs_fold_name', { deterministic: true }, foldName);
    db.exec(`ALTER TABLE entries ADD COLUMN folded TEXT NOT NULL DEFAULT '';
             UPDATE entries SET folded = dittofs_fold_name(name);
             CREATE INDEX entries_by_folded ON entries (dir_id, folded, cookie);`);
  },
  // 4: DOS attributes (types.ts FileAttr.dosAttributes); existing files show ARCHIVE as before.
  `ALTER TABLE files ADD COLUMN dos_attributes INTEGER NOT NULL DEFAULT 0;
   UPDATE files SET dos_attributes = 32 WHERE type <> 2;`,
  // 5: files kept with no link while open (metadata/open-holds.ts), found at start without a scan.
  `CREATE INDEX files_unlinked ON files (fileid) WHERE nlink = 0;`,
  // 6: named streams (SMB alternate data streams, store.ts putStream; stream-rows.ts), deleted
  // with their file (queries.ts).
  STREAMS_TABLE,
];

/** Brings the schema up to date (or to version `target`, for tests), one transaction per step. */
export function migrate(db: Database, target = MIGRATIONS.length): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new DittoError(
      'CONFLICT',
      `metadata database schema ${current} is newer than this server (${MIGRATIONS.length}): upgrade dfs to open it`,
    );
  }
  for (let v = current; v < target; v++) {
    const step = MIGRATIONS[v]!;
    db.transaction(() => {
      if (typeof step === 'string') db.exec(step);
      else step(db);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
