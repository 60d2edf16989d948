/**
 * Numbered schema migrations of a PostgreSQL metadata store, in the store's own schema
 * (applied by postgres/schema.ts). Append new steps, never edit shipped ones.
 */

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
  // 2: each entry's case-folded name (store.ts foldName), indexed: SMB's case-insensitive
  // lookups of new names find nothing without reading the directory. Names stored before
  // this step fold by PostgreSQL's lower(): as JavaScript's for ASCII, and for most other
  // letters under a UTF-8 locale.
  `ALTER TABLE entries ADD COLUMN folded TEXT;
   UPDATE entries SET folded = lower(name);
   ALTER TABLE entries ALTER COLUMN folded SET NOT NULL;
   CREATE INDEX entries_by_folded ON entries (dir_id, folded, cookie);`,
  // 3: DOS attributes (types.ts FileAttr.dosAttributes); existing files show ARCHIVE as before.
  `ALTER TABLE files ADD COLUMN dos_attributes INTEGER NOT NULL DEFAULT 0;
   UPDATE files SET dos_attributes = 32 WHERE type <> 2;`,
  // 4: byte-range locks every instance serving the store's shares sees (locks/shared-locks.ts),
  // and each instance's lease: the locks of an instance whose lease lapsed no longer count.
  `CREATE TABLE range_locks (
     fileid BIGINT NOT NULL,
     instance TEXT NOT NULL,
     owner TEXT NOT NULL,
     kind TEXT NOT NULL,
     range_start NUMERIC NOT NULL,
     range_end NUMERIC NOT NULL
   );
   CREATE INDEX range_locks_by_file ON range_locks (fileid, instance, owner);
   CREATE TABLE lock_leases (instance TEXT PRIMARY KEY, renewed BIGINT NOT NULL);`,
  // 5: named streams (SMB alternate data streams, store.ts putStream), by file and case-folded
  // name; seq keeps creation order. Deleted with their file (postgres-store.ts delFile).
  `CREATE TABLE streams (
     fileid BIGINT NOT NULL,
     folded TEXT NOT NULL,
     name TEXT NOT NULL,
     data BYTEA NOT NULL,
     seq BIGSERIAL,
     PRIMARY KEY (fileid, folded)
   );`,
];
