#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx); `dfs` is the server CLI. The libuv threadpool
// keeps its default 4 threads: with write-through block I/O and pooled reads that measured
// best for 4 KiB random I/O and as fast for sequential I/O as 16 (bench/nfs/README.md);
// UV_THREADPOOL_SIZE in the environment still overrides it.
void import('tsx/esm/api').then(({ register }) => {
  register();
  return import('../src/server/cli/dfs.ts');
});
