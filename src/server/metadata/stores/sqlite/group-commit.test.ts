import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit, type GroupLimits } from './group-commit.ts';

describe('GroupCommit', () => {
  let dir: string;
  let db: Database;
  let commits: number;
  let failCommit: boolean;
  let syncs: number;
  let failSync: boolean;
  // No split by time unless a test asks: a slow machine must not change how bodies group.
  const make = (limits: GroupLimits = {}) =>
    new GroupCommit(
      db,
      db,
      {
        beforeCommit: () => {
          commits++;
          if (failCommit) throw new Error('disk full');
        },
      },
      async () => {
        syncs++;
        if (failSync) throw Object.assign(new Error('fsync failed'), { code: 'EIO' });
      },
      { splitAfterMs: Infinity, ...limits },
    );
  const insert = (d: Database, v: number) => d.prepare('INSERT INTO t (v) VALUES (?)').run(v);
  const values = () => db.prepare('SELECT v FROM t ORDER BY v').pluck(true).all();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dittofs-gc-'));
    db = new BetterSqlite3(join(dir, 'g.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (v INTEGER NOT NULL)');
    commits = 0;
    failCommit = false;
    syncs = 0;
    failSync = false;
  });

  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('commits concurrent bodies together and resolves each with its result', async () => {
    const gc = make();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gc.run(async (d) => {
          insert(d, i);
          await Promise.resolve();
          return i * 2;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    expect(commits).toBe(1);
    expect(values()).toHaveLength(20);
    expect(db.inTransaction).toBe(false);
  });

  it('rolls back only the body that throws', async () => {
    const gc = make();
    const results = await Promise.allSettled(
      [1, 2, 3].map((v) =>
        gc.run(async (d) => {
          insert(d, v);
          if (v === 2) throw new Error('body failed');
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(values()).toEqual([1, 3]);
    expect(commits).toBe(1);
  });

  it('reports a full disk as NO_SPACE and a failed fsync as IO', async () => {
    const gc = make();
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    await expect(gc.run(() => Promise.reject(full))).rejects.toMatchObject({ code: 'NO_SPACE' });
    failSync = true;
    await expect(gc.run(async (d) => insert(d, 1))).rejects.toMatchObject({ code: 'IO' });
  });

  it('fails every body of a group whose commit fails, then carries on', async () => {
    const gc = make();
    failCommit = true;
    const failed = await Promise.allSettled([1, 2].map((v) => gc.run(async (d) => insert(d, v))));
    expect(failed.every((r) => r.status === 'rejected')).toBe(true);
    expect(values()).toEqual([]);
    failCommit = false;
    await gc.run(async (d) => insert(d, 9));
    expect(values()).toEqual([9]);
  });

  it('answers a group only once it is durable, and fails it if that fails', async () => {
    const gc = make();
    await Promise.all([1, 2].map((v) => gc.run(async (d) => insert(d, v))));
    expect(syncs).toBe(1);
    failSync = true;
    const failed = await Promise.allSettled([3, 4].map((v) => gc.run(async (d) => insert(d, v))));
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    failSync = false;
    // A body that threw alone leaves nothing to make durable.
    await expect(gc.run(async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(syncs).toBe(2);
  });

  it('bounds the bodies per commit', async () => {
    const gc = make({ maxBatch: 3 });
    await Promise.all(Array.from({ length: 10 }, (_, v) => gc.run(async (d) => insert(d, v))));
    expect(commits).toBe(4);
    expect(values()).toHaveLength(10);
  });

  it('reports a running group until it settles, and idles once drained', async () => {
    const gc = make();
    expect(gc.running).toBe(false);
    let sawRunning = false;
    let settled: Promise<void> | undefined;
    const done = gc.run(async (d) => {
      insert(d, 1);
      sawRunning = gc.running;
      settled = gc.settled().then(() => expect(values()).toEqual([1]));
    });
    await done;
    await settled;
    expect(sawRunning).toBe(true);
    expect(gc.running).toBe(false);
    await gc.idle();
  });

  it('answers a lazy body at COMMIT, a durable one only after the sync', async () => {
    let releaseSync: () => void = () => undefined;
    const gc = new GroupCommit(
      db,
      db,
      { beforeCommit: () => undefined },
      () => new Promise<void>((resolve) => (releaseSync = resolve)),
    );
    const order: string[] = [];
    const lazy = gc.run(async (d) => insert(d, 1), true).then(() => order.push('lazy'));
    const durable = gc.run(async (d) => insert(d, 2)).then(() => order.push('durable'));
    await lazy;
    expect(order).toEqual(['lazy']);
    expect(values()).toEqual([1, 2]);
    releaseSync();
    await durable;
    expect(order).toEqual(['lazy', 'durable']);
  });

  it('commits a long group early while no sync runs, and keeps taking bodies while one does', async () => {
    const syncsDone: Array<() => void> = [];
    const gc = new GroupCommit(
      db,
      db,
      { beforeCommit: () => commits++ },
      () => new Promise<void>((resolve) => syncsDone.push(resolve)),
      { splitAfterMs: 20 },
    );
    // Body 2 runs 40 ms of event loop, the others next to none: the split falls after body 2
    // however the test is scheduled (it would take a 20 ms pause inside body 1 to move it).
    const slowBody = (v: number) => async (d: Database) => {
      insert(d, v);
      const until = performance.now() + (v === 2 ? 40 : 0);
      while (performance.now() < until); // a body's event-loop time
    };
    const answered: number[] = [];
    const first = [1, 2, 3, 4, 5, 6].map((v) => gc.run(slowBody(v)).then(() => answered.push(v)));
    // Two bodies pass 20 ms with no sync under way: that group commits and starts its sync.
    // The next group takes the other four, as a sync is under way.
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(commits).toBe(2);
    expect(syncsDone).toHaveLength(2);
    expect(values()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(answered).toEqual([]);
    syncsDone[0]!();
    await Promise.all(first.slice(0, 2));
    expect(answered).toEqual([1, 2]);
    syncsDone[1]!();
    await Promise.all(first);
    expect(answered).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('syncs lazy groups once, later, unless a durable group syncs first', async () => {
    const gc = make({ lazySyncMs: 30 });
    await Promise.all([1, 2].map((v) => gc.run(async (d) => insert(d, v), true)));
    await gc.run(async (d) => insert(d, 3), true); // another group, owed the same sync
    expect(commits).toBe(2);
    expect(syncs).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(syncs).toBe(1);
    // A durable group's sync covers a lazy group committed before it: none is owed after.
    await gc.run(async (d) => insert(d, 4), true);
    await gc.run(async (d) => insert(d, 5));
    expect(syncs).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(syncs).toBe(2);
    // Closing the store syncs what is owed at once.
    await gc.run(async (d) => insert(d, 6), true);
    await gc.syncLazy();
    expect(syncs).toBe(3);
    await gc.syncLazy();
    expect(syncs).toBe(3);
    expect(values()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
