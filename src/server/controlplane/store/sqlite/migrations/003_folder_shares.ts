import type { Migration } from '../migrate.ts';

/**
 * Folder shares: a share is `managed` (its metadata and payload stores) or `folder` (an
 * existing directory served in place, no stores). The store columns become nullable, which
 * SQLite can only do by rebuilding the table. share_permissions, which references shares,
 * is rebuilt alongside so that dropping the old table deletes none of its rows (the
 * references follow the renames). The AUTOINCREMENT counter is carried over: share ids are
 * in file handles and are never reused.
 */
export const migration003: Migration = {
  version: 3,
  name: 'folder_shares',
  sql: `
    CREATE TABLE shares_v2 (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      kind TEXT NOT NULL CHECK (kind IN ('managed', 'folder')),
      metadata_store TEXT REFERENCES metadata_stores(name),
      payload_store TEXT REFERENCES payload_stores(name),
      folder_path TEXT,
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
      default_access TEXT NOT NULL CHECK (default_access IN ('none', 'read', 'write')),
      description TEXT NOT NULL,
      created_at TEXT NOT NULL,
      CHECK (CASE kind
        WHEN 'managed' THEN metadata_store IS NOT NULL AND payload_store IS NOT NULL AND folder_path IS NULL
        ELSE metadata_store IS NULL AND payload_store IS NULL AND folder_path IS NOT NULL END)
    ) STRICT;
    INSERT INTO shares_v2 (id, name, kind, metadata_store, payload_store, folder_path, enabled, read_only, squash,
      anon_uid, anon_gid, allowed_networks, nfs, smb, smb_options, guest_access, default_access, description, created_at)
    SELECT id, name, 'managed', metadata_store, payload_store, NULL, enabled, read_only, squash,
      anon_uid, anon_gid, allowed_networks, nfs, smb, smb_options, guest_access, default_access, description, created_at
    FROM shares;
    UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'shares') WHERE name = 'shares_v2';

    CREATE TABLE share_permissions_v2 (
      share_id INTEGER NOT NULL REFERENCES shares_v2(id) ON DELETE CASCADE,
      user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
      group_id TEXT REFERENCES groups(id) ON DELETE CASCADE,
      access TEXT NOT NULL CHECK (access IN ('none', 'read', 'write')),
      CHECK ((user_id IS NULL) <> (group_id IS NULL))
    ) STRICT;
    INSERT INTO share_permissions_v2 (share_id, user_id, group_id, access)
    SELECT share_id, user_id, group_id, access FROM share_permissions;

    DROP TABLE share_permissions;
    DROP TABLE shares;
    ALTER TABLE shares_v2 RENAME TO shares;
    ALTER TABLE share_permissions_v2 RENAME TO share_permissions;
    CREATE INDEX shares_metadata_store ON shares(metadata_store);
    CREATE INDEX shares_payload_store ON shares(payload_store);
    CREATE UNIQUE INDEX share_permissions_user ON share_permissions(share_id, user_id) WHERE user_id IS NOT NULL;
    CREATE UNIQUE INDEX share_permissions_group ON share_permissions(share_id, group_id) WHERE group_id IS NOT NULL;
  `,
};
