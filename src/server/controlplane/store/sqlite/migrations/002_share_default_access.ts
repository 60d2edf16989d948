import type { Migration } from '../migrate.ts';

/** Share.defaultAccess. Existing shares keep what they did: everyone may write. */
export const migration002: Migration = {
  version: 2,
  name: 'share_default_access',
  sql: `
    ALTER TABLE shares ADD COLUMN default_access TEXT NOT NULL DEFAULT 'write'
      CHECK (default_access IN ('none', 'read', 'write'));
  `,
};
