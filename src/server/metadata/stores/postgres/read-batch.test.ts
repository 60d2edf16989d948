import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { POSTGRESQL, unmet } from '../../../../../e2e/helpers/requirements.ts';
import { isDittoError } from '../../../../shared/errors.ts';
import { poolConfig } from '../../../postgres/config.ts';
import { createTestDatabase, type TestDatabase } from '../../../postgres/testing/database.ts';
import { sampleRecord } from '../../storetest/suite.ts';
import { FileType } from '../../types.ts';
import { PostgresMetadataStore } from './postgres-store.ts';
import { ReadBatcher } from './read-batch.ts';

/** A fileid PostgreSQL cannot take as a BIGINT: its statement fails. */
const OUT_OF_RANGE = 2 ** 64;

describe.skipIf(unmet(POSTGRESQL) !== null)('batched reads on a real PostgreSQL', () => {
  let db: TestDatabase;
  let a: PostgresMetadataStore;
  let b: PostgresMetadataStore;
  let dir: number;
  const files: number[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    // Two instances on one schema, as two dfs servers of a cluster.
    a = await PostgresMetadataStore.open({ url: db.url, schema: 'shared' }, 'a');
    b = await PostgresMetadataStore.open({ url: db.url, schema: 'shared' }, 'b');
    dir = await a.transaction((tx) => tx.createFile(sampleRecord({ type: FileType.Directory, nlink: 2 })));
    for (let i = 0; i < 5; i++) {
      files.push(
        await a.transaction(async (tx) => {
          const id = await tx.createFile(sampleRecord({ size: i }));
          await tx.addEntry(dir, `f${i}`, id);
          return id;
        }),
      );
    }
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('answers reads made together with one statement, each with its own record', async () => {
    const pool = new pg.Pool(poolConfig({ url: db.url }, 'shared', pg.types));
    let statements = 0;
    const query = pool.query.bind(pool);
    pool.query = ((...args: Parameters<typeof query>) => (statements++, query(...args))) as typeof pool.query;
    try {
      const reads = new ReadBatcher(pool);
      const [f0, missing, looked, absent, again] = await Promise.all([
        reads.getFile(files[0]!),
        reads.getFile(1e12),
        reads.dirAndEntry(dir, 'f3'),
        reads.dirAndEntry(dir, 'nope'),
        reads.getFile(files[0]!),
      ]);
      expect(statements).toBe(1);
      expect(f0?.attr.size).toBe(0);
      expect(again?.attr.fileid).toBe(files[0]);
      expect(missing).toBeUndefined();
      expect(looked.dir?.attr.fileid).toBe(dir);
      expect(looked.file?.attr).toMatchObject({ fileid: files[3], size: 3 });
      expect(absent.dir?.attr.fileid).toBe(dir);
      expect(absent.file).toBeUndefined();
    } finally {
      await pool.end();
    }
  });

  it('fails only the read whose argument PostgreSQL refuses', async () => {
    const results = await Promise.allSettled([a.getFile(files[1]!), a.getFile(OUT_OF_RANGE), a.dirAndEntry(dir, 'f2')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(isDittoError((results[1] as PromiseRejectedResult).reason, 'IO')).toBe(true);
    expect((results[2] as PromiseFulfilledResult<{ file: unknown }>).value.file).toBeDefined();
  });

  it("sees another instance's committed change at once (close-to-open, no cache)", async () => {
    await b.getFile(files[4]!); // a read the next one could wrongly reuse
    for (let size = 100; size < 105; size++) {
      await a.transaction(async (tx) => {
        const rec = (await tx.getFile(files[4]!))!;
        await tx.putFile({ ...rec, attr: { ...rec.attr, size } });
      });
      expect((await b.getFile(files[4]!))?.attr.size).toBe(size);
      expect((await b.dirAndEntry(dir, 'f4')).file?.attr.size).toBe(size);
    }
  });
});
