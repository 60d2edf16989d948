import type { Migration } from '../migrate.ts';
import { migration001 } from './001_init.ts';
import { migration002 } from './002_share_default_access.ts';
import { migration003 } from './003_folder_shares.ts';
import { migration004 } from './004_instances.ts';
import { migration005 } from './005_share_durability.ts';

/** Every schema migration, oldest first. Append only: never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005];
