/** Helpers every control-plane table uses. */
import { DittoError } from '../../../../shared/errors.ts';
import { UniqueViolation, type SqlRunner } from './database.ts';

/** First uid/gid handed out when none is given: below are system accounts. */
const FIRST_ID = 1000;

export const now = (): string => new Date().toISOString();

/** Callers may pass explicit `undefined`s (optional fields from parsed input); they mean "unchanged". */
export function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Runs a write, turning a unique-constraint failure into CONFLICT with the message for that "table.column". */
export async function unique<T>(write: () => Promise<T>, messages: Record<string, string>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof UniqueViolation) throw new DittoError('CONFLICT', messages[err.key] ?? err.message);
    throw err;
  }
}

/** Next free id at or above FIRST_ID in `column` of `table`. */
export async function nextId(r: SqlRunner, table: 'users' | 'groups', column: 'uid' | 'gid'): Promise<number> {
  const row = await r.get<{ max: number | null }>(`SELECT MAX(${column}) AS max FROM ${table}`);
  return Math.max(FIRST_ID - 1, row?.max ?? 0) + 1;
}

/** 0/1 columns (SQLite has no boolean type; PostgreSQL mirrors the schema). */
export const flag = (value: boolean): number => (value ? 1 : 0);
