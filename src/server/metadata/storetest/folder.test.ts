import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderStore } from '../../folder/folder-store.ts';
import { runStoreConformance } from './suite.ts';

let seq = 0;

// The folder and its index live apart, as in a real data dir; records made outside any
// directory are given a name in the folder's root.
runStoreConformance('folder', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dittofs-folder-'));
  await mkdir(join(dir, 'folder'));
  return {
    open: () => FolderStore.open({ path: join(dir, 'folder'), indexPath: join(dir, 'data', 'index.db') }),
    persistent: true,
    cleanup: () => rm(dir, { recursive: true, force: true }),
    place: async (tx, fileid) => {
      await tx.addEntry((await tx.getRoot(''))!, `record-${++seq}`, fileid);
    },
  };
});
