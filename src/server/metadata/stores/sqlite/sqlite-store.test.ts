import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileRecord } from '../../store.ts';
import { sampleRecord } from '../../storetest/suite.ts';
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
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.pragma('user_version = 99');
    db.close();
    await expect(SqliteMetadataStore.open(path)).rejects.toThrow(/newer/);
  });
});
