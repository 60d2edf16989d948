/** The metadata_stores and payload_stores tables: the same shape, one implementation. */
import { DittoError } from '../../../../shared/errors.ts';
import type { NewStoreConfig, StoreConfig } from '../../models.ts';
import { now, unique } from './common.ts';
import type { SqlDatabase, SqlRunner } from './database.ts';

interface StoreConfigRow {
  name: string;
  type: string;
  config: string;
  created_at: string;
  updated_at: string;
}

export class StoreConfigTable<T extends string> {
  constructor(
    private readonly db: SqlDatabase,
    private readonly table: 'metadata_stores' | 'payload_stores',
    /** 'metadata store' / 'payload store', for messages. */
    private readonly kind: string,
    /** The column of shares that references this table. */
    private readonly shareColumn: 'metadata_store' | 'payload_store',
  ) {}

  async list(): Promise<StoreConfig<T>[]> {
    return (await this.db.all<StoreConfigRow>(`SELECT * FROM ${this.table} ORDER BY name`)).map((r) =>
      this.toConfig(r),
    );
  }

  /** Through `r`: a share's stores are checked inside the share's transaction. */
  async get(name: string, r: SqlRunner = this.db): Promise<StoreConfig<T>> {
    const row = await r.get<StoreConfigRow>(`SELECT * FROM ${this.table} WHERE name = ?`, [name]);
    if (!row) throw new DittoError('NOT_FOUND', `${this.kind} '${name}' not found`);
    return this.toConfig(row);
  }

  async create(c: NewStoreConfig<T>): Promise<StoreConfig<T>> {
    const t = now();
    await unique(
      () =>
        this.db.run(`INSERT INTO ${this.table} (name, type, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`, [
          c.name,
          c.type,
          JSON.stringify(c.config ?? {}),
          t,
          t,
        ]),
      { [`${this.table}.name`]: `${this.kind} '${c.name}' already exists` },
    );
    return this.get(c.name);
  }

  async update(name: string, config: Record<string, unknown>): Promise<StoreConfig<T>> {
    const changes = await this.db.run(`UPDATE ${this.table} SET config = ?, updated_at = ? WHERE name = ?`, [
      JSON.stringify(config),
      now(),
      name,
    ]);
    if (changes === 0) throw new DittoError('NOT_FOUND', `${this.kind} '${name}' not found`);
    return this.get(name);
  }

  /** IN_USE while a share references it. */
  delete(name: string): Promise<void> {
    return this.db.transaction(async (tx) => {
      await this.get(name, tx);
      const users = await tx.all<{ name: string }>(
        `SELECT name FROM shares WHERE ${this.shareColumn} = ? ORDER BY name`,
        [name],
      );
      if (users.length > 0) {
        throw new DittoError(
          'IN_USE',
          `${this.kind} '${name}' is used by share ${users.map((r) => r.name).join(', ')}`,
        );
      }
      await tx.run(`DELETE FROM ${this.table} WHERE name = ?`, [name]);
    });
  }

  private toConfig(r: StoreConfigRow): StoreConfig<T> {
    return {
      name: r.name,
      type: r.type as T,
      config: JSON.parse(r.config) as Record<string, unknown>,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }
}
