import type { Migration } from '../migrate.ts';

/** Share.durability. Existing shares keep what they did: COMMIT once the write log is durable. */
export const migration005: Migration = {
  version: 5,
  name: 'share_durability',
  sql: `
    ALTER TABLE shares ADD COLUMN durability TEXT NOT NULL DEFAULT 'local'
      CHECK (durability IN ('local', 'remote'));
  `,
};
