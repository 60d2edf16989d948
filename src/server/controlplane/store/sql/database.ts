/**
 * What the control-plane tables need from a SQL database; SQLite and PostgreSQL each
 * provide it, so the tables (users.ts, shares.ts, ...) are written once. Statements use
 * `?` placeholders and SQL both engines speak: ON CONFLICT, RETURNING, `COLLATE NOCASE`
 * (a case-insensitive collation of that name in PostgreSQL), double-quoted aliases.
 */
export interface SqlRunner {
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Returns how many rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface SqlDatabase extends SqlRunner {
  /**
   * Runs `fn` as one transaction, serialised with every other writer of the database
   * (other processes too), so a read-then-write cannot interleave; rolled back when `fn`
   * throws. Inside, use only `tx`.
   */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** A unique or primary-key constraint failed; `key` names it as "table.column". */
export class UniqueViolation extends Error {
  override name = 'UniqueViolation';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}
