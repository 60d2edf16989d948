import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { POSTGRESQL, unmet } from '../../../../../e2e/helpers/requirements.ts';
import { isDittoError } from '../../../../shared/errors.ts';
import { createTestDatabase, type TestDatabase } from '../../../postgres/testing/database.ts';
import { sampleRecord } from '../../storetest/suite.ts';
import type { StoreTx } from '../../store.ts';
import { MAX_TRIES, PgGroupCommit, type GroupSlot } from './group-commit.ts';
import { PostgresMetadataStore } from './postgres-store.ts';

/** A fileid PostgreSQL cannot take as a BIGINT: the query fails and aborts the transaction. */
const OUT_OF_RANGE = 1e30;

describe.skipIf(unmet(POSTGRESQL) !== null)('group commit on a real PostgreSQL', () => {
  let db: TestDatabase;
  let store: PostgresMetadataStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await PostgresMetadataStore.open({ url: db.url }, 'groups');
  });

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('runs bodies queued together in one PostgreSQL transaction, later ones in the next', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 3 });
    const groups = new PgGroupCommit<GroupSlot>(
      pool,
      (slot) => slot,
      () => undefined,
    );
    const txid = (slot: GroupSlot) =>
      slot.db.query('SELECT txid_current()::text AS id').then((r) => (r.rows[0] as { id: string }).id);
    try {
      const together = await Promise.all(Array.from({ length: 10 }, () => groups.run(txid)));
      expect(new Set(together).size).toBe(1);
      const after = await groups.run(txid);
      expect(after).not.toBe(together[0]);
    } finally {
      await groups.idle();
      await pool.end();
    }
  });

  it('runs a body again after a conflict, and fails it with RETRY_LATER after MAX_TRIES', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 3 });
    const groups = new PgGroupCommit<GroupSlot>(
      pool,
      (slot) => slot,
      () => undefined,
    );
    // A deadlock as PostgreSQL reports one: the transaction is rolled back.
    const deadlock = (slot: GroupSlot) =>
      slot.db.query(`DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$`);
    let runs = 0;
    try {
      const once = groups.run(async (slot) => {
        slot.beforeWrite();
        if (++runs === 1) await deadlock(slot);
        return runs;
      });
      let always = 0;
      const never = groups.run(async (slot) => {
        always++;
        slot.beforeWrite();
        await deadlock(slot);
      });
      expect(await once).toBe(2);
      expect(await never.catch((e: unknown) => (isDittoError(e, 'RETRY_LATER') ? always : e))).toBe(MAX_TRIES);
    } finally {
      await groups.idle();
      await pool.end();
    }
  });

  /** Concurrent transactions, each creating a file under its own name in a new directory. */
  async function concurrentCreates(bodies: Array<(tx: StoreTx) => Promise<void>>) {
    const dir = await store.transaction((tx) => tx.createFile(sampleRecord()));
    const results = await Promise.allSettled(
      bodies.map((extra, i) =>
        store.transaction(async (tx) => {
          await tx.addEntry(dir, `n${i}`, await tx.createFile(sampleRecord()));
          await extra(tx);
        }),
      ),
    );
    const listed = (await store.listDir(dir, 0, 100)).map((e) => e.name);
    return { results: results.map((r) => r.status), listed };
  }
  const ok = async (): Promise<void> => {};

  it('rolls back only a body whose query fails after its own writes', async () => {
    const failing = async (tx: StoreTx) => void (await tx.getFile(OUT_OF_RANGE));
    const { results, listed } = await concurrentCreates([ok, failing, ok, failing]);
    expect(results).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(listed).toEqual(['n0', 'n2']);
  });

  it('fails the group when a query fails before a body wrote; queued bodies run in the next', async () => {
    const dir = await store.transaction((tx) => tx.createFile(sampleRecord()));
    const add = (name: string) => (tx: StoreTx) =>
      tx.createFile(sampleRecord()).then((id) => tx.addEntry(dir, name, id));
    const results = await Promise.allSettled([
      store.transaction(add('a')),
      store.transaction((tx) => tx.getFile(OUT_OF_RANGE)),
      store.transaction(add('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    for (const r of results.slice(0, 2)) expect(isDittoError((r as PromiseRejectedResult).reason, 'IO')).toBe(true);
    expect((await store.listDir(dir, 0, 10)).map((e) => e.name)).toEqual(['b']);
  });

  it('keeps the count of files this instance created and deleted without re-counting', async () => {
    const before = await store.fileCount();
    await concurrentCreates([ok, async () => Promise.reject(new Error('no')), ok]);
    expect(await store.fileCount()).toBe(before + 3); // the directory and two files
  });
});
