import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileRecord } from '../../store.ts';
import { sampleRecord } from '../../storetest/suite.ts';
import { MIGRATIONS, migrate } from './migrations.ts';
import { SqliteMetadataStore } from './sqlite-store.ts';

describe('SqliteMetadataStore specifics', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dittofs-sqlite-'));
    path = join(dir, 'nested', 'meta.db');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps uncommitted writes invisible to reads outside the transaction', async () => {
    const store = await SqliteMetadataStore.open(path);
    let outside: Promise<FileRecord | undefined> | undefined;
    const failed = store.transaction(async (tx) => {
      const id = await tx.createFile(sampleRecord());
      outside = store.getFile(id);
      expect(await tx.getFile(id)).toBeDefined();
      throw new Error('roll back');
    });
    await expect(failed).rejects.toThrow('roll back');
    expect(await outside).toBeUndefined();
    await store.close();
  });

  it('holds the database exclusively, in WAL mode, at the current schema version', async () => {
    const store = await SqliteMetadataStore.open(path);
    await store.transaction((tx) => tx.createFile(sampleRecord()));
    const other = new BetterSqlite3(path, { timeout: 0 });
    expect(() => other.prepare('SELECT count(*) FROM files').get()).toThrow(/locked/);
    other.close();
    await store.close();
    const db = new BetterSqlite3(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.pragma('user_version = 99');
    db.close();
    await expect(SqliteMetadataStore.open(path)).rejects.toThrow(/newer/);
  });

  it('gives the files of a schema 1 database random generations once, kept from then on', async () => {
    const file = join(dir, 'schema1.db');
    const db = new BetterSqlite3(file);
    migrate(db, 1);
    const insert = db.prepare(
      `INSERT INTO files VALUES (?, 1, 1, 1, 420, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, '', '', NULL)`,
    );
    for (let id = 1; id <= 50; id++) insert.run(id);
    db.close();

    let store = await SqliteMetadataStore.open(file);
    const generations = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => (await store.getFile(i + 1))!.generation),
    );
    for (const g of generations) expect(Number.isSafeInteger(g) && g > 0).toBe(true);
    expect(new Set(generations).size).toBe(50);
    await store.close();
    store = await SqliteMetadataStore.open(file);
    expect((await store.getFile(50))!.generation).toBe(generations[49]);
    await store.close();
  });
});
