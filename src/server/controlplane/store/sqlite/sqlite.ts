/**
 * ControlPlaneStore on one SQLite file (better-sqlite3): the SQL tables of ../sql/ over a
 * synchronous connection. Every call — a statement or a whole transaction — runs in turn
 * from one queue, so another call can never see or join a transaction that is still open
 * on the shared connection; transactions are IMMEDIATE, taking the write lock up front so
 * a read-then-write cannot interleave with another process.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UniqueViolation, type SqlDatabase, type SqlRunner } from '../sql/database.ts';
import { SqlControlPlaneStore } from '../sql/sql-store.ts';
import { migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';

/** Statements on the connection, prepared once; unique-constraint failures as UniqueViolation. */
class SqliteRunner implements SqlRunner {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.call(() => this.statement(sql).all(...params) as T[]);
  }

  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return this.call(() => this.statement(sql).get(...params) as T | undefined);
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.call(() => this.statement(sql).run(...params).changes);
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (
        err instanceof Database.SqliteError &&
        (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
      ) {
        throw new UniqueViolation(err.message.replace('UNIQUE constraint failed: ', ''), err.message);
      }
      throw err;
    }
  }
}

class SqliteDatabase implements SqlDatabase {
  private readonly runner: SqliteRunner;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Database.Database) {
    this.runner = new SqliteRunner(db);
  }

  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.inTurn(() => this.runner.all<T>(sql, params));
  }

  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.inTurn(() => this.runner.get<T>(sql, params));
  }

  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.inTurn(() => this.runner.run(sql, params));
  }

  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.inTurn(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const value = await fn(this.runner);
        this.db.exec('COMMIT');
        return value;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.db.open) this.db.close();
  }

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(fn);
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

export class SqliteControlPlaneStore extends SqlControlPlaneStore {
  private constructor(
    db: Database.Database,
    /** Migration versions applied by this open (empty when the schema was current). */
    readonly appliedMigrations: number[],
  ) {
    super(new SqliteDatabase(db));
  }

  /** Opens (creating if needed) the database at `file` and migrates it; ':memory:' works too. */
  static open(file: string): SqliteControlPlaneStore {
    const onDisk = file !== ':memory:';
    // Owner-only: the database holds password hashes and NT hashes (password equivalents).
    if (onDisk) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const db = new Database(file);
    try {
      if (onDisk) {
        chmodSync(file, 0o600);
        db.pragma('journal_mode = WAL');
      }
      db.pragma('foreign_keys = ON');
      return new SqliteControlPlaneStore(db, migrate(db, MIGRATIONS));
    } catch (err) {
      db.close();
      throw err;
    }
  }
}
