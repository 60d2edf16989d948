#!/usr/bin/env node
// `dfs`, the server CLI: runs the compiled server (out/server/dfs.mjs, made by
// scripts/build-server.mjs, rebuilt first when a source is newer). DITTOFS_FROM_SOURCE=1
// runs the TypeScript sources through tsx instead (debugging). The libuv threadpool keeps
// its default 4 threads: with write-through block I/O and pooled reads that measured best for
// 4 KiB random I/O and as fast for sequential I/O as 16 (bench/nfs/README.md);
// UV_THREADPOOL_SIZE in the environment still overrides it.
//
// SIGINT and SIGTERM are held from the first instant: a signal while the server code loads
// must still end in a clean shutdown (exit code 0), not a kill. The CLI takes the held
// signals over (main in src/server/cli/dfs.ts).
const held = [];
const hold = (signal) => held.push(signal);
process.on('SIGINT', hold);
process.on('SIGTERM', hold);
if (process.env.DITTOFS_TEST_HOOKS === '1') process.stdout.write('{"msg":"signals held (test hook)"}\n');
void import('./load-cli.mjs')
  .then(({ loadCli }) => loadCli('dfs'))
  .then(({ main }) =>
    main(process.argv, {
      take() {
        process.off('SIGINT', hold);
        process.off('SIGTERM', hold);
        return held.splice(0);
      },
    }),
  );
