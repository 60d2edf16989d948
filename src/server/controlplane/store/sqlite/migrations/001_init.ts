import type { Migration } from '../migrate.ts';

/** Initial schema. User, group and share names compare case-insensitively, as SMB clients expect. */
export const migration001: Migration = {
  version: 1,
  name: 'init',
  sql: `
    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      username TEXT NOT NULL UNIQUE COLLATE NOCASE,
      password_hash TEXT NOT NULL,
      nt_hash TEXT,
      role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'user')),
      uid INTEGER NOT NULL UNIQUE,
      gid INTEGER NOT NULL,
      enabled INTEGER NOT NULL,
      must_change_password INTEGER NOT NULL,
      password_changed_at TEXT NOT NULL,
      display_name TEXT,
      email TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE groups (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      gid INTEGER NOT NULL UNIQUE,
      created_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE group_members (
      group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      PRIMARY KEY (group_id, user_id)
    ) STRICT;
    CREATE INDEX group_members_user ON group_members(user_id);

    CREATE TABLE metadata_stores (
      name TEXT PRIMARY KEY,
      type TEXT NOT NULL CHECK (type IN ('memory', 'sqlite', 'postgres')),
      config TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE payload_stores (
      name TEXT PRIMARY KEY,
      type TEXT NOT NULL CHECK (type IN ('memory', 'fs', 's3')),
      config TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;

    -- AUTOINCREMENT: share ids are baked into NFS file handles and must never be reused.
    CREATE TABLE shares (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      metadata_store TEXT NOT NULL REFERENCES metadata_stores(name),
      payload_store TEXT NOT NULL REFERENCES payload_stores(name),
      enabled INTEGER NOT NULL,
      read_only INTEGER NOT NULL,
      squash TEXT NOT NULL CHECK (squash IN ('none', 'root_to_guest', 'all_to_guest')),
      anon_uid INTEGER NOT NULL,
      anon_gid INTEGER NOT NULL,
      allowed_networks TEXT NOT NULL,
      nfs INTEGER NOT NULL,
      smb INTEGER NOT NULL,
      smb_options TEXT NOT NULL,
      guest_access TEXT NOT NULL CHECK (guest_access IN ('none', 'read', 'write')),
      description TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX shares_metadata_store ON shares(metadata_store);
    CREATE INDEX shares_payload_store ON shares(payload_store);

    -- Exactly one of user_id / group_id, each with its own FK so deletes cascade.
    CREATE TABLE share_permissions (
      share_id INTEGER NOT NULL REFERENCES shares(id) ON DELETE CASCADE,
      user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
      group_id TEXT REFERENCES groups(id) ON DELETE CASCADE,
      access TEXT NOT NULL CHECK (access IN ('none', 'read', 'write')),
      CHECK ((user_id IS NULL) <> (group_id IS NULL))
    ) STRICT;
    CREATE UNIQUE INDEX share_permissions_user ON share_permissions(share_id, user_id) WHERE user_id IS NOT NULL;
    CREATE UNIQUE INDEX share_permissions_group ON share_permissions(share_id, group_id) WHERE group_id IS NOT NULL;

    CREATE TABLE adapters (
      type TEXT PRIMARY KEY CHECK (type IN ('nfs', 'smb')),
      enabled INTEGER NOT NULL,
      port INTEGER NOT NULL,
      bind TEXT NOT NULL,
      settings TEXT NOT NULL
    ) STRICT;

    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;

    -- A single row, absent until the guest account is first configured.
    CREATE TABLE guest (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      enabled INTEGER NOT NULL,
      uid INTEGER NOT NULL,
      gid INTEGER NOT NULL
    ) STRICT;
  `,
};
