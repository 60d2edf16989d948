import { randomBytes } from 'node:crypto';
import { S3BlockStore } from '../stores/s3/s3-store.ts';
import { S3rver } from '../stores/s3/testing/s3rver.ts';
import { runBlockStoreConformance } from './suite.ts';

// Against a real S3-compatible server (s3rver in its own process): each store a fresh key
// prefix in one bucket, so stores sharing a bucket stay apart as they must.
runBlockStoreConformance('s3 (s3rver)', async () => {
  const server = await S3rver.start();
  const config = await server.bucket('conformance');
  const open = (prefix: string) => S3BlockStore.open({ ...config, prefix });
  const prefixes = new WeakMap<S3BlockStore, string>();
  return {
    open: async () => {
      const prefix = `t-${randomBytes(6).toString('hex')}/`;
      const store = await open(prefix);
      prefixes.set(store, prefix);
      return store;
    },
    reopen: async (store) => {
      const prefix = prefixes.get(store as S3BlockStore)!;
      await store.close();
      const again = await open(prefix);
      prefixes.set(again, prefix);
      return again;
    },
    cleanup: () => server.remove(),
  };
});
