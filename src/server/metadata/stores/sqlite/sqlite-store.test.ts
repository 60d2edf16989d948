import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refusal } from '../../../testing/refusal.ts';
import type { FileRecord, StoreTx } from '../../store.ts';
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

  it('serves records and listings read outside transactions as committed, after writes and rollbacks', async () => {
    const store = await SqliteMetadataStore.open(path);
    const { dirId, id } = await store.transaction(async (tx) => {
      const d = await tx.createFile(sampleRecord());
      const f = await tx.createFile(sampleRecord());
      await tx.addEntry(d, 'f', f);
      return { dirId: d, id: f };
    });
    const sizeOf = async (): Promise<number[]> => [
      (await store.getFile(id))!.attr.size,
      (await store.listDir(dirId, 0, 10))[0]!.file.attr.size,
    ];
    const before = (await sizeOf())[0]!;
    const resize = (size: number, fail: boolean) =>
      store.transaction(async (tx) => {
        const rec = (await tx.getFile(id))!;
        await tx.putFile({ ...rec, attr: { ...rec.attr, size } });
        if (fail) throw new Error('roll back');
      });
    await expect(resize(before + 1, true)).rejects.toThrow('roll back');
    expect(await sizeOf()).toEqual([before, before]);
    await resize(before + 2, false);
    expect(await sizeOf()).toEqual([before + 2, before + 2]);
    await store.transaction((tx) => tx.deleteFile(id));
    expect(await store.getFile(id)).toBeUndefined();
    await store.close();
  });

  it("shows each body of a group what the group's earlier bodies wrote, and nothing of a body rolled back", async () => {
    const store = await SqliteMetadataStore.open(path);
    const [id, gone] = await store.transaction(async (tx) => [
      await tx.createFile(sampleRecord()),
      await tx.createFile(sampleRecord()),
    ]);
    const resize = async (tx: StoreTx, size: number) => {
      const rec = (await tx.getFile(id))!;
      await tx.putFile({ ...rec, attr: { ...rec.attr, size } });
    };
    const seen: Array<number | undefined> = [];
    // Queued in one turn: one group, one body after the other.
    const bodies = [
      store.transaction(async (tx) => {
        await resize(tx, 5);
        await tx.deleteFile(gone);
      }),
      store.transaction(async (tx) => {
        seen.push((await tx.getFile(id))!.attr.size);
        await resize(tx, 6);
        seen.push((await tx.getFile(id))!.attr.size);
        throw new Error('roll back');
      }),
      store.transaction(async (tx) => {
        seen.push((await tx.getFile(id))!.attr.size, (await tx.getFile(gone))?.attr.size);
      }),
    ];
    const results = await Promise.allSettled(bodies);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(seen).toEqual([5, 6, 5, undefined]);
    expect((await store.getFile(id))!.attr.size).toBe(5);
    expect(await store.getFile(gone)).toBeUndefined();
    await store.close();
    // What the cache served is what was committed.
    const again = await SqliteMetadataStore.open(path);
    expect((await again.getFile(id))!.attr.size).toBe(5);
    expect(await again.getFile(gone)).toBeUndefined();
    await again.close();
  });

  it('never hands out a fileid or cookie twice, across restarts and after removals', async () => {
    const create = (store: SqliteMetadataStore, dirId: number, name: string) =>
      store.transaction(async (tx) => {
        const id = await tx.createFile(sampleRecord());
        await tx.addEntry(dirId, name, id);
        return id;
      });
    const nextFileIdOnDisk = () => {
      const db = new BetterSqlite3(path, { readonly: true });
      try {
        return db.prepare("SELECT value FROM meta WHERE key = 'next_fileid'").pluck(true).get() as number;
      } finally {
        db.close();
      }
    };
    let store = await SqliteMetadataStore.open(path);
    const dirId = await store.transaction((tx) => tx.createFile(sampleRecord()));
    const first = await Promise.all(Array.from({ length: 20 }, (_, i) => create(store, dirId, `a${i}`)));
    await store.close();
    const limit = nextFileIdOnDisk();
    expect(limit).toBeGreaterThan(Math.max(...first));

    store = await SqliteMetadataStore.open(path);
    // The newest file removed: its id is still never given again.
    await store.transaction(async (tx) => {
      await tx.removeEntry(dirId, 'a19');
      await tx.deleteFile(first[19]!);
    });
    const second = await create(store, dirId, 'b');
    expect(second).toBeGreaterThanOrEqual(limit);
    await store.close();
    expect(nextFileIdOnDisk()).toBeGreaterThan(second);

    store = await SqliteMetadataStore.open(path);
    const entries = await store.listDir(dirId, 0, 100);
    const cookies = entries.map((e) => e.cookie);
    expect(new Set(cookies).size).toBe(cookies.length);
    expect(cookies.at(-1)).toBe(Math.max(...cookies)); // the newest entry, after the restart, sorts last
    expect(entries.at(-1)!.name).toBe('b');
    await store.close();
  });

  it('lists a directory whose records are cached in part', async () => {
    const store = await SqliteMetadataStore.open(path);
    const [dirId, ...ids] = await store.transaction(async (tx) => {
      const d = await tx.createFile(sampleRecord());
      const files = [await tx.createFile(sampleRecord()), await tx.createFile(sampleRecord())];
      for (const [i, f] of files.entries()) await tx.addEntry(d, `f${i}`, f);
      return [d, ...files];
    });
    await store.getFile(ids[0]!); // cached: the page's second entry is not
    const listed = async () => (await store.listDir(dirId!, 0, 10)).map((e) => [e.name, e.file.attr.fileid]);
    expect(await listed()).toEqual([
      ['f0', ids[0]],
      ['f1', ids[1]],
    ]);
    expect(await listed()).toEqual(await listed());
    await store.close();
  });

  it('lists a listed directory afresh after entries are added, removed or renamed, and not after a rollback', async () => {
    const store = await SqliteMetadataStore.open(path);
    const dirId = await store.transaction(async (tx) => {
      const d = await tx.createFile(sampleRecord());
      for (let i = 0; i < 3; i++) await tx.addEntry(d, `f${i}`, await tx.createFile(sampleRecord()));
      return d;
    });
    const names = async (after = 0): Promise<string[]> => (await store.listDir(dirId, after, 10)).map((e) => e.name);
    expect(await names()).toEqual(['f0', 'f1', 'f2']);
    expect(await names()).toEqual(['f0', 'f1', 'f2']); // warm: from the page cache
    const secondCookie = (await store.listDir(dirId, 0, 10))[1]!.cookie;
    expect(await names(secondCookie)).toEqual(['f2']);
    await store.transaction(async (tx) => {
      await tx.removeEntry(dirId, 'f1');
      await tx.addEntry(dirId, 'f3', await tx.createFile(sampleRecord()));
    });
    expect(await names()).toEqual(['f0', 'f2', 'f3']);
    expect(await names(secondCookie)).toEqual(['f2', 'f3']);
    const failed = store.transaction(async (tx) => {
      await tx.removeEntry(dirId, 'f0');
      throw new Error('roll back');
    });
    await expect(failed).rejects.toThrow('roll back');
    expect(await names()).toEqual(['f0', 'f2', 'f3']);
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
    // Migration 4: files made before DOS attributes were kept show ARCHIVE, as they did.
    expect((await store.getFile(1))!.attr.dosAttributes).toBe(0x20);
    await store.close();
    store = await SqliteMetadataStore.open(file);
    expect((await store.getFile(50))!.generation).toBe(generations[49]);
    await store.close();
  });

  it('folds the names of a schema 2 database for case-insensitive lookups', async () => {
    const file = join(dir, 'schema2.db');
    const db = new BetterSqlite3(file);
    migrate(db, 2);
    db.exec(`INSERT INTO entries (dir_id, name, child_id, cookie) VALUES (1, 'Été.TXT', 2, 1), (1, 'b', 3, 2)`);
    db.close();

    const store = await SqliteMetadataStore.open(file);
    expect(await store.findCaseless(1, 'été.txt')).toBe('Été.TXT');
    expect(await store.findCaseless(1, 'B')).toBe('b');
    expect(await store.findCaseless(2, 'b')).toBeUndefined();
    await store.close();
  });
});

describe('SqliteMetadataStore.open: only its own database', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dittofs-sqlite-open-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a file that is not a database, leaving it as it was', async () => {
    const file = join(dir, 'notes.txt');
    await writeFile(file, 'plain text that happens to be longer than a header');
    const err = await refusal(SqliteMetadataStore.open(file, { owner: 'm' }));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/not a SQLite database/);
    expect(await readFile(file, 'utf8')).toBe('plain text that happens to be longer than a header');
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });

  it("refuses another program's SQLite database, leaving it as it was", async () => {
    const file = join(dir, 'app.db');
    const db = new BetterSqlite3(file);
    db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('ann')");
    db.close();
    const before = await readFile(file);
    const err = await refusal(SqliteMetadataStore.open(file, { owner: 'm' }));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/not a DittoFS metadata store/);
    expect((await readFile(file)).equals(before)).toBe(true);
  });

  it('refuses a database another connection holds, at once instead of after a busy wait', async () => {
    const file = join(dir, 'm.db');
    const first = await SqliteMetadataStore.open(file, { owner: 'm' });
    try {
      const err = await refusal(SqliteMetadataStore.open(file, { owner: 'm' }));
      expect(err.code).toBe('IN_USE');
      expect(err.message).toMatch(/in use/);
    } finally {
      await first.close();
    }
  });

  it('refuses a folder where its file should be', async () => {
    expect((await refusal(SqliteMetadataStore.open(dir, { owner: 'm' }))).code).toBe('IS_DIRECTORY');
  });

  it('refuses a new database where journal files of another are left', async () => {
    const file = join(dir, 'm.db');
    await writeFile(`${file}-wal`, 'a journal of some other database');
    expect((await refusal(SqliteMetadataStore.open(file, { owner: 'm' }))).code).toBe('CONFLICT');
    expect(await readFile(`${file}-wal`, 'utf8')).toBe('a journal of some other database');
  });

  it("refuses to make a database of another database's journal", async () => {
    const file = join(dir, 'm.db');
    await (await SqliteMetadataStore.open(file, { owner: 'm' })).close();
    const err = await refusal(SqliteMetadataStore.open(`${file}-wal`, { owner: 'm2' }));
    expect(err.code).toBe('CONFLICT');
    expect(await readdir(dir)).toEqual(['m.db']);
  });

  it('takes an empty file as a new database', async () => {
    const file = join(dir, 'm.db');
    await writeFile(file, '');
    const store = await SqliteMetadataStore.open(file, { owner: 'm' });
    await store.close();
  });

  it('reopens for its own store only', async () => {
    const file = join(dir, 'm.db');
    const store = await SqliteMetadataStore.open(file, { owner: 'm1' });
    await store.transaction((tx) => tx.createFile(sampleRecord()));
    await store.close();
    const err = await refusal(SqliteMetadataStore.open(file, { owner: 'm2' }));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/metadata store "m1"/);
    const again = await SqliteMetadataStore.open(file, { owner: 'm1' });
    expect(await again.fileCount()).toBe(1);
    await again.close();
  });

  it('opens a store made before stores recorded their name, serves its files, and claims it', async () => {
    const file = join(dir, 'm.db');
    const old = await SqliteMetadataStore.open(file);
    const id = await old.transaction((tx) => tx.createFile(sampleRecord()));
    await old.close();
    const db = new BetterSqlite3(file);
    expect(db.prepare("SELECT count(*) FROM meta WHERE key = 'store'").pluck().get()).toBe(0);
    db.close();
    const store = await SqliteMetadataStore.open(file, { owner: 'old' });
    expect((await store.getFile(id))?.attr.fileid).toBe(id);
    await store.close();
    expect((await refusal(SqliteMetadataStore.open(file, { owner: 'new' }))).code).toBe('CONFLICT');
  });
});
