// Compiles the server CLIs (src/server/cli/dfs.ts, dfsctl.ts) into out/server/*.mjs with
// esbuild: `dfs` and `dfsctl` run compiled JavaScript, not TypeScript through tsx (a cold
// tsx start took ~4 s). Packages stay in node_modules (native ones cannot be bundled).
// `ensureServerBuilt()` rebuilds when a source file is newer than the build, so a checkout
// that changed never runs stale code; outputs are written to a temporary name and renamed,
// so processes starting at once never read a half-written file.
import { readdirSync, renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'out', 'server');
export const ENTRIES = { dfs: 'src/server/cli/dfs.ts', dfsctl: 'src/server/cli/dfsctl.ts' };
const SOURCES = ['src/server', 'src/shared', 'package.json', 'package-lock.json', 'scripts/build-server.mjs'];

/** The compiled file of a CLI. */
export const outputOf = (name) => path.join(OUT, `${name}.mjs`);

function newestSource() {
  let newest = 0;
  for (const rel of SOURCES) {
    const abs = path.join(ROOT, rel);
    const st = statSync(abs, { throwIfNoEntry: false });
    if (st === undefined) continue;
    if (!st.isDirectory()) newest = Math.max(newest, st.mtimeMs);
    else
      for (const e of readdirSync(abs, { recursive: true, withFileTypes: true })) {
        if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
          newest = Math.max(newest, statSync(path.join(e.parentPath, e.name)).mtimeMs);
        }
      }
  }
  return newest;
}

/** Whether every output exists and is newer than every source. */
export function isServerBuildFresh() {
  const newest = newestSource();
  return Object.keys(ENTRIES).every(
    (name) => (statSync(outputOf(name), { throwIfNoEntry: false })?.mtimeMs ?? 0) > newest,
  );
}

export async function buildServer() {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir: OUT,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    write: false,
    logLevel: 'warning',
    // Bundled ESM still meets CommonJS packages that call require().
    banner: {
      js: "import { createRequire as __dfsRequire } from 'node:module'; const require = __dfsRequire(import.meta.url);",
    },
  });
  mkdirSync(OUT, { recursive: true });
  const tmp = `.tmp-${process.pid}`;
  for (const f of result.outputFiles) writeFileSync(f.path + tmp, f.contents);
  // Maps first: a started process finds its map once the code is there.
  for (const f of [...result.outputFiles].sort((a) => (a.path.endsWith('.map') ? -1 : 1)))
    renameSync(f.path + tmp, f.path);
}

export async function ensureServerBuilt() {
  if (!isServerBuildFresh()) await buildServer();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  await buildServer();
  console.error(`dfs: compiled the server into out/server in ${Date.now() - started} ms`);
}
