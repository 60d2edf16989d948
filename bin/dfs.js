#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx); `dfs` is the server CLI.
//
// CommonJS (bin/package.json), not ESM, so that this line runs before anything uses the
// libuv threadpool: loading an ESM entry already reads files on it, and its size is fixed
// on first use. Block-store I/O needs more than the default 4 threads to keep up.
process.env.UV_THREADPOOL_SIZE ??= '16';

void import('tsx/esm/api').then(({ register }) => {
  register();
  return import('../src/server/cli/dfs.ts');
});
