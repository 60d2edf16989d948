import type { Migration } from '../migrate.ts';
import { migration001 } from './001_init.ts';
import { migration002 } from './002_share_default_access.ts';

/** Every schema migration, oldest first. Append only: never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [migration001, migration002];
