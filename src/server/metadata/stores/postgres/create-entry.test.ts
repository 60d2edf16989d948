// StoreTx.createEntry on PostgreSQL (one statement for createFile + addEntry + putFile of
// the directory) against the same three calls made one by one: same records, same errors,
// and nothing left behind by a creation that failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRESQL, unmet } from '../../../../../e2e/helpers/requirements.ts';
import { isDittoError } from '../../../../shared/errors.ts';
import { createTestDatabase, type TestDatabase } from '../../../postgres/testing/database.ts';
import { createEntry, type FileRecord, type StoreTx } from '../../store.ts';
import { sampleRecord } from '../../storetest/suite.ts';
import { FileType } from '../../types.ts';
import { PostgresMetadataStore } from './postgres-store.ts';

describe.skipIf(unmet(POSTGRESQL) !== null)('createEntry on a real PostgreSQL', () => {
  let db: TestDatabase;
  let store: PostgresMetadataStore;
  let dir: FileRecord;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await PostgresMetadataStore.open({ url: db.url }, 'creates');
    const id = await store.transaction((tx) => tx.createFile(sampleRecord({ type: FileType.Directory, nlink: 2 })));
    dir = (await store.getFile(id))!;
  });

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  /** The directory with a new size, so its update shows. */
  const touched = (size: number): FileRecord => ({ ...dir, attr: { ...dir.attr, size } });

  it('stores the file, its entry and the directory in one step, as the three calls would', async () => {
    const rec = sampleRecord();
    let usedOneStep = false;
    const id = await store.transaction((tx: StoreTx) => {
      usedOneStep = tx.createEntry !== undefined;
      return createEntry(tx, rec, 'a', touched(1));
    });
    expect(usedOneStep).toBe(true);
    expect(rec.attr.fileid).toBe(id);
    expect(await store.getFile(id)).toEqual(rec);
    expect(await store.lookup(dir.attr.fileid, 'a')).toBe(id);
    expect((await store.getFile(dir.attr.fileid))?.attr.size).toBe(1);
    const [entry] = await store.listDir(dir.attr.fileid, 0, 10);
    expect(entry).toMatchObject({ name: 'a', file: rec });
    expect(entry!.cookie).toBeGreaterThan(0);
  });

  it('fails with EXISTS for a taken name and leaves no file and no directory change', async () => {
    const files = await store.fileCount();
    const err = await store
      .transaction((tx) => createEntry(tx, sampleRecord(), 'a', touched(2)))
      .catch((e: unknown) => e);
    expect(isDittoError(err, 'EXISTS'), String(err)).toBe(true);
    expect((await store.getFile(dir.attr.fileid))?.attr.size).toBe(1);
    expect(await store.fileCount()).toBe(files);
  });

  it('fails with NOT_FOUND for a directory record of another generation, and stores nothing', async () => {
    const stale: FileRecord = { ...touched(3), generation: dir.generation + 1 };
    const err = await store.transaction((tx) => createEntry(tx, sampleRecord(), 'b', stale)).catch((e: unknown) => e);
    expect(isDittoError(err, 'NOT_FOUND'), String(err)).toBe(true);
    expect(await store.lookup(dir.attr.fileid, 'b')).toBeUndefined();
  });

  it('keeps the other bodies of a group when one of them fails', async () => {
    const names = ['c', 'a', 'd'];
    const results = await Promise.allSettled(
      names.map((n, i) => store.transaction((tx) => createEntry(tx, sampleRecord(), n, touched(10 + i)))),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const listed = (await store.listDir(dir.attr.fileid, 0, 10)).map((e) => e.name);
    expect(listed).toEqual(['a', 'c', 'd']);
    expect((await store.getFile(dir.attr.fileid))?.attr.size).toBe(12);
  });
});
