import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlockStore } from '../stores/fs/fs-store.ts';
import { runBlockStoreConformance } from './suite.ts';

runBlockStoreConformance('fs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dittofs-blocks-'));
  let seq = 0;
  return {
    open: () => FsBlockStore.open(join(dir, String(++seq))),
    reopen: async (store) => {
      await store.close();
      return FsBlockStore.open((store as FsBlockStore).root);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
