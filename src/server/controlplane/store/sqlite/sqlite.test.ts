import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runControlPlaneStoreConformance } from '../conformance/index.ts';
import { migrate, type Migration } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { SqliteControlPlaneStore } from './sqlite.ts';

runControlPlaneStoreConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dittofs-cp-'));
  return {
    open: async () => SqliteControlPlaneStore.open(join(dir, 'controlplane.db')),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteControlPlaneStore', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dittofs-cp-'));
    file = join(dir, 'nested', 'controlplane.db');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the file owner-only in WAL mode, and migrates only once', async () => {
    const first = SqliteControlPlaneStore.open(file);
    expect(first.appliedMigrations).toEqual(MIGRATIONS.map((m) => m.version));
    await first.close();
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);

    const again = SqliteControlPlaneStore.open(file);
    expect(again.appliedMigrations).toEqual([]);
    await again.close();

    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual(MIGRATIONS.map((m) => m.version));
    db.close();
  });

  it('runs concurrent calls in turn on its one connection: no call joins or sees another’s transaction', async () => {
    const store = SqliteControlPlaneStore.open(file);
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.createUser({ username: `u${i}`, passwordHash: 'h' })),
    );
    expect(created.map((u) => u.uid)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007]);
    const clash = store.createUser({ username: 'U0', passwordHash: 'h' });
    const listed = store.listUsers();
    await expect(clash).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await listed).toHaveLength(8);
    await store.close();
  });

  it('works in memory', async () => {
    const store = SqliteControlPlaneStore.open(':memory:');
    await store.createUser({ username: 'alice', passwordHash: 'h' });
    expect(await store.listUsers()).toHaveLength(1);
    await store.close();
  });

  it('gives shares of an older database the default access they had: everyone may write', async () => {
    const old = join(dir, 'v1.db');
    const db = new Database(old);
    migrate(db, MIGRATIONS.slice(0, 1));
    db.exec(`INSERT INTO metadata_stores (name, type, config, created_at, updated_at) VALUES ('m', 'memory', '{}', '', '');
      INSERT INTO payload_stores (name, type, config, created_at, updated_at) VALUES ('p', 'memory', '{}', '', '');
      INSERT INTO shares (name, metadata_store, payload_store, enabled, read_only, squash, anon_uid, anon_gid,
        allowed_networks, nfs, smb, smb_options, guest_access, description, created_at)
      VALUES ('/old', 'm', 'p', 1, 0, 'root_to_guest', 65534, 65534, '[]', 1, 1,
        '{"browsable":true,"encrypt":false,"hostsAllow":[],"hostsDeny":[]}', 'none', '', '')`);
    db.close();
    const store = SqliteControlPlaneStore.open(old);
    expect((await store.getShare('/old')).defaultAccess).toBe('write');
    await store.close();
  });

  describe('migrate', () => {
    const tableExists = (db: Database.Database, name: string) =>
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    const m = (version: number, sql: string): Migration => ({ version, name: `m${version}`, sql });

    it('applies pending migrations in order and nothing on a current schema', () => {
      const db = new Database(':memory:');
      expect(migrate(db, [m(1, 'CREATE TABLE a (x)')])).toEqual([1]);
      expect(migrate(db, [m(1, 'CREATE TABLE a (x)'), m(2, 'ALTER TABLE a ADD COLUMN y')])).toEqual([2]);
      expect(migrate(db, [m(1, 'CREATE TABLE a (x)'), m(2, 'ALTER TABLE a ADD COLUMN y')])).toEqual([]);
      db.close();
    });

    it('rolls back every pending migration when one fails', () => {
      const db = new Database(':memory:');
      expect(() => migrate(db, [m(1, 'CREATE TABLE a (x)'), m(2, 'CREATE TABLE b (x); NOT SQL')])).toThrow();
      expect(tableExists(db, 'a')).toBe(false);
      expect(migrate(db, [m(1, 'CREATE TABLE a (x)')])).toEqual([1]);
      db.close();
    });

    it('refuses a database newer than the code, and misnumbered migrations', () => {
      const db = new Database(':memory:');
      migrate(db, [m(1, 'CREATE TABLE a (x)'), m(2, 'CREATE TABLE b (x)')]);
      expect(() => migrate(db, [m(1, 'CREATE TABLE a (x)')])).toThrow(
        expect.objectContaining({ code: 'NOT_SUPPORTED', message: expect.stringContaining('version 2 is newer') }),
      );
      expect(() => migrate(db, [m(2, 'CREATE TABLE c (x)')])).toThrow('expected 1');
      db.close();
    });
  });
});

describe('migration 3 (folder shares)', () => {
  it('keeps every share as a managed one with its permissions, and never reuses an id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dittofs-cp-'));
    const file = join(dir, 'controlplane.db');
    try {
      const older = new Database(file);
      older.pragma('foreign_keys = ON');
      migrate(older, MIGRATIONS.slice(0, 2));
      const now = new Date().toISOString();
      older.prepare("INSERT INTO metadata_stores VALUES ('meta', 'sqlite', '{}', ?, ?)").run(now, now);
      older.prepare("INSERT INTO payload_stores VALUES ('blocks', 'fs', '{}', ?, ?)").run(now, now);
      older
        .prepare(
          "INSERT INTO users (id, username, password_hash, role, uid, gid, enabled, must_change_password, password_changed_at, created_at, updated_at) VALUES ('u1', 'alice', 'h', 'user', 1000, 1000, 1, 0, ?, ?, ?)",
        )
        .run(now, now, now);
      const share = older.prepare(
        "INSERT INTO shares (name, metadata_store, payload_store, enabled, read_only, squash, anon_uid, anon_gid, allowed_networks, nfs, smb, smb_options, guest_access, description, created_at) VALUES (?, 'meta', 'blocks', 1, 0, 'none', 1, 2, '[]', 1, 1, '{}', 'none', '', ?)",
      );
      for (const name of ['/a', '/b', '/c']) share.run(name, now);
      older.prepare("DELETE FROM shares WHERE name = '/c'").run();
      older.prepare("INSERT INTO share_permissions (share_id, user_id, access) VALUES (2, 'u1', 'write')").run();
      older.close();

      const store = SqliteControlPlaneStore.open(file);
      expect(store.appliedMigrations).toEqual(MIGRATIONS.slice(2).map((m) => m.version));
      expect((await store.listShares()).map((s) => [s.id, s.name, s.kind, s.path, s.metadataStore])).toEqual([
        [1, '/a', 'managed', '', 'meta'],
        [2, '/b', 'managed', '', 'meta'],
      ]);
      expect(await store.listSharePermissions('/b')).toEqual([
        { share: '/b', principalType: 'user', principal: 'alice', access: 'write' },
      ]);
      expect((await store.createShare({ name: '/d', kind: 'folder', path: '/srv/d' })).id).toBe(4);
      await store.deleteShare('/b');
      await store.close();
      const db = new Database(file, { readonly: true });
      expect(db.prepare('SELECT count(*) FROM share_permissions').pluck().get()).toBe(0);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
