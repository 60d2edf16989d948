// Transaction bodies run twice, as the PostgreSQL store runs them again after a conflict
// (docs/cluster.md): the first run rolled back, the second one committed. What a body took
// out of memory (unstable write state) must be taken again, never lost or stored twice.
import { describe, expect, it } from 'vitest';
import type { StoreTx } from './store.ts';
import { MemoryMetadataStore } from './stores/memory/memory-store.ts';
import { ROOT, setup } from './testing.ts';

const ROLLED_BACK = new Error('rolled back');

/** Runs every body once in a transaction it then rolls back, and then again for real. */
class RerunStore extends MemoryMetadataStore {
  runs = 0;

  override transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const first = super.transaction(async (tx) => {
      this.runs++;
      await fn(tx).catch(() => undefined);
      throw ROLLED_BACK;
    });
    return first.catch((err: unknown) => {
      if (err !== ROLLED_BACK) throw err;
      this.runs++;
      return super.transaction(fn);
    });
  }
}

const guarded = { kind: 'guarded' } as const;

describe('MetadataService on a store that runs bodies again', () => {
  async function withWrites() {
    const store = new RerunStore();
    const f = await setup({}, store);
    const { handle, attr } = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    await f.svc.commitWrite(ROOT, handle, 8192, false);
    return { ...f, store, handle, fileid: attr.fileid };
  }

  it('stores unstable writes on COMMIT', async () => {
    const f = await withWrites();
    const runs = f.store.runs;
    expect((await f.svc.persistWrites(ROOT, f.handle)).size).toBe(8192);
    expect(f.store.runs).toBe(runs + 2);
    expect((await f.store.getFile(f.fileid))?.attr.size).toBe(8192);
    // Nothing left to store.
    await f.svc.persistWrites(ROOT, f.handle);
    expect(f.store.runs).toBe(runs + 2);
  });

  it('stores unstable writes with a SETATTR', async () => {
    const f = await withWrites();
    const wcc = await f.svc.setAttr(ROOT, f.handle, { mode: 0o600 });
    expect(wcc.after).toMatchObject({ size: 8192, mode: 0o600 });
    expect((await f.store.getFile(f.fileid))?.attr).toEqual(wcc.after);
    expect(await f.svc.getAttr(ROOT, f.handle)).toEqual(wcc.after);
  });

  it('lets an UNCHECKED create that truncates supersede unstable writes', async () => {
    const f = await withWrites();
    const opened = await f.svc.create(ROOT, f.root, 'f', { size: 0 }, { kind: 'unchecked' });
    expect(opened.attr.size).toBe(0);
    expect((await f.store.getFile(f.fileid))?.attr.size).toBe(0);
    expect((await f.svc.getAttr(ROOT, f.handle)).size).toBe(0);
    await f.svc.persistWrites(ROOT, f.handle);
    expect((await f.store.getFile(f.fileid))?.attr.size).toBe(0);
  });
});
