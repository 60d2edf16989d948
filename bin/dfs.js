#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx); `dfs` is the server CLI. The libuv threadpool
// keeps its default 4 threads: with write-through block I/O and pooled reads that measured
// best for 4 KiB random I/O and as fast for sequential I/O as 16 (bench/nfs/README.md);
// UV_THREADPOOL_SIZE in the environment still overrides it.
//
// SIGINT and SIGTERM are held from the first instant: loading the server code takes seconds
// on a cold start, and a signal then must still end in a clean shutdown (exit code 0), not a
// kill. The CLI takes the held signals over (main in src/server/cli/dfs.ts).
const held = [];
const hold = (signal) => held.push(signal);
process.on('SIGINT', hold);
process.on('SIGTERM', hold);
if (process.env.DITTOFS_TEST_HOOKS === '1') process.stdout.write('{"msg":"signals held (test hook)"}\n');
void import('tsx/esm/api')
  .then(({ register }) => {
    register();
    return import('../src/server/cli/dfs.ts');
  })
  .then(({ main }) =>
    main(process.argv, {
      take() {
        process.off('SIGINT', hold);
        process.off('SIGTERM', hold);
        return held.splice(0);
      },
    }),
  );
