// vitest globalSetup: compiles the server (scripts/build-server.mjs) once, before any test
// spawns bin/dfs.js, instead of each test process finding the build stale at the same time.
// @ts-expect-error: a plain .mjs script without type declarations
import { ensureServerBuilt } from '../../scripts/build-server.mjs';

export default async function setup(): Promise<void> {
  await (ensureServerBuilt as () => Promise<void>)();
}
