import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteMetadataStore } from '../stores/sqlite/sqlite-store.ts';
import { runStoreConformance } from './suite.ts';

runStoreConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dittofs-meta-'));
  return {
    open: () => SqliteMetadataStore.open(join(dir, 'meta.db')),
    persistent: true,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
