import { POSTGRESQL, unmet } from '../../../../e2e/helpers/requirements.ts';
import type { SharedBlockStore } from '../offloader/shared/shared-store.ts';
import { SharedStoreBench, type SharedStoreLocation } from '../offloader/shared/testing.ts';
import { runBlockStoreConformance } from './suite.ts';

// An S3 store served by several instances: real s3rver for the objects, real PostgreSQL
// for the block index; a reopen is another instance's view (its own, empty, local cache).
if (unmet(POSTGRESQL) === null) {
  runBlockStoreConformance('shared (s3rver + PostgreSQL index)', async () => {
    const bench = await SharedStoreBench.start();
    const where = new WeakMap<SharedBlockStore, SharedStoreLocation>();
    const open = async (at: SharedStoreLocation): Promise<SharedBlockStore> => {
      const store = await bench.open(at);
      where.set(store, at);
      return store;
    };
    return {
      open: () => open(bench.newLocation()),
      reopen: async (store) => {
        const at = where.get(store as SharedBlockStore)!;
        await store.close();
        return open(at);
      },
      cleanup: () => bench.stop(),
    };
  });
}
