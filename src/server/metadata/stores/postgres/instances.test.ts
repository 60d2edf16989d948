// Two PostgreSQL metadata stores on one database, as two dfs instances have them
// (docs/cluster.md): their transactions serialise only on the rows they lock. Each test
// runs in its own database, dropped afterwards.
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POSTGRESQL, unmet } from '../../../../../e2e/helpers/requirements.ts';
import { isDittoError } from '../../../../shared/errors.ts';
import { createTestDatabase, type TestDatabase } from '../../../postgres/testing/database.ts';
import { MetadataService } from '../../service.ts';
import { sampleRecord } from '../../storetest/suite.ts';
import { OPTIONS, ROOT } from '../../testing.ts';
import type { StoreTx } from '../../store.ts';
import type { FileHandle } from '../../types.ts';
import { PostgresMetadataStore } from './postgres-store.ts';

/** One instance: its store and the service on it, serving `/export` (share id 7 on both). */
interface Instance {
  store: PostgresMetadataStore;
  svc: MetadataService;
}

const GUARDED = { kind: 'guarded' } as const;

/** Settles `ps` and counts the fulfilled ones; the rejected ones' error codes. */
async function outcomes(ps: Array<Promise<unknown>>): Promise<{ ok: number; codes: string[] }> {
  const settled = await Promise.allSettled(ps);
  const codes = settled.flatMap((r) =>
    r.status === 'rejected' ? [isDittoError(r.reason) ? r.reason.code : String(r.reason)] : [],
  );
  return { ok: settled.length - codes.length, codes };
}

describe.skipIf(unmet(POSTGRESQL) !== null)('two PostgreSQL metadata stores on one database', () => {
  let db: TestDatabase;
  let a: Instance;
  let b: Instance;
  let root: FileHandle;

  /** Both open the (new) schema and register the share at once, as instances starting together. */
  beforeEach(async () => {
    db = await createTestDatabase();
    const open = async (): Promise<Instance> => {
      const store = await PostgresMetadataStore.open({ url: db.url, schema: 'shared' }, 'shared');
      const svc = new MetadataService();
      await svc.registerShare('/export', { id: 7, store, options: OPTIONS, enabled: true });
      return { store, svc };
    };
    [a, b] = await Promise.all([open(), open()]);
    root = await a.svc.rootHandle('/export');
  });

  afterEach(async () => {
    await a?.store.close();
    await b?.store.close();
    await db?.drop();
  });

  it('migrate and register the share once when they start together', async () => {
    expect(a.store.epoch).toBe(b.store.epoch);
    expect(await b.svc.rootHandle('/export')).toEqual(root);
    expect(b.svc.listShares()[0]!.rootFileId).toBe(a.svc.listShares()[0]!.rootFileId);
    // More shares registered through both at once: one root each.
    const names = Array.from({ length: 10 }, (_, i) => `/s${i}`);
    await Promise.all(
      names.flatMap((name, i) =>
        [a, b].map((inst) =>
          inst.svc.registerShare(name, { id: 10 + i, store: inst.store, options: OPTIONS, enabled: true }),
        ),
      ),
    );
    const roots = (inst: Instance) => inst.svc.listShares().map((s) => [s.name, s.rootFileId]);
    expect(roots(b)).toEqual(roots(a));
  });

  it('let exactly one of concurrent same-name creates win, and lose no directory update', async () => {
    for (let round = 0; round < 5; round++) {
      const name = `same-${round}`;
      const creates = [a, b, a, b].map((i) => i.svc.create(ROOT, root, name, {}, GUARDED));
      const mkdirs = [a, b, a, b].map((i) => i.svc.mkdir(ROOT, root, `${name}.d`, {}));
      const [files, dirs] = await Promise.all([outcomes(creates), outcomes(mkdirs)]);
      expect(files).toEqual({ ok: 1, codes: ['EXISTS', 'EXISTS', 'EXISTS'] });
      expect(dirs).toEqual({ ok: 1, codes: ['EXISTS', 'EXISTS', 'EXISTS'] });
    }
    // Subdirectories made through both at once: the root's link count counts every one.
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).svc.mkdir(ROOT, root, `d${i}`, {})));
    const attr = await b.svc.getAttr(ROOT, root);
    expect(attr.nlink).toBe(2 + 5 + 20);
  });

  it('refuse one of two crossing directory moves (a into b, b into a): no loop', async () => {
    for (let round = 0; round < 5; round++) {
      const p = (await a.svc.mkdir(ROOT, root, `p${round}`, {})).handle;
      const q = (await a.svc.mkdir(ROOT, root, `q${round}`, {})).handle;
      const x = (await a.svc.mkdir(ROOT, p, 'x', {})).handle;
      const y = (await a.svc.mkdir(ROOT, q, 'y', {})).handle;
      // x moves into y while y moves into x.
      const moves = await outcomes([a.svc.rename(ROOT, p, 'x', y, 'x'), b.svc.rename(ROOT, q, 'y', x, 'y')]);
      expect(moves).toEqual({ ok: 1, codes: ['INVALID_ARGUMENT'] });
      // Both still reach the root through their '..'.
      for (const start of [x, y]) {
        let h = start;
        for (let depth = 0; h.toString('hex') !== root.toString('hex'); depth++) {
          expect(depth).toBeLessThan(4);
          h = (await b.svc.lookup(ROOT, h, '..')).handle;
        }
      }
    }
  });

  it('let changes in other directories proceed while one directory is locked', async () => {
    const busy = (await a.svc.mkdir(ROOT, root, 'busy', {})).handle;
    const free = (await a.svc.mkdir(ROOT, root, 'free', {})).handle;
    const busyId = (await a.svc.getAttr(ROOT, busy)).fileid;
    // Instance A holds the directory's lock in a transaction that waits for `release`.
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const held = a.store.transaction(async (tx) => {
      await tx.lockFiles([busyId]);
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await isLocked;
    // B's three creations go out in one group: the one in the locked directory, not the
    // group's first locker, steps aside (NOWAIT) and waits in the next group; the two
    // before it commit meanwhile.
    const others = [b.svc.create(ROOT, free, 'f', {}, GUARDED), b.svc.create(ROOT, free, 'g', {}, GUARDED)];
    let blockedDone = false;
    const blocked = b.svc.create(ROOT, busy, 'f', {}, GUARDED).then(() => (blockedDone = true));
    expect(await Promise.all(others)).toHaveLength(2);
    expect(blockedDone).toBe(false);
    release();
    await held;
    await blocked;
    expect((await a.svc.lookup(ROOT, busy, 'f')).attr.nlink).toBe(1);
  });

  it('lock a parent before its child in a move between them, whatever their ids', async () => {
    // C is made before P, so its fileid is lower; then it moves into P.
    const c = (await a.svc.mkdir(ROOT, root, 'C', {})).handle;
    const p = (await a.svc.mkdir(ROOT, root, 'P', {})).handle;
    await a.svc.rename(ROOT, root, 'C', p, 'C');
    await a.svc.create(ROOT, p, 'x', {}, GUARDED);
    const [cId, pId] = await Promise.all([c, p].map(async (h) => (await a.svc.getAttr(ROOT, h)).fileid));
    expect(cId).toBeLessThan(pId!);
    const runs = { a: 0, b: 0 };
    const transaction = a.store.transaction.bind(a.store);
    a.store.transaction = <T>(body: (tx: StoreTx) => Promise<T>): Promise<T> =>
      transaction((tx) => {
        runs.a++;
        return body(tx);
      });
    // B holds P and, once A's move waits for a lock, takes C too: parent before child, as
    // REMOVE or RMDIR of C would. Were A to hold C while waiting for P, PostgreSQL would
    // find a deadlock and run one of the two again.
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const held = b.store.transaction(async (tx) => {
      runs.b++;
      await tx.lockFiles([pId!]);
      locked();
      await new Promise<void>((resolve) => (release = resolve));
      await tx.lockFiles([cId!]);
    });
    await isLocked;
    const move = a.svc.rename(ROOT, p, 'x', c, 'x');
    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    try {
      const waiting = async () =>
        (
          await watcher.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )
        ).rows[0]!.n;
      while ((await waiting()) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await watcher.end();
    }
    release();
    await Promise.all([held, move]);
    expect(runs).toEqual({ a: 1, b: 1 });
    expect((await b.svc.lookup(ROOT, c, 'x')).attr.type).toBeDefined();
  });

  it('run a transaction again when PostgreSQL picks it as a deadlock victim', async () => {
    const ids = await a.store.transaction(async (tx) => [
      await tx.createFile(sampleRecord({ size: 0 })),
      await tx.createFile(sampleRecord({ size: 0 })),
    ]);
    const runs = [0, 0];
    let arrived = 0;
    let bothHoldOne!: () => void;
    const barrier = new Promise<void>((resolve) => (bothHoldOne = resolve));
    // Each locks one file, waits until the other holds the other file, then locks that one.
    const bump = (store: PostgresMetadataStore, i: number) =>
      store.transaction(async (tx) => {
        const run = ++runs[i]!;
        const order = i === 0 ? ids : [...ids].reverse();
        const [first] = await tx.lockFiles([order[0]!]);
        if (run === 1 && ++arrived === 2) bothHoldOne();
        if (run === 1) await barrier;
        const [second] = await tx.lockFiles([order[1]!]);
        for (const rec of [first!, second!])
          await tx.putFile({ ...rec, attr: { ...rec.attr, size: rec.attr.size + 1 } });
      });
    await Promise.all([bump(a.store, 0), bump(b.store, 1)]);
    expect(runs[0]! + runs[1]!).toBe(3);
    for (const id of ids) expect((await b.store.getFile(id))?.attr.size).toBe(2);
  });
});
