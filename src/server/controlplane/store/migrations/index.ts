import type { Migration } from '../migrate.ts';
import { migration001 } from './001_init.ts';

/** Every schema migration, oldest first. Append only: never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [migration001];
