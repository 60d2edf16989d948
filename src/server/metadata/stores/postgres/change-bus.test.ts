// Directory changes across instances (docs/cluster.md): two PostgreSQL metadata stores on
// one schema, each with a MetadataService serving `/export`, as two dfs instances serving
// one share have. A change made through A reaches B's change feed once (LISTEN/NOTIFY),
// A's own listeners once, a store on another schema not at all; B's listening connection
// comes back after PostgreSQL ends it.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRESQL, unmet } from '../../../../../e2e/helpers/requirements.ts';
import { isDittoError } from '../../../../shared/errors.ts';
import { createTestDatabase, type TestDatabase } from '../../../postgres/testing/database.ts';
import type { DirChange } from '../../change-feed.ts';
import { MetadataService } from '../../service.ts';
import { OPTIONS, ROOT } from '../../testing.ts';
import type { FileHandle } from '../../types.ts';
import { PostgresMetadataStore } from './postgres-store.ts';

interface Instance {
  store: PostgresMetadataStore;
  svc: MetadataService;
}

const GUARDED = { kind: 'guarded' } as const;

/** Waits until `seen` holds `n` changes (fails after `ms`), then a little longer for any extra. */
async function collect(seen: unknown[], n: number, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (seen.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
}

describe.skipIf(unmet(POSTGRESQL) !== null)('directory changes between two instances (PostgreSQL)', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  let a: Instance;
  let b: Instance;
  let other: Instance;
  let root: FileHandle;

  const open = async (schema: string): Promise<Instance> => {
    const store = await PostgresMetadataStore.open({ url: db.url, schema }, schema);
    const svc = new MetadataService();
    await svc.registerShare('/export', { id: 7, store, options: OPTIONS, enabled: true });
    return { store, svc };
  };
  /** The backends LISTENing in the test database. */
  const listeners = async (): Promise<number[]> =>
    (
      await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`,
      )
    ).rows.map((r) => r.pid);

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    [a, b, other] = await Promise.all([open('shared'), open('shared'), open('other')]);
    root = await a.svc.rootHandle('/export');
  });

  afterAll(async () => {
    for (const i of [a, b, other]) await i?.store.close();
    await admin?.end();
    await db?.drop();
  });

  it('delivers a create, rename and remove made through A to B once, and to A once', async () => {
    const key = a.svc.changeKey(root);
    expect(b.svc.changeKey(root)).toBe(key);
    const onA: DirChange[] = [];
    const onB: DirChange[] = [];
    const everywhereOnB: Array<[string, DirChange]> = [];
    const onOther: Array<[string, DirChange]> = [];
    const stops = [
      a.svc.changes.subscribe(key, (c) => onA.push(c)),
      b.svc.changes.subscribe(key, (c) => onB.push(c)),
      b.svc.changes.subscribeAll((k, c) => everywhereOnB.push([k, c])),
      other.svc.changes.subscribeAll((k, c) => onOther.push([k, c])),
    ];
    await a.svc.create(ROOT, root, 'f', { mode: 0o644 }, GUARDED);
    const dir = await a.svc.mkdir(ROOT, root, 'd', { mode: 0o755 });
    await a.svc.rename(ROOT, root, 'f', root, 'g');
    await a.svc.rename(ROOT, root, 'g', dir.handle, 'h');
    // A change that fails (rolled back) is announced nowhere.
    const failed = await a.svc.create(ROOT, root, 'd', {}, GUARDED).catch((e: unknown) => e);
    expect(isDittoError(failed, 'EXISTS')).toBe(true);
    await a.svc.remove(ROOT, dir.handle, 'h');
    await a.svc.rmdir(ROOT, root, 'd');
    const dirKey = a.svc.changeKey(dir.handle);
    const expected: DirChange[] = [
      { action: 'added', name: 'f', directory: false },
      { action: 'added', name: 'd', directory: true },
      { action: 'renamed-from', name: 'f', to: { dir: root, key, name: 'g' } },
      { action: 'renamed-to', name: 'g' },
      { action: 'removed', name: 'g', to: { dir: dir.handle, key: dirKey, name: 'h' } },
      { action: 'removed', name: 'd', directory: true },
    ];
    await collect(onB, expected.length);
    expect(onB).toEqual(expected);
    expect(onA).toEqual(expected);
    // B's open-path tracking (subscribeAll) sees the changes of the subdirectory too, under A's keys.
    expect(everywhereOnB.filter(([k]) => k === dirKey).map(([, c]) => c)).toEqual([
      { action: 'added', name: 'h' },
      { action: 'removed', name: 'h', directory: false },
    ]);
    expect(everywhereOnB).toHaveLength(expected.length + 2);
    // A handle carried over works on B.
    expect(b.svc.changeKey(onB[4]!.to!.dir)).toBe(dirKey);
    // Another schema (another store) is another channel.
    expect(onOther).toEqual([]);
    for (const stop of stops) stop();
  });

  it('delivers what SMB alone emits (modified) through B to A', async () => {
    const key = a.svc.changeKey(root);
    const onA: DirChange[] = [];
    const stop = a.svc.changes.subscribe(key, (c) => onA.push(c));
    // Equal changes in a row are not folded into one (the second and third go out in one statement).
    for (let i = 0; i < 3; i++) b.svc.changes.emit(key, { action: 'modified', name: 'x' });
    await collect(onA, 3);
    expect(onA).toEqual(Array.from({ length: 3 }, () => ({ action: 'modified', name: 'x' })));
    stop();
  });

  it("reconnects B's listening connection after PostgreSQL ends it", async () => {
    const before = await listeners();
    expect(before).toHaveLength(3);
    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
    const onB: DirChange[] = [];
    const stop = b.svc.changes.subscribe(b.svc.changeKey(root), (c) => onB.push(c));
    // Three listening again, none of them an ended one.
    const back = async () => (await listeners()).filter((pid) => !before.includes(pid)).length === 3;
    const until = Date.now() + 10_000;
    while (!(await back()) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await a.svc.create(ROOT, root, 'after', { mode: 0o644 }, GUARDED);
    await collect(onB, 1);
    expect(onB).toEqual([{ action: 'added', name: 'after', directory: false }]);
    stop();
  });

  it('ends the listening connection when the store closes', async () => {
    const before = await listeners();
    await other.store.close();
    const until = Date.now() + 5000;
    while ((await listeners()).length > before.length - 1 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    expect(await listeners()).toHaveLength(before.length - 1);
  });
});
