// Byte-range locks across instances (docs/cluster.md, "Locks"): two lock managers, each
// with the lock table of its own PostgresMetadataStore on one real PostgreSQL schema, as two
// dfs instances serving one share have. A lock taken through one conflicts through the
// other, a release lets the other's blocked wait through, and the locks of an instance
// whose lease lapsed (it died) stop counting.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRESQL, unmet } from '../../../../e2e/helpers/requirements.ts';
import { createTestDatabase, type TestDatabase } from '../../postgres/testing/database.ts';
import { PostgresMetadataStore } from '../stores/postgres/postgres-store.ts';
import { PgRangeLocks } from '../stores/postgres/range-locks.ts';
import { ByteRangeLocks } from './byte-range-locks.ts';
import { fileidOfFileKey, fileKey, ownerKey, TO_END } from './lock-manager.ts';
import type { SharedLockTable } from './shared-locks.ts';

const FILE = fileKey('/team', 42);
const nfs = (o: string) => ownerKey('nfs4', 'c1', o);
const smb = (o: string) => ownerKey('smb', '7', o);

describe.skipIf(unmet(POSTGRESQL) !== null)('byte-range locks shared by two instances (PostgreSQL)', () => {
  let db: TestDatabase;
  let schema: string;
  const stores: PostgresMetadataStore[] = [];
  const pools: pg.Pool[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    schema = `l_${randomBytes(6).toString('hex')}`;
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    for (const p of pools) await p.end();
    await db?.drop();
  });

  const managerOn = (table: SharedLockTable) =>
    new ByteRangeLocks((file) => ({ table, fileid: fileidOfFileKey(file) }));
  const instance = async (): Promise<ByteRangeLocks> => {
    const store = await PostgresMetadataStore.open({ url: db.url, schema }, 'locks');
    stores.push(store);
    return managerOn(store.sharedLocks);
  };

  it('refuses through one instance what conflicts with a lock taken through the other, both ways', async () => {
    const [a, b] = [await instance(), await instance()];
    expect(await a.lock(FILE, nfs('x'), 'write', 0n, 100n)).toBeUndefined();
    expect(await b.lock(FILE, nfs('y'), 'read', 50n, 60n)).toMatchObject({ kind: 'write', start: 0n, end: 100n });
    expect(await b.conflict(FILE, nfs('y'), 'read', 99n, 200n)).toMatchObject({ kind: 'write' });
    expect(await b.lock(FILE, nfs('y'), 'read', 100n, 200n)).toBeUndefined(); // adjacent
    expect(await a.lock(FILE, nfs('x'), 'write', 150n, 160n)).toMatchObject({ kind: 'read', start: 100n, end: 200n });
    // SMB semantics hold across instances: shared locks stack, an exclusive meets them.
    expect(await a.lockAll(FILE, smb('1'), [{ kind: 'read', start: 1000n, end: 1010n }])).toBeUndefined();
    expect(await b.lockAll(FILE, smb('2'), [{ kind: 'read', start: 1005n, end: 1006n }])).toBeUndefined();
    expect(await b.lockAll(FILE, smb('2'), [{ kind: 'write', start: 1009n, end: 1020n }])).toBeDefined();
    // An unlock through A frees the range for B.
    expect(await a.unlock(FILE, nfs('x'), 0n, 100n)).toBe(true);
    expect(await b.lock(FILE, nfs('y'), 'write', 0n, 100n)).toBeUndefined();
    await a.releaseWhere(() => true);
    await b.releaseWhere(() => true);
    expect(await a.lock(FILE, nfs('x'), 'write', 0n, TO_END)).toBeUndefined();
    await a.release(FILE, nfs('x'));
  });

  it('grants a blocked wait through one instance once the other releases the lock', async () => {
    const [a, b] = [await instance(), await instance()];
    expect(await a.lock(FILE, nfs('x'), 'write', 0n, 10n)).toBeUndefined();
    expect(await b.lock(FILE, nfs('y'), 'write', 5n, 6n)).toBeDefined();
    const waiter = b.wait(FILE, nfs('y'), [{ kind: 'write', start: 5n, end: 6n }]);
    expect(b.waiting(FILE, nfs('y'))).toBe(waiter);
    await new Promise((r) => setTimeout(r, 700));
    expect(b.holds(FILE, nfs('y'))).toBe(false);
    await a.release(FILE, nfs('x'));
    expect(await waiter.granted).toBe(true);
    expect(b.holds(FILE, nfs('y'))).toBe(true);
    expect(await a.lock(FILE, nfs('x'), 'read', 0n, 10n)).toMatchObject({ kind: 'write', start: 5n, end: 6n });
    await b.release(FILE, nfs('y'));
    a.close();
    b.close();
  });

  it('stops counting the locks of an instance whose lease lapsed', async () => {
    const pool = (): pg.Pool => {
      const p = new pg.Pool({ connectionString: db.url, options: `-c search_path=${schema}` });
      pools.push(p);
      return p;
    };
    const deadTable = new PgRangeLocks(pool());
    await deadTable.renew(); // then never again: the instance died
    const dead = managerOn(deadTable);
    const alive = managerOn(new PgRangeLocks(pool(), 500));
    expect(await dead.lock(FILE, nfs('x'), 'write', 0n, TO_END)).toBeUndefined();
    expect(await alive.lock(FILE, nfs('y'), 'write', 0n, 1n)).toBeDefined();
    await new Promise((r) => setTimeout(r, 700));
    expect(await alive.lock(FILE, nfs('y'), 'write', 0n, 1n)).toBeUndefined();
  });
});
