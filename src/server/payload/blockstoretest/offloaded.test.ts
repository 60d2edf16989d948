import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OffloadedBlockStore } from '../offloader/offloaded-store.ts';
import { MemoryBlockStore } from '../stores/memory/memory-store.ts';
import { runBlockStoreConformance } from './suite.ts';

// The offloader in front of a memory store: its cache directory is what a reopen finds again.
runBlockStoreConformance('offloaded (memory remote)', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'dittofs-offload-conf-'));
  const dirs = new WeakMap<OffloadedBlockStore, { dir: string; remote: MemoryBlockStore }>();
  let n = 0;
  const open = (dir: string, remote: MemoryBlockStore): OffloadedBlockStore => {
    const store = OffloadedBlockStore.open(remote, dir, { capBytes: 256 * 1024 * 1024 });
    dirs.set(store, { dir, remote });
    return store;
  };
  return {
    open: async () => open(path.join(root, String(n++)), new MemoryBlockStore()),
    reopen: async (store) => {
      const { dir, remote } = dirs.get(store as OffloadedBlockStore)!;
      await (store as OffloadedBlockStore).drain();
      await store.close();
      return open(dir, remote);
    },
    cleanup: async () => rmSync(root, { recursive: true, force: true }),
  };
});
