/** Fixtures for the journal tests: a server's payload side on a real fs block store, restartable. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { BlockStore } from '../payload/blockstore.ts';
import { PayloadService } from '../payload/service.ts';
import { FsBlockStore } from '../payload/stores/fs/fs-store.ts';
import { Journal, type JournalOptions } from './journal.ts';

const MiB = 1024 * 1024;

export interface Started {
  payload: PayloadService;
  journal: Journal;
  store: BlockStore;
  /** Whole-store syncs so far. */
  syncs: () => number;
}

export interface JournalFixture {
  /** This test's directory: `blocks/` and `wal/` under it. */
  readonly dir: string;
  /**
   * A server's payload side on the store under `dir`, share '/s': a fresh process after a
   * "crash" when called again (the earlier one is simply abandoned, and closed after the test).
   */
  start(options?: Partial<JournalOptions>, cacheBytes?: number): Promise<Started>;
}

/** A fresh directory for each test, and the servers a test started closed after it. */
export function journalFixture(): JournalFixture {
  let dir = '';
  const open: Journal[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dittofs-journal-'));
  });
  afterEach(async () => {
    for (const journal of open.splice(0)) await journal.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    async start(options = {}, cacheBytes = 32 * MiB) {
      const store: BlockStore = await FsBlockStore.open(path.join(dir, 'blocks'));
      let storeSyncs = 0;
      const sync = store.sync.bind(store);
      store.sync = (prefix) => {
        storeSyncs++;
        return sync(prefix);
      };
      const payload = new PayloadService({ sliceCacheBytes: cacheBytes });
      const journal = await Journal.open(store, payload.slices, {
        dir: path.join(dir, 'wal'),
        logCapBytes: 64 * MiB,
        bypassBytes: MiB,
        carveDelayMs: 60_000, // carve only when asked: the tests decide what is carved
        ...options,
      });
      payload.registerShare('/s', store, journal);
      open.push(journal);
      return { payload, journal, store, syncs: () => storeSyncs };
    },
  };
}

/** Bytes that differ with `seed` and along the buffer. */
export function pattern(seed: number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = (seed * 31 + i) & 0xff;
  return out;
}
